"""Each encoder, byte for byte, on success and on a mid-stream error."""

from __future__ import annotations

import json

from bedrock_stream.errors import MidStreamError, UpstreamError
from bedrock_stream.events import (
    BedrockEvent,
    Metrics,
    ReasoningDelta,
    Stop,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    ToolUseStop,
    Usage,
)
from tests.unit.api.support import FakeSource, harness, json_event, run

EVENTS: list[BedrockEvent] = [
    ReasoningDelta(text="think"),
    TextDelta("Hé"),
    TextDelta("llo 🌍"),
    ToolUseStart(index=2, tool_use_id="t1", name="get_weather"),
    ToolUseDelta(index=2, input='{"city":'),
    ToolUseDelta(index=2, input='"Paris"}'),
    ToolUseStop(index=2),
    Stop("tool_use"),
    Usage(input_tokens=3, output_tokens=4),
    Metrics(latency_ms=10),
]
BROKEN = MidStreamError("model stream broke", code="ModelStreamErrorException")


def body(fmt: str, *, fail: bool = False, stream: bool = True) -> tuple[bytes, BaseException | None, int]:
    source = FakeSource(events=EVENTS, fail_with=BROKEN if fail else None)
    result = run(harness(source), json_event({"prompt": "Hi", "stream": stream}, query=f"format={fmt}"))
    return result.body, result.error, result.status


def test_text_encoder_bytes() -> None:
    assert body("text") == ("Héllo 🌍".encode(), None, 200)


def test_text_encoder_error_line() -> None:
    data, error, _ = body("text", fail=True)
    assert data == "Héllo 🌍\n[error] stream_error: model stream broke\n".encode()
    assert error is BROKEN


def test_sse_encoder_bytes() -> None:
    data, error, _ = body("sse")
    assert error is None
    assert data.decode() == (
        'event: reasoning\ndata: {"type":"reasoning","text":"think"}\n\n'
        'event: text\ndata: {"type":"text","text":"Hé"}\n\n'
        'event: text\ndata: {"type":"text","text":"llo 🌍"}\n\n'
        'event: tool_use_start\ndata: {"type":"tool_use_start","index":2,"id":"t1","name":"get_weather"}\n\n'
        'event: tool_use_delta\ndata: {"type":"tool_use_delta","index":2,"input":"{\\"city\\":"}\n\n'
        'event: tool_use_delta\ndata: {"type":"tool_use_delta","index":2,"input":"\\"Paris\\"}"}\n\n'
        'event: tool_use_stop\ndata: {"type":"tool_use_stop","index":2}\n\n'
        'event: done\ndata: {"type":"done","stop_reason":"tool_use",'
        '"usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}\n\n'
    )


def test_sse_encoder_error_event() -> None:
    data, error, _ = body("sse", fail=True)
    assert data.decode().endswith(
        'event: error\ndata: {"type":"error","error":{"type":"stream_error","message":"model stream broke",'
        '"code":"ModelStreamErrorException"}}\n\n'
    )
    assert "event: done" not in data.decode()
    assert error is BROKEN


def test_ndjson_encoder_bytes() -> None:
    data, _, _ = body("ndjson")
    lines = data.decode().split("\n")
    assert lines[-1] == ""
    assert lines[1] == '{"type":"text","text":"Hé"}'
    assert (
        lines[-2]
        == '{"type":"done","stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}'
    )
    assert len(lines) == 9


def test_ndjson_encoder_error_line() -> None:
    data, error, _ = body("ndjson", fail=True)
    last = json.loads(data.decode().splitlines()[-1])
    assert last == {
        "type": "error",
        "error": {"type": "stream_error", "message": "model stream broke", "code": "ModelStreamErrorException"},
    }
    assert error is BROKEN


def test_json_document() -> None:
    data, error, status = body("json")
    assert (error, status) == (None, 200)
    assert json.loads(data) == {
        "model": "anthropic.claude-3-haiku-20240307-v1:0",
        "text": "Héllo 🌍",
        "reasoning": "think",
        "tool_calls": [{"id": "t1", "name": "get_weather", "input": '{"city":"Paris"}'}],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
    }


def test_json_document_mid_stream_failure_is_a_real_status() -> None:
    data, error, status = body("json", fail=True)
    assert status == 502
    assert json.loads(data)["error"]["code"] == "ModelStreamErrorException"
    assert error is None


def test_multibyte_deltas_are_never_split_or_altered() -> None:
    pieces = ["a", "é", "🌍", "中文", "\u0000", "\n\n", "data: x"]
    source = FakeSource(events=[TextDelta(p) for p in pieces] + [Stop("end_turn")])
    result = run(harness(source), json_event({"prompt": "Hi"}))
    assert result.body.decode() == "".join(pieces)
    sse = run(
        harness(FakeSource(events=[TextDelta(p) for p in pieces])), json_event({"prompt": "Hi"}, query="format=sse")
    )
    texts = [
        json.loads(line[6:])["text"]
        for line in sse.body.decode().splitlines()
        if line.startswith('data: {"type":"text"')
    ]
    assert texts == pieces


def test_upstream_error_before_stream_is_a_real_status_with_retry_after() -> None:
    throttled = UpstreamError(
        "slow down", code="ThrottlingException", status_code=429, error_type="throttled", retry_after=2
    )
    result = run(harness(FakeSource(refuse_with=throttled)), json_event({"prompt": "Hi"}, query="format=sse"))
    assert result.status == 429
    assert result.headers["retry-after"] == "2"
    assert result.headers["content-type"] == "application/json"
    assert result.json() == {
        "error": {"type": "throttled", "message": "slow down", "retry_after": 2, "code": "ThrottlingException"}
    }
