"""POST /v1/responses (stateless OpenAI Responses API): the mapping onto Converse and every answer checked against
the ``openai`` SDK's own types (``openai.types.responses``; no unknown or missing field).

References: OpenAI API reference "Responses: create a response", "the response object", "streaming events"
(platform.openai.com/docs/api-reference/responses); Bedrock Converse API reference
(docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html: ``toolConfig``, ``outputConfig``,
``additionalModelRequestFields``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import openai.types.responses as rt
import pytest

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
from bedrock_stream.responses_request import parse_responses_request
from tests.support.sdk_shapes import sdk_sse_events, strict_parse
from tests.unit.api.support import (
    RESPONSES_FUNCTION_CALL_TAIL,
    FakeSource,
    Harness,
    harness,
    json_event,
    run,
    settings,
    weather_call,
)

CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA2 = "global.amazon.nova-2-lite-v1:0"
NOVA = "amazon.nova-micro-v1:0"
GPT_OSS = "openai.gpt-oss-120b-1:0"
LLAMA = "meta.llama3-8b-instruct-v1:0"
ALL = settings(models=(CLAUDE, NOVA2, NOVA, GPT_OSS, LLAMA), default_model=CLAUDE)
PATH = "/v1/responses"
TOOL = {"type": "function", "name": "get_weather", "description": "Weather", "parameters": {"type": "object"}}
PNG = b"\x89PNG\r\n\x1a\nfake"


def app(source: FakeSource | None = None) -> Harness:
    return harness(source, models=ALL.models, default_model=CLAUDE)


def converse(data: dict[str, Any]) -> dict[str, Any]:
    return build_converse_params(parse_responses_request(data, ALL).chat)


def sse(raw: bytes) -> list[dict[str, Any]]:
    """The SSE events, each checked: the ``event:`` name is the type, and it parses strictly as the SDK's event."""
    events = sdk_sse_events(raw.decode(), rt.ResponseStreamEvent)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def tool_events() -> list[BedrockEvent]:
    return [
        TextDelta("Let me check.", 0),
        *weather_call(1),
        Stop("tool_use"),
        Usage(input_tokens=10, output_tokens=5, cache_read_input_tokens=3, cache_write_input_tokens=2),
    ]


# -- request mapping ---------------------------------------------------------------------------------------------


def test_string_input_and_instructions_map_to_converse() -> None:
    params = converse(
        {"model": NOVA, "input": "Hi", "instructions": "Be brief.", "max_output_tokens": 50, "temperature": 0.5}
    )
    assert params == {
        "modelId": NOVA,
        "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
        "system": [{"text": "Be brief."}],
        "inferenceConfig": {"maxTokens": 50, "temperature": 0.5},
    }


def test_items_with_a_function_call_round_trip_map_to_tool_blocks() -> None:
    items = [
        {"role": "developer", "content": "Use tools."},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather in Paris?"}]},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "22C"},
    ]
    params = converse({"input": items, "tools": [TOOL], "tool_choice": "required"})
    assert params["system"] == [{"text": "Use tools."}]
    assert params["messages"] == [
        {"role": "user", "content": [{"text": "Weather in Paris?"}]},
        {
            "role": "assistant",
            "content": [{"toolUse": {"toolUseId": "call_1", "name": "get_weather", "input": {"city": "Paris"}}}],
        },
        {"role": "user", "content": [{"toolResult": {"toolUseId": "call_1", "content": [{"text": "22C"}]}}]},
    ]
    assert params["toolConfig"] == {
        "tools": [
            {"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}, "description": "Weather"}}
        ],
        "toolChoice": {"any": {}},
    }


def test_tool_choice_none_keeps_the_tools_the_history_needs() -> None:
    items = [
        {"role": "user", "content": "Weather?"},
        {"type": "function_call", "call_id": "c", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": "sunny"},
    ]
    assert "toolConfig" not in converse({"input": "Hi", "tools": [TOOL], "tool_choice": "none"})
    kept = converse({"input": items, "tool_choice": "none"})["toolConfig"]
    assert kept == {
        "tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object", "properties": {}}}}}]
    }
    named = converse({"input": "Hi", "tools": [TOOL], "tool_choice": {"type": "function", "name": "get_weather"}})
    assert named["toolConfig"]["toolChoice"] == {"tool": {"name": "get_weather"}}


def test_json_schema_format_is_converse_structured_output() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    fmt = {"type": "json_schema", "name": "answer", "schema": schema, "strict": True}
    params = converse({"input": "Hi", "text": {"format": fmt}})
    assert params["outputConfig"] == {
        "textFormat": {
            "type": "json_schema",
            "structure": {"jsonSchema": {"schema": json.dumps(schema, separators=(",", ":")), "name": "answer"}},
        }
    }


