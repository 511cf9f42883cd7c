"""POST /v1/ui/chat (the AI SDK UI message stream): the UIMessage -> Converse mapping and the parts streamed back.

References: the AI SDK "Stream Protocols: UI message stream" (https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol),
the ``ai`` package's ``uiMessageChunkSchema`` and ``UIMessage`` parts; Bedrock Converse API reference
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html). The SDK's own parser
checks every part in tests/functional/api/test_ui_chat_sdk.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bedrock_stream.bedrock.converse_request import build_converse_params
from bedrock_stream.encoders.ui_message_stream import UiMessageStreamEncoder
from bedrock_stream.errors import InvalidRequestError, MidStreamError
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
from bedrock_stream.ui_chat_request import parse_ui_chat_request
from tests.unit.api.support import FakeSource, harness, json_event, run, settings

CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA = "amazon.nova-micro-v1:0"
ALL = settings(models=(CLAUDE, NOVA), default_model=CLAUDE)
PATH = "/v1/ui/chat"


def user(text: str) -> dict[str, Any]:
    return {"id": "u1", "role": "user", "parts": [{"type": "text", "text": text}]}


def body(*messages: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": "chat-1", "messages": list(messages), "trigger": "submit-message", "messageId": None, **fields}


def converse(data: dict[str, Any]) -> dict[str, Any]:
    return build_converse_params(parse_ui_chat_request(data, ALL).chat)


def parts(raw: bytes) -> list[Any]:
    """Every ``data:`` line's JSON (``[DONE]`` kept as the string); comments and blank lines skipped."""
    out: list[Any] = []
    for frame in raw.decode().split("\n\n"):
        if frame.startswith("data: "):
            data = frame.removeprefix("data: ")
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


def stream(events: list[BedrockEvent], data: dict[str, Any] | None = None) -> tuple[dict[str, str], list[Any]]:
    h = harness(FakeSource(events=events), models=ALL.models, default_model=CLAUDE)
    result = run(h, json_event(data or body(user("Hi")), path=PATH))
    assert result.status == 200
    return result.headers, parts(result.body)


def test_text_stream_parts_and_headers() -> None:
    headers, sent = stream(
        [TextDelta("Hel"), TextDelta("lo"), Stop("end_turn"), Usage(input_tokens=3, output_tokens=2)]
    )
    assert headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert headers["content-type"].startswith("text/event-stream")
    assert [p if isinstance(p, str) else p["type"] for p in sent] == [
        "start",
        "start-step",
        "text-start",
        "text-delta",
        "text-delta",
        "text-end",
        "finish-step",
        "finish",
        "[DONE]",
    ]
    ids = {p["id"] for p in sent[2:6]}
    assert len(ids) == 1
    assert "".join(p["delta"] for p in sent[3:5]) == "Hello"
    finish = sent[-2]
    assert finish["finishReason"] == "stop"
    assert finish["messageMetadata"]["usage"] == {
        "inputTokens": 3,
        "outputTokens": 2,
        "totalTokens": 5,
        "cachedInputTokens": 0,
    }


def test_reasoning_then_text_carries_the_signature() -> None:
    events: list[BedrockEvent] = [
        ReasoningDelta(text="Think"),
        ReasoningDelta(signature="sig"),
        TextDelta("Answer", 1),
        Stop("end_turn"),
    ]
    _, sent = stream(events)
    kinds = [p["type"] for p in sent[2:-3]]
    assert kinds == ["reasoning-start", "reasoning-delta", "reasoning-end", "text-start", "text-delta", "text-end"]
    assert sent[4]["providerMetadata"] == {"bedrock": {"signature": "sig"}}
    assert sent[2]["id"] != sent[5]["id"]


def test_tool_call_parts() -> None:
    events: list[BedrockEvent] = [
        ToolUseStart(0, "call-1", "get_weather"),
        ToolUseDelta(0, '{"city":'),
        ToolUseDelta(0, '"Paris"}'),
        ToolUseStop(0),
        Stop("tool_use"),
    ]
    _, sent = stream(events)
    assert sent[2] == {"type": "tool-input-start", "toolCallId": "call-1", "toolName": "get_weather"}
    assert sent[3] == {"type": "tool-input-delta", "toolCallId": "call-1", "inputTextDelta": '{"city":'}
    assert sent[5] == {
        "type": "tool-input-available",
        "toolCallId": "call-1",
        "toolName": "get_weather",
        "input": {"city": "Paris"},
    }
    assert sent[-2]["finishReason"] == "tool-calls"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("max_tokens", "length"), ("guardrail_intervened", "content-filter"), ("something_new", "other")],
)
def test_finish_reasons(reason: str, expected: str) -> None:
    _, sent = stream([TextDelta("x"), Stop(reason)])
    assert sent[-2]["finishReason"] == expected


