"""Chat Completions parity: OpenAI error bodies, image and file parts, structured output, reasoning_effort,
service_tier, ignored client defaults (``x-ignored-params``).

References: OpenAI API reference ("Create chat completion", "Error codes"; field names as in the ``openai`` SDK's
``CompletionCreateParams``); Converse API reference (ImageBlock, DocumentBlock, OutputConfig, ServiceTier:
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html), checked here against
botocore's own bedrock-runtime service model (``ParamValidator``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from bedrock_stream.bedrock import build_converse_params
from bedrock_stream.chat import ChatRequest
from bedrock_stream.errors import UpstreamError
from bedrock_stream.openai_request import JSON_OBJECT_INSTRUCTION
from tests.unit.api.bad_inputs import OAI_PNG, PNG_1PX, oai_file, oai_image, oai_user
from tests.unit.api.support import MODEL, FakeSource, harness, json_event, run

PATH = "/v1/chat/completions"
USER = [{"role": "user", "content": "Hi"}]
CLAUDE_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
CLAUDE_37 = "anthropic.claude-3-7-sonnet-20250219-v1:0"
NOVA_2 = "global.amazon.nova-2-lite-v1:0"
GPT_OSS = "openai.gpt-oss-120b-1:0"
NOVA_1 = "amazon.nova-lite-v1:0"
REASONERS = (MODEL, NOVA_1, CLAUDE_45, CLAUDE_37, NOVA_2, GPT_OSS)


def sent(body: dict[str, Any], **settings: Any) -> ChatRequest:
    """The ChatRequest a 200 answer to ``body`` sent to Bedrock."""
    h = harness(**settings)
    result = run(h, json_event(body, path=PATH))
    assert result.status == 200, result.body
    request: ChatRequest = h.source.calls[0][1]
    return request


def converse_shape_errors(request: ChatRequest) -> str:
    """botocore's own validation report for the ConverseStream call of ``request`` ('' when valid)."""
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    shape = model.operation_model("ConverseStream").input_shape
    return str(ParamValidator().validate(build_converse_params(request), shape).generate_report())


# -- errors --------------------------------------------------------------------------------------------------


def test_errors_before_the_stream_use_the_openai_shape_with_the_field_path() -> None:
    body = {"messages": [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]}
    result = run(harness(), json_event(body, path=PATH))
    assert result.status == 400
    error = result.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["param"], error["code"]) == (
        "invalid_request_error",
        "messages[1].role",
        "invalid_request",
    )


def test_model_refusal_and_bedrock_throttling_map_to_openai_types() -> None:
    denied = run(harness(), json_event({"messages": USER, "model": "gpt-4o"}, path=PATH)).json()["error"]
    assert (denied["type"], denied["param"], denied["code"]) == ("permission_error", None, "model_not_allowed")
    throttled = UpstreamError(
        "slow down", code="ThrottlingException", status_code=429, error_type="rate_limited", retry_after=3
    )
    result = run(harness(FakeSource(refuse_with=throttled)), json_event({"messages": USER}, path=PATH))
    assert (result.status, result.headers["retry-after"]) == (429, "3")
    assert result.json() == {
        "error": {"message": "slow down", "type": "rate_limit_error", "param": None, "code": "ThrottlingException"}
    }


# -- images and files ----------------------------------------------------------------------------------------


def test_data_url_images_and_files_become_converse_blocks() -> None:
    pdf = b"%PDF-1.4 tiny"
    body = oai_user(
        {"type": "text", "text": "Describe these"},
        OAI_PNG,
        oai_image(f"data:image/jpeg;base64,{PNG_1PX}")
        | {"image_url": {"url": f"data:image/jpeg;base64,{PNG_1PX}", "detail": "low"}},
        oai_file("data:application/pdf;base64," + base64.b64encode(pdf).decode(), filename="Q3 report?.pdf"),
        oai_file(base64.b64encode(b"plain notes").decode(), filename="notes.txt"),
        oai_file(base64.b64encode(b"more notes").decode(), filename="notes.txt"),
    )
    request = sent(body)
    content = request.messages[0].content
    assert content[0] == {"text": "Describe these"}
    assert content[1] == {"image": {"format": "png", "source": {"bytes": base64.b64decode(PNG_1PX)}}}
    assert content[2]["image"]["format"] == "jpeg"
    assert content[3] == {"document": {"format": "pdf", "name": "Q3 report", "source": {"bytes": pdf}}}
    assert content[4] == {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"plain notes"}}}
    assert content[5]["document"]["name"] == "notes (2)"  # Converse refuses two documents of the same name
    assert converse_shape_errors(request) == ""


def test_twenty_images_and_five_documents_are_allowed() -> None:
    text_file = oai_file("data:text/plain;base64,aGVsbG8=")
    request = sent(oai_user(*[OAI_PNG] * 20, *[text_file] * 5))
    assert len(request.messages[0].content) == 25


@pytest.mark.parametrize(
    ("part", "param"),
    [
        (oai_image("data:image/png;base64," + "A" * 5_242_884), "messages[0].content[0].image_url.url"),
        (oai_file("data:application/pdf;base64," + "A" * 6_291_460), "messages[0].content[0].file.file_data"),
    ],
    ids=["image-over-3.75MB", "document-over-4.5MB"],
)
def test_attachments_over_bedrocks_size_limits_are_400s(part: dict[str, Any], param: str) -> None:
    h = harness(max_body_bytes=8_000_000)
    result = run(h, json_event(oai_user(part), path=PATH))
    assert result.status == 400
    error = result.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert "limit" in error["message"]
    assert h.source.calls == []