@pytest.mark.parametrize(
    ("model", "effort", "fields"),
    [
        (CLAUDE, "low", {"thinking": {"type": "enabled", "budget_tokens": 1024}}),  # the fixed budget per effort
        (CLAUDE, "high", {"thinking": {"type": "enabled", "budget_tokens": 2047}}),  # 16384, kept below 2048
        (NOVA2, "xhigh", {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "high"}}),
        (GPT_OSS, "low", {"reasoning_effort": "low"}),
    ],
)
def test_reasoning_effort_per_family(model: str, effort: str, fields: dict[str, Any]) -> None:
    params = converse({"model": model, "input": "Hi", "max_output_tokens": 2048, "reasoning": {"effort": effort}})
    assert params["additionalModelRequestFields"] == fields
    assert "additionalModelRequestFields" not in converse(
        {"model": model, "input": "Hi", "reasoning": {"effort": "none"}}
    )


def test_images_files_and_reasoning_items_map_to_converse_blocks() -> None:
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    pdf_url = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4").decode()
    items = [
        {
            "role": "user",
            "content": [
                {"type": "input_image", "image_url": data_url, "detail": "auto"},
                {"type": "input_file", "file_data": pdf_url, "filename": "report.pdf"},
                {"type": "input_text", "text": "Summarize"},
            ],
        },
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [],
            "content": [{"type": "reasoning_text", "text": "thinking"}],
            "encrypted_content": "sig",
        },
        {
            "type": "reasoning",
            "id": "rs_2",
            "summary": [],
            "encrypted_content": "redacted:" + base64.b64encode(b"x").decode(),
        },
        {"type": "reasoning", "id": "rs_3", "summary": []},
        {"role": "assistant", "content": [{"type": "output_text", "text": "Done.", "annotations": []}]},
        {"role": "user", "content": "Thanks"},
    ]
    user, assistant, last = converse({"input": items})["messages"]
    assert user["content"] == [
        {"image": {"format": "png", "source": {"bytes": PNG}}},
        {"document": {"format": "pdf", "name": "report pdf", "source": {"bytes": b"%PDF-1.4"}}},
        {"text": "Summarize"},
    ]
    assert assistant["content"] == [
        {"reasoningContent": {"reasoningText": {"text": "thinking", "signature": "sig"}}},
        {"reasoningContent": {"redactedContent": b"x"}},
        {"text": "Done."},
    ]
    assert last == {"role": "user", "content": [{"text": "Thanks"}]}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"store": True}, "store"),
        ({"previous_response_id": "resp_1"}, "previous_response_id"),
        ({"background": True}, "background"),
    ],
)
def test_state_is_refused_with_a_clear_400(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_responses_request({"input": "Hi", **fields}, ALL)
    assert caught.value.field == field
    assert "keeps no state" in caught.value.message


def test_stateless_values_of_the_state_fields_are_accepted() -> None:
    body = {"input": "Hi", "store": False, "previous_response_id": None, "background": False, "include": []}
    assert parse_responses_request(body, ALL).chat.messages[0].content == ({"text": "Hi"},)


def test_reasoning_without_an_output_limit_gets_the_cap() -> None:
    params = converse({"input": "Hi", "reasoning": {"effort": "medium"}})
    assert params["inferenceConfig"]["maxTokens"] == ALL.max_tokens_cap
    budget = min(4096, ALL.max_tokens_cap - 1)  # medium's fixed budget, below the limit
    assert params["additionalModelRequestFields"] == {"thinking": {"type": "enabled", "budget_tokens": budget}}
    assert converse({"input": "Hi"})["inferenceConfig"]["maxTokens"] == ALL.default_max_tokens


def test_blank_assistant_text_is_dropped_blank_user_text_refused() -> None:
    items = [
        {"role": "user", "content": "Hi"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "", "annotations": []}]},
        {"type": "function_call", "call_id": "c", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": "sunny"},
    ]
    assistant = converse({"input": items, "tools": [TOOL]})["messages"][1]
    assert assistant["content"] == [{"toolUse": {"toolUseId": "c", "name": "get_weather", "input": {}}}]
    with pytest.raises(InvalidRequestError) as caught:
        parse_responses_request({"input": [{"role": "user", "content": [{"type": "input_text", "text": " "}]}]}, ALL)
    assert caught.value.field == "input[0].content[0]"


def test_an_empty_text_delta_opens_no_message() -> None:
    events: list[BedrockEvent] = [TextDelta(""), ToolUseStart(1, "t", "get_weather"), ToolUseStop(1), Stop("tool_use")]
    result = run(app(FakeSource(events=events)), json_event({"input": "Hi", "tools": [TOOL]}, path=PATH))
    assert [item["type"] for item in result.json()["output"]] == ["function_call"]


