"""Routing, event shapes, format negotiation and the happy paths of every route."""

from __future__ import annotations

import json

import pytest

from bedrock_stream.chat import ChatMessage
from bedrock_stream.errors import InvalidRequestError, MidStreamError
from bedrock_stream.events import ReasoningDelta, Stop, TextDelta, ToolUseStart, ToolUseStop, Usage
from tests.unit.api.support import MODEL, OTHER, FakeContext, FakeSource, harness, json_event, run, url_event


def test_native_prompt_streams_plain_text_by_default() -> None:
    h = harness()
    result = run(h, json_event({"prompt": "Hi"}))
    assert result.status == 200
    assert result.body == b"Hello, world"
    assert result.chunks == [b"Hello", b", ", b"world"]
    assert result.error is None
    assert result.headers == {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
        "x-request-id": "req-123",
    }
    kind, request = h.source.calls[0]
    assert kind == "converse"
    assert request.model == MODEL
    assert request.messages == (ChatMessage("user", ({"text": "Hi"},)),)
    assert request.max_tokens == 1024


def test_text_answer_without_text_is_an_empty_body_with_content_length_zero() -> None:
    # A prelude followed by an empty chunked body can hang a Function URL
    # (docs/lambda-streaming.md, "HTTP integration prelude").
    events = [ReasoningDelta("thinking"), TextDelta(""), ToolUseStart(0, "t1", "f"), ToolUseStop(0), Stop("tool_use")]
    source = FakeSource(events=[*events, Usage(input_tokens=3, output_tokens=4)])
    h = harness(source)
    result = run(h, json_event({"prompt": "Hi"}))
    assert (result.status, result.body, result.error) == (200, b"", None)
    assert result.headers["content-length"] == "0"
    assert source.streams[0].closed.is_set()
    (line,) = [json.loads(x) for x in h.log.getvalue().splitlines()]
    assert (line["stop_reason"], line["output_tokens"]) == ("tool_use", 4)
    assert "ttft_ms" in line


def test_text_failure_before_any_text_is_a_real_status() -> None:
    source = FakeSource(
        events=[ReasoningDelta("hmm")], fail_with=MidStreamError("boom", code="modelStreamErrorException")
    )
    result = run(harness(source), json_event({"prompt": "Hi"}))
    assert result.status == MidStreamError.status_code
    assert result.json()["error"]["message"] == "boom"
    assert source.streams[0].closed.is_set()


def test_native_messages_and_options_reach_the_chat_request() -> None:
    h = harness()
    body = {
        "model": OTHER,
        "system": "Be brief.",
        "messages": [
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": [{"type": "text", "text": "b"}]},
            {"role": "user", "content": [{"text": "c"}, {"text": "d"}]},
        ],
        "max_tokens": 100,
        "temperature": 0.5,
        "top_p": 0.9,
        "stop": ["END"],
    }
    assert run(h, json_event(body)).status == 200
    request = h.source.calls[0][1]
    assert request.model == OTHER
    assert request.system == ("Be brief.",)
    assert [m.role for m in request.messages] == ["user", "assistant", "user"]
    assert request.messages[2].content == ({"text": "c"}, {"text": "d"})
    assert (request.max_tokens, request.temperature, request.top_p, request.stop) == (100, 0.5, 0.9, ("END",))


@pytest.mark.parametrize(
    ("accept", "query", "content_type"),
    [
        ("text/event-stream", "", "text/event-stream; charset=utf-8"),
        ("application/x-ndjson", "", "application/x-ndjson"),
        ("application/json", "", "application/json"),
        ("*/*", "", "text/plain; charset=utf-8"),
        ("text/plain;q=0.5, text/event-stream", "", "text/event-stream; charset=utf-8"),
        ("text/plain;q=0, text/event-stream;q=0.5, */*", "", "text/event-stream; charset=utf-8"),
        ("Text/Plain; charset=utf-8; q=0.9", "", "text/plain; charset=utf-8"),
        ("text/event-stream", "format=text", "text/plain; charset=utf-8"),
        ("", "format=ndjson", "application/x-ndjson"),
        ("", "format=sse", "text/event-stream; charset=utf-8"),
        ("", "format=json", "application/json"),
    ],
)
def test_format_negotiation(accept: str, query: str, content_type: str) -> None:
    headers = {"accept": accept} if accept else {}
    result = run(harness(), json_event({"prompt": "Hi"}, headers=headers, query=query))
    assert result.status == 200
    assert result.headers["content-type"] == content_type