def test_mid_stream_failure_ends_with_error_part_and_done() -> None:
    """The error part and [DONE] end the body normally (no error trailers, which would cut it short for a browser:
    tests/browser/test_chat_page.py); the failure is still recorded in the request log."""
    failure = MidStreamError("the model stream broke", code="modelStreamErrorException")
    h = harness(FakeSource(events=[TextDelta("part")], fail_with=failure), models=ALL.models, default_model=CLAUDE)
    result = run(h, json_event(body(user("Hi")), path=PATH))
    assert result.error is None
    logged = [json.loads(line) for line in h.log.getvalue().splitlines() if line.strip()]
    assert [line["error_type"] for line in logged if "error_type" in line] == [failure.error_type]
    sent = parts(result.body)
    assert sent[-1] == "[DONE]"
    assert sent[-2]["type"] == "error"
    assert "the model stream broke" in sent[-2]["errorText"]


def test_heartbeat_is_an_sse_comment() -> None:
    beat = UiMessageStreamEncoder("m", CLAUDE).heartbeat()
    assert beat == ": ping\n\n"  # a comment line: no data, so the SDK's event stream parser yields nothing


def test_user_text_and_system() -> None:
    system = {"role": "system", "parts": [{"type": "text", "text": "Be brief."}]}
    params = converse(body(system, user("Hi"), system="Top."))
    assert params["system"] == [{"text": "Top."}, {"text": "Be brief."}]
    assert params["messages"] == [{"role": "user", "content": [{"text": "Hi"}]}]


def test_assistant_steps_with_tool_outputs_become_turns() -> None:
    assistant = {
        "id": "a1",
        "role": "assistant",
        "parts": [
            {"type": "step-start"},
            {"type": "text", "text": "Let me look."},
            {
                "type": "tool-get_weather",
                "toolCallId": "c1",
                "state": "output-available",
                "input": {"city": "Paris"},
                "output": {"temp": 21},
            },
            {"type": "step-start"},
            {"type": "text", "text": "It is 21."},
        ],
    }
    params = converse(body(user("Weather?"), assistant, user("Thanks")))
    assert params["messages"] == [
        {"role": "user", "content": [{"text": "Weather?"}]},
        {
            "role": "assistant",
            "content": [
                {"text": "Let me look."},
                {"toolUse": {"toolUseId": "c1", "name": "get_weather", "input": {"city": "Paris"}}},
            ],
        },
        {"role": "user", "content": [{"toolResult": {"toolUseId": "c1", "content": [{"json": {"temp": 21}}]}}]},
        {"role": "assistant", "content": [{"text": "It is 21."}]},
        {"role": "user", "content": [{"text": "Thanks"}]},
    ]
    # the history names a tool the body does not declare: Converse needs it declared
    assert params["toolConfig"]["tools"][0]["toolSpec"]["name"] == "get_weather"


def test_tool_result_last_is_a_user_turn() -> None:
    """After the client runs a tool, useChat resends the assistant message with the output: that ends the turn."""
    assistant = {
        "role": "assistant",
        "parts": [
            {
                "type": "dynamic-tool",
                "toolName": "f",
                "toolCallId": "c1",
                "state": "output-error",
                "input": {},
                "errorText": "boom",
            }
        ],
    }
    params = converse(body(user("Go"), assistant))
    assert params["messages"][-1] == {
        "role": "user",
        "content": [{"toolResult": {"toolUseId": "c1", "content": [{"text": "boom"}], "status": "error"}}],
    }