def test_reasoning_budget_must_fit_the_output_limit() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_responses_request({"input": "Hi", "max_output_tokens": 1024, "reasoning": {"effort": "low"}}, ALL)
    assert caught.value.field == "reasoning.effort"
    with pytest.raises(InvalidRequestError):
        parse_responses_request({"model": LLAMA, "input": "Hi", "reasoning": {"effort": "low"}}, ALL)


def test_unknown_model_is_403() -> None:
    with pytest.raises(ModelNotAllowedError):
        parse_responses_request({"model": "gpt-5", "input": "Hi"}, ALL)


# -- answers -----------------------------------------------------------------------------------------------------


def test_stream_text_events_in_order_and_sdk_shaped() -> None:
    source = FakeSource(
        events=[TextDelta("Hel"), TextDelta("lo"), Stop("end_turn"), Usage(input_tokens=3, output_tokens=2)]
    )
    body = {"input": "Hi", "stream": True, "instructions": "Be brief.", "tools": [TOOL], "metadata": {"k": "v"}}
    result = run(app(source), json_event(body, path=PATH))
    assert (result.status, result.headers["content-type"]) == (200, "text/event-stream; charset=utf-8")
    events = sse(result.body)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    final = strict_parse(rt.Response, events[-1]["response"])
    assert final.id == events[0]["response"]["id"] == "resp_req-123"
    assert (final.status, final.output_text, final.model, final.instructions) == (
        "completed",
        "Hello",
        CLAUDE,
        "Be brief.",
    )
    assert final.metadata == {"k": "v"}
    assert [t.name for t in final.tools] == ["get_weather"]
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.total_tokens) == (3, 2, 5)


def test_stream_tool_call_events_and_usage_details() -> None:
    result = run(
        app(FakeSource(events=tool_events())), json_event({"input": "Hi", "stream": True, "tools": [TOOL]}, path=PATH)
    )
    events = sse(result.body)
    kinds = [e["type"] for e in events]
    assert kinds[kinds.index("response.output_item.done") + 1 :] == RESPONSES_FUNCTION_CALL_TAIL
    assert events[-3]["arguments"] == '{"city":"Paris"}'
    final = strict_parse(rt.Response, events[-1]["response"])
    text, call = final.output
    assert text.type == "message"
    assert (call.type, call.call_id, call.name, call.arguments) == (
        "function_call",
        "tooluse_1",
        "get_weather",
        '{"city":"Paris"}',
    )
    assert [e["output_index"] for e in events if e["type"] == "response.output_item.added"] == [0, 1]
    usage = final.usage
    assert usage is not None
    assert (
        usage.input_tokens,
        usage.input_tokens_details.cached_tokens,
        usage.output_tokens_details.reasoning_tokens,
    ) == (15, 3, 0)
    assert usage.input_tokens_details.cache_write_tokens == 2


def test_stream_reasoning_then_text() -> None:
    events: list[BedrockEvent] = [
        ReasoningDelta(text="Think"),
        ReasoningDelta(signature="sig"),
        TextDelta("Answer", 1),
        Stop("end_turn"),
    ]
    result = run(app(FakeSource(events=events)), json_event({"input": "Hi", "stream": True}, path=PATH))
    sent = sse(result.body)
    assert "response.reasoning_text.delta" in [e["type"] for e in sent]
    final = strict_parse(rt.Response, sent[-1]["response"])
    reasoning, answer = final.output
    assert answer.type == "message"
    assert reasoning.type == "reasoning"
    assert (reasoning.content[0].text, reasoning.encrypted_content) == ("Think", "sig")
    assert final.output_text == "Answer"


def test_max_tokens_ends_incomplete() -> None:
    events: list[BedrockEvent] = [TextDelta("cut"), Stop("max_tokens")]
    result = run(app(FakeSource(events=events)), json_event({"input": "Hi", "stream": True}, path=PATH))
    sent = sse(result.body)
    assert sent[-1]["type"] == "response.incomplete"
    final = strict_parse(rt.Response, sent[-1]["response"])
    assert (final.status, final.incomplete_details.reason, final.output[0].status) == (
        "incomplete",
        "max_output_tokens",
        "incomplete",
    )


def test_mid_stream_failure_ends_with_error_and_response_failed() -> None:
    failure = MidStreamError("the model stream broke", code="modelStreamErrorException")
    source = FakeSource(events=[TextDelta("part")], fail_with=failure)
    result = run(app(source), json_event({"input": "Hi", "stream": True}, path=PATH))
    assert result.error is failure
    sent = sse(result.body)
    assert [e["type"] for e in sent[-2:]] == ["error", "response.failed"]
    assert (sent[-2]["code"], sent[-2]["message"]) == ("modelStreamErrorException", "the model stream broke")
    failed = strict_parse(rt.Response, sent[-1]["response"])
    assert (failed.status, failed.error.code) == ("failed", "server_error")


