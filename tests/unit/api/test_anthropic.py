"""POST /v1/messages, /v1/messages/count_tokens and GET /v1/models: the mapping onto Converse and every answer
checked against the official SDKs' own types (``anthropic.types``, ``openai.types``; no unknown or missing field).

References: Anthropic API "Messages", "Streaming Messages", "Errors", "List Models" (docs.anthropic.com/en/api/...);
Bedrock Converse API reference (docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
"""

from __future__ import annotations

import base64
from typing import Any

import anthropic.types as at
import openai.types as ot
import pytest
from anthropic.types.shared import ErrorResponse

from bedrock_stream.anthropic_request import estimate_input_tokens, parse_anthropic_request, resolve_model
from bedrock_stream.bedrock.converse_request import build_converse_params
from bedrock_stream.errors import InvalidRequestError, MidStreamError, ModelNotAllowedError, UpstreamError
from bedrock_stream.events import (
    BedrockEvent,
    ReasoningDelta,
    Stop,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    ToolUseStop,
    Usage,
)
from tests.support.sdk_shapes import sse_frames, strict_parse
from tests.unit.api.support import (
    MODEL,
    FakeSource,
    Harness,
    harness,
    json_event,
    run,
    settings,
    text_events,
    url_event,
    weather_call,
)

CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA = "amazon.nova-lite-v1:0"
LLAMA = "meta.llama3-8b-instruct-v1:0"
ALL = settings(models=(CLAUDE, NOVA, LLAMA, "global.anthropic.claude-sonnet-4-5-20250929-v1:0"), default_model=CLAUDE)
PNG = b"\x89PNG\r\n\x1a\nfake"
PDF = b"%PDF-1.4 fake"
HEADERS = {"anthropic-version": "2023-06-01", "x-api-key": "unused", "anthropic-beta": "a,b"}


def app(source: FakeSource | None = None) -> Harness:
    return harness(source, models=ALL.models, default_model=CLAUDE)


def body(**fields: Any) -> dict[str, Any]:
    return {"model": CLAUDE, "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}], **fields}


def converse(data: dict[str, Any]) -> dict[str, Any]:
    return build_converse_params(parse_anthropic_request(data, ALL).chat)


# -- request mapping -----------------------------------------------------------------------------------------


def test_every_block_type_maps_onto_converse() -> None:
    cache = {"type": "ephemeral"}
    params = converse(
        body(
            system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Look", "cache_control": cache},
                        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": _b64(PNG)}},
                        {
                            "type": "document",
                            "title": "Q3: report!",
                            "context": "finance",
                            "source": {"type": "base64", "media_type": "application/pdf", "data": _b64(PDF)},
                        },
                        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "notes"}},
                    ],
                },
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                        {"type": "redacted_thinking", "data": _b64(b"secret")},
                        {"type": "tool_use", "id": "toolu_1", "name": "get", "input": {"q": 1}},
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": "toolu_1",
                            "is_error": True,
                            "content": [{"type": "text", "text": "boom"}],
                        },
                        {"type": "tool_result", "tool_use_id": "toolu_2", "content": "ok"},
                    ],
                },
            ],
            tools=[{"name": "get", "description": "Get", "input_schema": {"type": "object"}, "cache_control": cache}],
            tool_choice={"type": "any"},
            stop_sequences=["END"],
            temperature=0.5,
            top_p=0.9,
            top_k=40,
            stream=True,
            metadata={"user_id": "u"},
        )
    )
    point = {"cachePoint": {"type": "default"}}
    assert params == {
        "modelId": CLAUDE,
        "system": [{"text": "Be brief."}, {"cachePoint": {"type": "default", "ttl": "1h"}}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"text": "Look"},
                    point,
                    {"image": {"format": "png", "source": {"bytes": PNG}}},
                    {
                        "document": {
                            "format": "pdf",
                            "name": "Q3 report",
                            "source": {"bytes": PDF},
                            "context": "finance",
                        }
                    },
                    {"document": {"format": "txt", "name": "document-2", "source": {"bytes": b"notes"}}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "sig"}}},
                    {"reasoningContent": {"redactedContent": b"secret"}},
                    {"toolUse": {"toolUseId": "toolu_1", "name": "get", "input": {"q": 1}}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"toolResult": {"toolUseId": "toolu_1", "content": [{"text": "boom"}], "status": "error"}},
                    {"toolResult": {"toolUseId": "toolu_2", "content": [{"text": "ok"}]}},
                ],
            },
        ],
        "inferenceConfig": {"maxTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]},
        "toolConfig": {
            "tools": [
                {"toolSpec": {"name": "get", "inputSchema": {"json": {"type": "object"}}, "description": "Get"}},
                point,
            ],
            "toolChoice": {"any": {}},
        },
        "additionalModelRequestFields": {"top_k": 40},
    }