def test_remote_image_urls_are_refused_with_a_clear_message() -> None:
    h = harness()
    result = run(h, json_event(oai_user(oai_image("https://example.com/cat.png")), path=PATH))
    error = result.json()["error"]
    assert (result.status, error["param"]) == (400, "messages[0].content[0].image_url.url")
    assert "not fetched" in error["message"]
    assert "data:" in error["message"]
    assert h.source.calls == []


# -- response_format -----------------------------------------------------------------------------------------


def test_json_schema_uses_converse_structured_output() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "City", "description": "A city", "schema": schema, "strict": True},
    }
    request = sent({"messages": USER, "response_format": fmt})
    text_format = request.output_config["textFormat"]  # type: ignore[index]
    assert text_format["type"] == "json_schema"
    definition = text_format["structure"]["jsonSchema"]
    assert (definition["name"], definition["description"]) == ("City", "A city")
    assert json.loads(definition["schema"]) == schema  # Converse takes the schema as a JSON string
    assert request.system == ()
    assert converse_shape_errors(request) == ""
    assert build_converse_params(request)["outputConfig"] == request.output_config


def test_json_object_adds_a_system_instruction_and_text_adds_nothing() -> None:
    request = sent(
        {"messages": [{"role": "system", "content": "S"}, *USER], "response_format": {"type": "json_object"}}
    )
    assert request.system == ("S", JSON_OBJECT_INSTRUCTION)
    assert request.output_config is None
    plain = sent({"messages": USER, "response_format": {"type": "text"}})
    assert (plain.system, plain.output_config) == ((), None)


# -- reasoning_effort ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "effort", "fields"),
    [
        (CLAUDE_45, "low", {"thinking": {"type": "enabled", "budget_tokens": 1024}}),
        (CLAUDE_45, "medium", {"thinking": {"type": "enabled", "budget_tokens": 4096}}),
        (CLAUDE_37, "high", {"thinking": {"type": "enabled", "budget_tokens": 7999}}),  # below max_tokens 8000
        (NOVA_2, "minimal", {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}),
        (NOVA_2, "xhigh", {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "high"}}),
        (GPT_OSS, "medium", {"reasoning_effort": "medium"}),
        (MODEL, "none", None),
        (NOVA_1, None, None),
    ],
)
def test_reasoning_effort_maps_to_each_familys_fields(model: str, effort: str | None, fields: Any) -> None:
    body = {"model": model, "messages": USER, "max_tokens": 8000, "reasoning_effort": effort}
    request = sent(body, models=REASONERS, max_tokens_cap=20_000)
    assert request.additional_model_request_fields == fields


@pytest.mark.parametrize("model", [MODEL, NOVA_1])
def test_reasoning_effort_on_a_model_that_cannot_reason_is_a_400(model: str) -> None:
    h = harness(models=REASONERS)
    result = run(h, json_event({"model": model, "messages": USER, "reasoning_effort": "low"}, path=PATH))
    error = result.json()["error"]
    assert (result.status, error["type"], error["param"]) == (400, "invalid_request_error", "reasoning_effort")
    assert model in error["message"]


def test_claude_reasoning_needs_room_for_the_minimum_budget() -> None:
    h = harness(models=REASONERS)
    body = {"model": CLAUDE_45, "messages": USER, "max_tokens": 1024, "reasoning_effort": "low"}
    result = run(h, json_event(body, path=PATH))
    assert (result.status, result.json()["error"]["param"]) == (400, "reasoning_effort")


# -- service_tier --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "converse"),
    [
        ("default", "default"),
        ("flex", "flex"),
        ("priority", "priority"),
        ("scale", "reserved"),
        ("fast", "priority"),
        ("auto", None),
        (None, None),
    ],
)
def test_service_tier_maps_to_converse_service_tier(tier: str | None, converse: str | None) -> None:
    request = sent({"messages": USER, "service_tier": tier})
    assert request.service_tier == converse
    params = build_converse_params(request)
    assert params.get("serviceTier") == (None if converse is None else {"type": converse})
    assert converse_shape_errors(request) == ""


# -- ignored client defaults ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
def test_client_defaults_are_accepted_ignored_and_named_in_a_header(stream: bool) -> None:
    body = {
        "messages": USER,
        "stream": stream,
        "frequency_penalty": 0.5,
        "presence_penalty": -1,
        "logit_bias": {"50256": -100},
        "seed": 7,
        "user": "u-1",
        "top_logprobs": None,
        "parallel_tool_calls": True,
        "store": False,
        "metadata": {"k": "v"},
        "safety_identifier": "s",
        "prompt_cache_key": "k",
        "verbosity": "low",
        "modalities": ["text"],
    }
    h = harness()
    result = run(h, json_event(body, path=PATH))
    assert result.status == 200
    assert result.headers["x-ignored-params"] == (
        "frequency_penalty, presence_penalty, logit_bias, seed, user, metadata, store, parallel_tool_calls, "
        "prompt_cache_key, safety_identifier, verbosity, modalities"
    )
    request = h.source.calls[0][1]
    assert (request.temperature, request.additional_model_request_fields) == (None, None)


def test_no_ignored_header_without_ignored_params() -> None:
    result = run(harness(), json_event({"messages": USER, "seed": None}, path=PATH))
    assert result.status == 200
    assert "x-ignored-params" not in result.headers


def test_null_tools_tool_choice_and_stream_obfuscation_are_accepted() -> None:
    body = {
        "messages": USER,
        "stream": True,
        "stream_options": {"include_usage": True, "include_obfuscation": False},
        "tools": None,
        "tool_choice": None,
    }
    request = sent(body)
    assert request.tool_config is None