def test_non_streaming_returns_the_response_object() -> None:
    result = run(app(FakeSource(events=tool_events())), json_event({"input": "Hi", "tools": [TOOL]}, path=PATH))
    assert (result.status, result.headers["content-type"]) == (200, "application/json")
    response = strict_parse(rt.Response, result.json())
    assert response.output_text == "Let me check."
    assert [item.type for item in response.output] == ["message", "function_call"]
    assert response.status == "completed"


def test_errors_have_openais_shape() -> None:
    h = app()
    bad = run(h, json_event({"input": "Hi", "store": True}, path=PATH)).json()
    assert bad == {
        "error": {
            "message": "store: true is not supported: this endpoint keeps no state (send store: false, or omit it)",
            "type": "invalid_request_error",
            "param": "store",
            "code": "invalid_request",
        }
    }
    denied = run(h, json_event({"model": "gpt-5", "input": "Hi"}, path=PATH))
    assert (denied.status, denied.json()["error"]["type"], denied.json()["error"]["code"]) == (
        403,
        "permission_error",
        "model_not_allowed",
    )
    throttled = UpstreamError(
        "slow down", code="ThrottlingException", status_code=429, error_type="throttled", retry_after=3
    )
    limited = run(app(FakeSource(refuse_with=throttled)), json_event({"input": "Hi", "stream": True}, path=PATH))
    assert (limited.status, limited.headers["retry-after"]) == (429, "3")
    assert limited.json()["error"] == {
        "message": "slow down",
        "type": "rate_limit_error",
        "param": None,
        "code": "ThrottlingException",
    }
    assert h.source.calls == []


def test_a_codex_shaped_turn_is_accepted() -> None:
    """The fields Codex CLI sends with ``wire_api = "responses"`` (its ``ResponsesApiRequest``, openai/codex), a
    shell function tool, and the previous turn's items sent back whole (``store: false``)."""
    shell = {
        "type": "function",
        "name": "shell",
        "description": "Runs a shell command",
        "strict": False,
        "parameters": {"type": "object", "properties": {"command": {"type": "array", "items": {"type": "string"}}}},
    }
    body = {
        "model": CLAUDE,
        "instructions": "You are a coding agent.",
        "input": [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "List the files"}]},
            {"type": "function_call", "name": "shell", "arguments": '{"command":["ls"]}', "call_id": "call_1"},
            {"type": "function_call_output", "call_id": "call_1", "output": "README.md\n"},
        ],
        "tools": [shell],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "reasoning": None,
        "store": False,
        "stream": True,
        "include": [],
        "prompt_cache_key": "0199-session",
        "text": {"verbosity": "medium"},
    }
    parsed = parse_responses_request(body, ALL)
    assert parsed.stream
    assert [m.role for m in parsed.chat.messages] == ["user", "assistant", "user"]
    assert parsed.echo["parallel_tool_calls"] is False
    assert parsed.echo["tools"][0]["strict"] is False


def test_parallel_calls_and_their_outputs_become_one_turn_each() -> None:
    items = [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {"type": "function_call", "call_id": "a", "name": "get_weather", "arguments": '{"city":"Paris"}'},
        {"type": "function_call", "call_id": "b", "name": "get_weather", "arguments": '{"city":"Rome"}'},
        {"type": "function_call_output", "call_id": "a", "output": "sunny"},
        {"type": "function_call_output", "call_id": "b", "output": [{"type": "input_text", "text": "rain"}]},
    ]
    _, calls, results = converse({"input": items, "tools": [TOOL]})["messages"]
    assert [block["toolUse"]["toolUseId"] for block in calls["content"]] == ["a", "b"]
    assert [block["toolResult"] for block in results["content"]] == [
        {"toolUseId": "a", "content": [{"text": "sunny"}]},
        {"toolUseId": "b", "content": [{"text": "rain"}]},
    ]


def test_two_tool_calls_stream_as_two_function_call_items() -> None:
    events: list[BedrockEvent] = [
        ToolUseStart(0, "a", "get_weather"),
        ToolUseDelta(0, '{"city":"Paris"}'),
        ToolUseStop(0),
        ToolUseStart(1, "b", "get_weather"),
        ToolUseDelta(1, '{"city":"Rome"}'),
        ToolUseStop(1),
        Stop("tool_use"),
    ]
    result = run(
        app(FakeSource(events=events)), json_event({"input": "Hi", "stream": True, "tools": [TOOL]}, path=PATH)
    )
    sent = sse(result.body)
    final = strict_parse(rt.Response, sent[-1]["response"])
    assert [(item.call_id, item.arguments) for item in final.output] == [
        ("a", '{"city":"Paris"}'),
        ("b", '{"city":"Rome"}'),
    ]
    assert len({item.id for item in final.output}) == 2