def test_top_level_cache_control_marks_the_last_block() -> None:
    params = converse(body(cache_control={"type": "ephemeral"}))
    assert params["messages"][-1]["content"] == [{"text": "Hi"}, {"cachePoint": {"type": "default"}}]


def test_top_k_and_thinking_follow_the_model_family() -> None:
    assert converse(body(model=NOVA, top_k=5))["additionalModelRequestFields"] == {"inferenceConfig": {"topK": 5}}
    thinking = {"type": "enabled", "budget_tokens": 1024}
    assert converse(body(max_tokens=2000, thinking=thinking))["additionalModelRequestFields"] == {"thinking": thinking}
    assert "additionalModelRequestFields" not in converse(body(thinking={"type": "disabled"}))
    for bad, field in [
        (body(model=LLAMA, top_k=5), "top_k"),
        (body(model=NOVA, thinking=thinking), "thinking"),
        (body(max_tokens=1024, thinking=thinking), "thinking.budget_tokens"),
        (body(thinking={"type": "enabled"}), "thinking.budget_tokens"),
    ]:
        with pytest.raises(InvalidRequestError) as caught:
            parse_anthropic_request(bad, ALL)
        assert caught.value.field == field


def test_tool_choice_mapping() -> None:
    tools = [{"name": "f", "input_schema": {"type": "object"}}]
    assert converse(body(tools=tools, tool_choice={"type": "tool", "name": "f"}))["toolConfig"]["toolChoice"] == {
        "tool": {"name": "f"}
    }
    assert converse(body(tools=tools, tool_choice={"type": "auto"}))["toolConfig"]["toolChoice"] == {"auto": {}}
    assert "toolChoice" not in converse(body(tools=tools))["toolConfig"]
    assert "toolConfig" not in converse(body(tools=tools, tool_choice={"type": "none"}))
    with pytest.raises(InvalidRequestError):
        converse(body(tools=tools, tool_choice={"type": "tool", "name": "g"}))


def test_a_conversation_with_tool_blocks_always_sends_a_tool_config() -> None:
    # Converse refuses toolUse/toolResult blocks without toolConfig (and has no "none" tool choice).
    history = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "get", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "sunny"}]},
    ]
    declared = converse(body(messages=history))["toolConfig"]
    assert declared == {"tools": [{"toolSpec": {"name": "get", "inputSchema": {"json": {"type": "object"}}}}]}
    tools = [{"name": "get", "description": "Weather", "input_schema": {"type": "object", "properties": {}}}]
    kept = converse(body(messages=history, tools=tools, tool_choice={"type": "none"}))["toolConfig"]
    assert kept == {
        "tools": [
            {"toolSpec": {"name": "get", "inputSchema": {"json": tools[0]["input_schema"]}, "description": "Weather"}}
        ]
    }


def test_anthropic_model_names_resolve_to_the_first_allowed_claude_id() -> None:
    assert resolve_model("claude-sonnet-4-5-20250929", ALL) == CLAUDE
    assert resolve_model("claude-sonnet-4-5", ALL) == CLAUDE
    assert resolve_model(NOVA, ALL) == NOVA
    for name in ("claude-sonnet-4", "claude-opus-4-1-20250805", "nova-lite-v1:0"):
        with pytest.raises(ModelNotAllowedError):
            resolve_model(name, ALL)


