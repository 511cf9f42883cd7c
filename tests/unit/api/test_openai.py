"""The OpenAI-compatible route: request mapping, chunk sequence, non-streaming completion."""

from __future__ import annotations

import json
from typing import Any

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
from tests.unit.api.support import MODEL, FakeSource, harness, json_event, run

PATH = "/v1/chat/completions"


def chunks(data: bytes) -> list[Any]:
    frames = data.decode().split("\n\n")
    assert frames[-1] == ""
    out: list[Any] = []
    for frame in frames[:-1]:
        assert frame.startswith("data: ")
        payload = frame[len("data: ") :]
        out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def test_streaming_chunk_sequence_with_usage() -> None:
    body = {"messages": [{"role": "user", "content": "Hi"}], "stream": True, "stream_options": {"include_usage": True}}
    result = run(harness(), json_event(body, path=PATH))
    assert result.status == 200
    assert result.headers["content-type"] == "text/event-stream; charset=utf-8"
    seq = chunks(result.body)
    assert seq[-1] == "[DONE]"
    first = seq[0]
    assert first["object"] == "chat.completion.chunk"
    assert first["id"] == "chatcmpl-req-123"
    assert first["created"] == 1_700_000_000
    assert first["model"] == MODEL
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    contents = [c["choices"][0]["delta"]["content"] for c in seq[1:4]]
    assert contents == ["Hello", ", ", "world"]
    assert seq[4]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
    assert seq[5]["choices"] == []
    assert seq[5]["usage"] == {
        "prompt_tokens": 7,
        "completion_tokens": 3,
        "total_tokens": 10,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
    }
    assert all(c["usage"] is None for c in seq[:5])


def test_streaming_without_usage_has_no_usage_fields() -> None:
    result = run(harness(), json_event({"messages": [{"role": "user", "content": "Hi"}], "stream": True}, path=PATH))
    seq = chunks(result.body)
    assert len(seq) == 6
    assert all("usage" not in c for c in seq[:-1])


def test_reasoning_and_tool_calls_with_dense_index() -> None:
    events: list[BedrockEvent] = [
        ReasoningDelta(text="hmm"),
        ToolUseStart(index=1, tool_use_id="a", name="f"),
        ToolUseDelta(index=1, input="{}"),
        ToolUseStop(index=1),
        ToolUseStart(index=3, tool_use_id="b", name="g"),
        ToolUseDelta(index=3, input='{"x":1}'),
        ToolUseStop(index=3),
        Stop("tool_use"),
        Usage(1, 2),
    ]
    body = {
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
        "tools": [{"type": "function", "function": {"name": "f"}}, {"type": "function", "function": {"name": "g"}}],
    }
    h = harness(FakeSource(events=events))
    seq = chunks(run(h, json_event(body, path=PATH)).body)
    deltas = [c["choices"][0]["delta"] for c in seq[1:-2]]
    assert deltas == [
        {"reasoning_content": "hmm"},
        {"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": ""}}]},
        {"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]},
        {"tool_calls": [{"index": 1, "id": "b", "type": "function", "function": {"name": "g", "arguments": ""}}]},
        {"tool_calls": [{"index": 1, "function": {"arguments": '{"x":1}'}}]},
    ]
    assert seq[-2]["choices"][0]["finish_reason"] == "tool_calls"
    config = h.source.calls[0][1].tool_config
    assert config == {
        "tools": [
            {"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object", "properties": {}}}}},
            {"toolSpec": {"name": "g", "inputSchema": {"json": {"type": "object", "properties": {}}}}},
        ]
    }


def test_non_streaming_completion() -> None:
    body = {"model": MODEL, "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Hi"}]}
    h = harness(FakeSource(events=[TextDelta("Hi"), TextDelta("!"), Stop("max_tokens"), Usage(5, 2)]))
    result = run(h, json_event(body, path=PATH))
    assert result.status == 200
    assert result.json() == {
        "id": "chatcmpl-req-123",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi!"},
                "logprobs": None,
                "finish_reason": "length",
            }
        ],
        "usage": {
            "prompt_tokens": 5,
            "completion_tokens": 2,
            "total_tokens": 7,
            "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        },
    }
    assert h.source.calls[0][1].system == ("S",)


def test_request_mapping_roles_tools_and_limits() -> None:
    body = {
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "D"}]},
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "42"},
        ],
        "max_completion_tokens": 50,
        "stop": "X",
        "tools": [
            {"type": "function", "function": {"name": "f", "description": "F", "parameters": {"type": "object"}}}
        ],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "user": "ignored",
        "n": 1,
    }
    h = harness()
    assert run(h, json_event(body, path=PATH)).status == 200
    request = h.source.calls[0][1]
    assert request.system == ("D",)
    assert [m.role for m in request.messages] == ["user", "assistant", "user"]
    assert request.messages[1].content == ({"toolUse": {"toolUseId": "c1", "name": "f", "input": {"a": 1}}},)
    assert request.messages[2].content == ({"toolResult": {"toolUseId": "c1", "content": [{"text": "42"}]}},)
    assert request.max_tokens == 50
    assert request.stop == ("X",)
    assert request.tool_config["toolChoice"] == {"tool": {"name": "f"}}
    assert request.tool_config["tools"][0]["toolSpec"]["description"] == "F"


def test_mid_stream_error_is_an_error_chunk_without_done() -> None:
    from bedrock_stream.errors import MidStreamError

    h = harness(FakeSource(fail_with=MidStreamError("boom", code="InternalServerException")))
    result = run(h, json_event({"messages": [{"role": "user", "content": "Hi"}], "stream": True}, path=PATH))
    seq = chunks(result.body)
    assert seq[-1] == {
        "error": {"message": "boom", "type": "server_error", "param": None, "code": "InternalServerException"}
    }
    assert "[DONE]" not in seq
    assert isinstance(result.error, MidStreamError)


def _tool_parameters_nested(levels: int) -> dict[str, Any]:
    parameters: dict[str, Any] = {"type": "object"}
    for _ in range(levels - 1):
        parameters = {"x": parameters}
    tools = [{"type": "function", "function": {"name": "f", "parameters": parameters}}]
    return {"messages": [{"role": "user", "content": "Hi"}], "tools": tools}


def test_tool_parameters_may_nest_up_to_the_documented_limit() -> None:
    # The body is level 1, tools 2, the tool 3, function 4, parameters 5: parameters may hold 59 more levels.
    h = harness()
    assert run(h, json_event(_tool_parameters_nested(60), path=PATH)).status == 200
    result = run(h, json_event(_tool_parameters_nested(61), path=PATH))
    assert (result.status, len(h.source.calls)) == (400, 1)
    error = result.json()["error"]
    assert error["param"] == "tools[0].function.parameters" + ".x" * 60
    assert "deeper than 64 levels" in error["message"]