def test_sse_sets_x_accel_buffering() -> None:
    result = run(harness(), json_event({"prompt": "Hi"}, query="format=sse"))
    assert result.headers["x-accel-buffering"] == "no"


def test_stream_false_returns_one_json_document() -> None:
    result = run(harness(), json_event({"prompt": "Hi", "stream": False}))
    assert result.status == 200
    assert result.json() == {
        "model": MODEL,
        "text": "Hello, world",
        "stop_reason": "end_turn",
        "usage": {
            "input_tokens": 7,
            "output_tokens": 3,
            "cache_read_input_tokens": 0,
            "cache_write_input_tokens": 0,
            "total_tokens": 10,
        },
    }


def test_base64_body_is_decoded() -> None:
    event = url_event(body=json.dumps({"prompt": "Hi ✓"}).encode(), base64_body=True)
    h = harness()
    assert run(h, event).status == 200
    assert h.source.calls[0][1].messages[0].content == ({"text": "Hi ✓"},)


def test_rest_api_v1_event() -> None:
    event = {
        "resource": "/{proxy+}",
        "path": "/",
        "httpMethod": "POST",
        "headers": {"Accept": "application/x-ndjson"},
        "multiValueHeaders": {"Accept": ["application/x-ndjson"]},
        "queryStringParameters": None,
        "requestContext": {"requestId": "x", "stage": "prod"},
        "body": json.dumps({"prompt": "Hi"}),
        "isBase64Encoded": False,
    }
    result = run(harness(), event)
    assert result.status == 200
    assert result.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in result.body.splitlines()]
    assert lines[0] == {"type": "text", "text": "Hello"}
    assert lines[-1]["type"] == "done"


def test_direct_invoke_payload_is_the_native_body_and_answers_ndjson() -> None:
    h = harness()
    result = run(h, {"prompt": "Hi"})
    assert result.status == 200
    assert result.headers["content-type"] == "application/x-ndjson"
    assert result.body.decode().splitlines()[-1] == (
        '{"type":"done","stop_reason":"end_turn","usage":{"input_tokens":7,"output_tokens":3,'
        '"cache_read_input_tokens":0,"cache_write_input_tokens":0,"total_tokens":10}}'
    )


def test_direct_invoke_bad_payload_yields_error_line_then_raises() -> None:
    h = harness()
    result = run(h, {"prompt": 5})
    assert json.loads(result.body)["type"] == "error"
    assert json.loads(result.body)["error"]["field"] == "prompt"
    assert isinstance(result.error, InvalidRequestError)
    assert h.source.calls == []


def test_models_route() -> None:
    result = run(harness(), url_event("GET", "/models"))
    assert result.status == 200
    assert result.json() == {"default_model": MODEL, "models": [MODEL, OTHER]}


def test_invoke_route_passes_the_native_body_as_is() -> None:
    h = harness()
    native = b'{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[]}'
    model_path = "/model/" + MODEL.replace(":", "%3A") + "/invoke"
    result = run(h, url_event(path=model_path, body=native, headers={"accept": "text/event-stream"}))
    assert result.status == 200
    assert h.source.calls == [("invoke", (MODEL, native))]
    assert result.body.startswith(b'event: text\ndata: {"type":"text","text":"Hello"}\n\n')


def test_invoke_route_applies_the_allowlist() -> None:
    h = harness()
    result = run(h, url_event(path="/model/meta.llama3-8b-instruct-v1:0/invoke", body="{}"))
    assert result.status == 403
    assert MODEL in result.json()["error"]["message"]
    assert h.source.calls == []


def test_method_not_allowed_has_allow_header() -> None:
    result = run(harness(), url_event("GET", "/v1/chat/completions"))
    assert result.status == 405
    assert result.headers["allow"] == "POST"
    error = result.json()["error"]  # the OpenAI route answers in OpenAI's error shape
    assert (error["type"], error["code"]) == ("invalid_request_error", "method_not_allowed")


def test_trailing_slash_is_tolerated() -> None:
    assert run(harness(), url_event("GET", "/models/")).status == 200


def test_request_id_header_comes_from_the_context() -> None:
    result = run(harness(), url_event("GET", "/nope"), FakeContext(request_id="abc"))
    assert result.status == 404
    assert result.headers["x-request-id"] == "abc"