def test_count_tokens_estimate_is_a_quarter_of_the_characters_plus_images() -> None:
    chat = parse_anthropic_request(body(system="x" * 8, messages=[{"role": "user", "content": "y" * 5}]), ALL).chat
    assert estimate_input_tokens(chat) == 4  # 13 characters -> ceil(13 / 4)
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": _b64(PNG)}}
    chat = parse_anthropic_request(body(messages=[{"role": "user", "content": [image]}]), ALL).chat
    assert estimate_input_tokens(chat) == 1600


# -- answers, checked with the SDKs' types -------------------------------------------------------------------

RICH: list[BedrockEvent] = [
    ReasoningDelta(text="Let me think", index=0),
    ReasoningDelta(text=".", index=0),
    ReasoningDelta(signature="c2ln", index=0),
    TextDelta("Hello ", 1),
    TextDelta("there", 1),
    *weather_call(2),
    Stop("tool_use"),
    Usage(input_tokens=11, output_tokens=7, cache_read_input_tokens=3, cache_write_input_tokens=2),
]


def test_stream_event_sequence_parses_with_the_sdk_types() -> None:
    h = app(FakeSource(events=RICH))
    result = run(h, json_event(body(stream=True), path="/v1/messages", headers=HEADERS))
    assert (result.status, result.error) == (200, None)
    assert result.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = sse_frames(result.body.decode())
    assert [name for name, _ in events] == [
        "message_start", "ping",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop",
    ]  # fmt: skip
    assert all(name == data["type"] for name, data in events)
    parsed = [strict_parse(at.RawMessageStreamEvent, data) for name, data in events if name != "ping"]
    assert parsed[0].message.id == "msg_req-123"
    assert [e.index for e in parsed if e.type == "content_block_start"] == [0, 1, 2]
    assert [e.delta.type for e in parsed if e.type == "content_block_delta"] == [
        "thinking_delta", "thinking_delta", "signature_delta", "text_delta", "text_delta",
        "input_json_delta", "input_json_delta",
    ]  # fmt: skip
    delta = parsed[-2]
    assert (delta.delta.stop_reason, delta.usage.model_dump(exclude_none=True)) == (
        "tool_use",
        {"input_tokens": 11, "output_tokens": 7, "cache_creation_input_tokens": 2, "cache_read_input_tokens": 3},
    )


def test_non_streaming_answer_is_a_message() -> None:
    h = app(FakeSource(events=RICH))
    result = run(h, json_event(body(), path="/v1/messages", headers=HEADERS))
    assert result.status == 200
    message = strict_parse(at.Message, result.json())
    assert [block.model_dump(exclude_none=True) for block in message.content] == [
        {"type": "thinking", "thinking": "Let me think.", "signature": "c2ln"},
        {"type": "text", "text": "Hello there"},
        {"type": "tool_use", "id": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}},
    ]
    assert (message.stop_reason, message.usage.cache_read_input_tokens, message.model) == ("tool_use", 3, CLAUDE)


def test_redacted_reasoning_is_a_redacted_thinking_block() -> None:
    h = app(FakeSource(events=[ReasoningDelta(redacted=b"\x00\x01", index=0), *text_events("Hi")]))
    result = run(h, json_event(body(), path="/v1/messages"))
    message = strict_parse(at.Message, result.json())
    assert message.content[0].model_dump() == {"type": "redacted_thinking", "data": "AAE="}


def test_guardrail_stop_is_a_refusal() -> None:
    h = app(FakeSource(events=text_events("x", stop="guardrail_intervened")))
    assert strict_parse(at.Message, run(h, json_event(body(), path="/v1/messages")).json()).stop_reason == "refusal"


def test_tool_input_that_is_not_an_object_is_an_api_error() -> None:
    events: list[BedrockEvent] = [
        ToolUseStart(0, "t", "f"),
        ToolUseDelta(0, "[1]"),
        ToolUseStop(0),
        Stop("tool_use"),
        Usage(),
    ]
    result = run(app(FakeSource(events=events)), json_event(body(), path="/v1/messages"))
    error = strict_parse(ErrorResponse, result.json())
    assert (result.status, error.error.type) == (502, "api_error")