def test_a_continuation_keeps_the_assistant_message_id() -> None:
    """useChat sends a tool's output back inside the assistant message; the answer must continue that message (same
    ``messageId``, as the AI SDK's ``toUIMessageStream`` with ``originalMessages``), or useChat shows it twice."""
    assistant = {
        "id": "asst-7",
        "role": "assistant",
        "parts": [
            {"type": "tool-f", "toolCallId": "c1", "state": "output-available", "input": {}, "output": "ok"},
        ],
    }
    _, continued = stream([TextDelta("Done"), Stop("end_turn")], body(user("Go"), assistant, tools={"f": {}}))
    assert continued[0] == {"type": "start", "messageId": "asst-7"}
    _, fresh = stream([TextDelta("Hi"), Stop("end_turn")])
    assert fresh[0]["messageId"].startswith("msg_")


def test_reasoning_part_replayed_only_with_signature() -> None:
    assistant = {
        "role": "assistant",
        "parts": [
            {"type": "reasoning", "text": "hmm", "providerMetadata": {"bedrock": {"signature": "sig"}}},
            {"type": "reasoning", "text": "unsigned"},
            {"type": "text", "text": "Hi"},
        ],
    }
    params = converse(body(user("a"), assistant, user("b")))
    assert params["messages"][1]["content"] == [
        {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "sig"}}},
        {"text": "Hi"},
    ]


def test_tools_choice_and_reasoning_fields() -> None:
    tools = {"get_weather": {"description": "Weather", "inputSchema": {"type": "object"}}}
    params = converse(
        body(user("Hi"), tools=tools, toolChoice={"type": "tool", "toolName": "get_weather"}, reasoningEffort="low")
    )
    assert params["toolConfig"] == {
        "tools": [
            {"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}, "description": "Weather"}}
        ],
        "toolChoice": {"tool": {"name": "get_weather"}},
    }
    assert params["additionalModelRequestFields"]["thinking"]["type"] == "enabled"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            body({"role": "user", "parts": [{"type": "file", "mediaType": "image/png", "url": "https://x/a.png"}]}),
            "messages[0].parts[0].type",
        ),
        (body({"role": "assistant", "parts": [{"type": "text", "text": "a"}]}), "messages"),
        (body(user("Hi"), toolChoice="required"), "toolChoice"),
        (body(user("Hi"), tools={"f": {}}, toolChoice={"type": "tool", "toolName": "g"}), "toolChoice"),
        (
            body(
                user("a"),
                {
                    "role": "assistant",
                    "parts": [{"type": "tool-f", "toolCallId": "c", "state": "output-available", "input": {}}],
                },
            ),
            "messages[1].parts[0].output",
        ),
    ],
)
def test_refused(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_ui_chat_request(data, ALL)
    assert caught.value.field == field


def test_redacted_reasoning_rides_on_reasoning_end() -> None:
    _, sent = stream([ReasoningDelta(redacted=b"\x00\x01"), TextDelta("Hi", 1), Stop("end_turn")])
    assert [p["type"] for p in sent[2:5]] == ["reasoning-start", "reasoning-end", "text-start"]
    assert sent[3]["providerMetadata"] == {"bedrock": {"redactedData": "AAE="}}


def test_tool_input_that_is_not_json_is_a_tool_input_error() -> None:
    events: list[BedrockEvent] = [
        ToolUseStart(0, "c1", "f"),
        ToolUseDelta(0, '{"a": '),
        ToolUseStop(0),
        Stop("tool_use"),
    ]
    _, sent = stream(events)
    [error] = [p for p in sent if isinstance(p, dict) and p["type"] == "tool-input-error"]
    assert (error["toolCallId"], error["toolName"], error["input"]) == ("c1", "f", '{"a": ')
    assert error["errorText"]


def test_a_tool_call_cut_short_is_completed_at_the_end() -> None:
    """A stream that stops without the tool's stop event still tells the SDK the call's input (empty input: {})."""
    _, sent = stream([ToolUseStart(0, "c1", "f"), Stop("tool_use")])
    assert sent[3] == {"type": "tool-input-available", "toolCallId": "c1", "toolName": "f", "input": {}}
    assert [p["type"] for p in sent[4:6]] == ["finish-step", "finish"]


def test_reasoning_effort_without_max_tokens_uses_the_cap() -> None:
    params = converse(body(user("Hi"), reasoningEffort="high"))
    assert params["inferenceConfig"]["maxTokens"] == ALL.max_tokens_cap