def test_errors_before_the_stream_use_anthropic_types() -> None:
    h = app()
    for data, status, kind in [
        (body(model="gpt-4o"), 403, "permission_error"),
        ({"messages": []}, 400, "invalid_request_error"),
    ]:
        result = run(h, json_event(data, path="/v1/messages", headers=HEADERS))
        error = strict_parse(ErrorResponse, result.json())
        assert (result.status, error.type, error.error.type, error.request_id) == (status, "error", kind, "req-123")
    assert h.source.calls == []


def test_mid_stream_failure_ends_with_an_error_event() -> None:
    source = FakeSource(events=[TextDelta("Hi")], fail_with=MidStreamError("gone", code="ThrottlingException"))
    result = run(app(source), json_event(body(stream=True), path="/v1/messages"))
    name, data = sse_frames(result.body.decode())[-1]
    error = strict_parse(ErrorResponse, data)
    assert (name, error.error.type, error.error.message) == ("error", "rate_limit_error", "gone")
    assert isinstance(result.error, MidStreamError)


def test_v1_models_in_both_shapes() -> None:
    h = harness()
    openai_list = run(h, url_event("GET", "/v1/models")).json()
    assert openai_list["object"] == "list"
    assert [strict_parse(ot.Model, m).owned_by for m in openai_list["data"]] == ["anthropic", "amazon"]
    page = run(h, url_event("GET", "/v1/models", headers=HEADERS, query="limit=1")).json()
    assert set(page) == {"data", "has_more", "first_id", "last_id"}
    assert [strict_parse(at.ModelInfo, m).id for m in page["data"]] == [MODEL]
    assert (page["has_more"], page["first_id"], page["last_id"]) == (True, MODEL, MODEL)
    rest = run(h, url_event("GET", "/v1/models", headers=HEADERS, query=f"after_id={MODEL}")).json()
    assert ([m["id"] for m in rest["data"]], rest["has_more"]) == (["amazon.nova-lite-v1:0"], False)
    bad = run(h, url_event("GET", "/v1/models", headers=HEADERS, query="limit=0"))
    assert (bad.status, strict_parse(ErrorResponse, bad.json()).error.type) == (400, "invalid_request_error")
    assert run(h, url_event("GET", "/models")).json()["default_model"] == MODEL


def test_count_tokens_asks_bedrock() -> None:
    h = app()
    data = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "abcdefgh"}], "system": "s"}
    result = run(h, json_event(data, path="/v1/messages/count_tokens", headers=HEADERS))
    assert strict_parse(at.MessageTokensCount, result.json()).input_tokens == 42
    assert result.headers["x-token-count"] == "bedrock"
    [(kind, chat)] = h.source.calls
    assert (kind, chat.model, chat.system, chat.messages[0].content) == (
        "count_tokens",
        CLAUDE,
        ("s",),
        ({"text": "abcdefgh"},),
    )


def test_count_tokens_falls_back_to_the_estimate_only_where_bedrock_cannot_count() -> None:
    data = {"model": MODEL, "messages": [{"role": "user", "content": "abcdefgh"}]}
    for code in ("ValidationException", "AccessDeniedException"):
        refused = UpstreamError("no", code=code, status_code=400, error_type="bedrock_validation")
        result = run(harness(FakeSource(refuse_with=refused)), json_event(data, path="/v1/messages/count_tokens"))
        assert (result.status, result.json(), result.headers["x-token-count"]) == (200, {"input_tokens": 2}, "estimate")
    throttled = UpstreamError(
        "slow down", code="ThrottlingException", status_code=429, error_type="throttled", retry_after=2
    )
    result = run(harness(FakeSource(refuse_with=throttled)), json_event(data, path="/v1/messages/count_tokens"))
    error = strict_parse(ErrorResponse, result.json())
    assert (result.status, result.headers["retry-after"], error.error.type) == (429, "2", "rate_limit_error")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_wrong_method_keeps_allow_and_answers_in_anthropic_shape() -> None:
    result = run(harness(), url_event("GET", "/v1/messages", headers=HEADERS))
    error = strict_parse(ErrorResponse, result.json())
    assert (result.status, result.headers["allow"], error.error.type) == (405, "POST", "invalid_request_error")
