"""The real app, real boto3 and the fake Bedrock's real event-stream wire format, without the emulator."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from bedrock_stream.errors import DeadlineError, MidStreamError
from emulator.fake_bedrock import ExceptionAfter, FakeBedrock, HttpError, StallAfter, stub_text
from tests.functional.api.conftest import READ_TIMEOUT_S
from tests.support.bedrock_scenarios import use_bedrock_endpoint
from tests.unit.api.support import MODEL, FakeContext, Harness, harness, json_event, run, url_event

PROMPT = "Stream this, please: naïve café 🌍"
EXPECTED = stub_text(PROMPT)


def sse_texts(body: bytes, kind: str = "text") -> list[str]:
    out = []
    for frame in body.decode().split("\n\n"):
        lines = frame.split("\n")
        if lines[0] == f"event: {kind}":
            out.append(json.loads(lines[1][len("data: ") :])["text"])
    return out


@pytest.mark.parametrize("fmt", ["text", "sse", "ndjson", "json"])
def test_every_format_reassembles_the_stub_text(app: Harness, fmt: str) -> None:
    result = run(app, json_event({"prompt": PROMPT}, query=f"format={fmt}"))
    assert (result.status, result.error) == (200, None)
    if fmt == "text":
        assert result.body.decode() == EXPECTED
        assert len(result.chunks) > 3
    elif fmt == "sse":
        assert "".join(sse_texts(result.body)) == EXPECTED
        assert result.body.decode().split("\n\n")[-2].startswith("event: done\n")
    elif fmt == "ndjson":
        lines = [json.loads(line) for line in result.body.splitlines()]
        assert "".join(x["text"] for x in lines if x["type"] == "text") == EXPECTED
        assert lines[-1]["type"] == "done"
        assert lines[-1]["usage"]["output_tokens"] > 0
    else:
        assert result.json()["text"] == EXPECTED


def test_openai_route_streams_and_completes(app: Harness) -> None:
    body = {
        "messages": [{"role": "user", "content": PROMPT}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    result = run(app, json_event(body, path="/v1/chat/completions"))
    frames = [f[len("data: ") :] for f in result.body.decode().split("\n\n") if f]
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(f) for f in frames[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == EXPECTED
    assert chunks[-1]["usage"]["completion_tokens"] > 0
    body["stream"] = False
    completion = run(app, json_event(body, path="/v1/chat/completions")).json()
    assert completion["choices"][0]["message"]["content"] == EXPECTED


def test_invoke_route_decodes_a_native_anthropic_stream(app: Harness) -> None:
    native = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": PROMPT}],
    }
    path = f"/model/{MODEL}/invoke"
    result = run(app, url_event(path=path, body=json.dumps(native)))
    assert (result.status, result.body.decode()) == (200, EXPECTED)


def test_pre_stream_throttling_is_429_with_retry_after(app: Harness, bedrock: FakeBedrock) -> None:
    bedrock.inject(HttpError("ThrottlingException"))
    result = run(app, json_event({"prompt": PROMPT}, query="format=sse"))
    assert result.status == 429
    assert int(result.headers["retry-after"]) >= 1
    assert result.json()["error"]["code"] == "ThrottlingException"


@pytest.mark.parametrize(
    ("fmt", "marker"), [("text", b"\n[error] "), ("sse", b"event: error\n"), ("ndjson", b'{"type":"error"')]
)
def test_mid_stream_exception_is_in_band_then_raised(
    app: Harness, bedrock: FakeBedrock, fmt: str, marker: bytes
) -> None:
    bedrock.inject(ExceptionAfter(after=4, exception_type="modelStreamErrorException"))
    result = run(app, json_event({"prompt": PROMPT}, query=f"format={fmt}"))
    assert result.status == 200
    assert marker in result.body
    assert isinstance(result.error, MidStreamError)
    assert b"done" not in result.body


def test_watchdog_unblocks_a_stalled_socket_read(app: Harness, bedrock: FakeBedrock) -> None:
    bedrock.inject(StallAfter(after=3, seconds=30))
    started = time.monotonic()
    result = run(app, json_event({"prompt": PROMPT}, query="format=ndjson"), FakeContext(remaining_ms=2500))
    elapsed = time.monotonic() - started
    last = json.loads(result.body.splitlines()[-1])
    assert last["error"]["type"] == "deadline_exceeded"
    assert isinstance(result.error, DeadlineError)
    assert elapsed < READ_TIMEOUT_S - 1  # the watchdog fires at ~1.5 s; without it the read times out at 5 s


@pytest.mark.parametrize(
    ("exception_type", "status"),
    [("throttlingException", 429), ("serviceUnavailableException", 503), ("validationException", 400)],
)
@pytest.mark.parametrize(("fmt", "after"), [("text", 0), ("text", 1), ("json", 0), ("json", 4)])
def test_in_stream_exception_before_the_first_byte_answers_like_the_pre_stream_case(
    app: Harness, bedrock: FakeBedrock, exception_type: str, status: int, fmt: str, after: int
) -> None:
    # ConverseStream sends messageStart before the first text: with after=1 nothing has been
    # sent in plain text yet, and a JSON answer sends nothing before the end at all.
    pre_stream_code = exception_type[0].upper() + exception_type[1:]
    message = "Too many requests, please wait before trying again."
    bedrock.inject(HttpError(pre_stream_code, message=message))
    expected = run(app, json_event({"prompt": PROMPT}, query=f"format={fmt}"))
    bedrock.inject(ExceptionAfter(after=after, exception_type=exception_type, message=message))
    result = run(app, json_event({"prompt": PROMPT}, query=f"format={fmt}"))
    assert (result.status, result.error) == (status, None)
    assert result.json() == expected.json()
    assert result.headers.get("retry-after") == expected.headers.get("retry-after")
    assert (result.headers.get("retry-after") is not None) is (status == 429)


def test_unreachable_bedrock_keeps_the_endpoint_out_of_the_answer_and_in_the_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeBedrock() as gone:
        url = gone.url  # closed on exit: nothing listens there any more
    use_bedrock_endpoint(url, monkeypatch)
    client = create_client(read_timeout=READ_TIMEOUT_S, connect_timeout=2, max_attempts=1)
    h = harness(source_override=BotoBedrockSource(client))
    result = run(h, json_event({"prompt": PROMPT}))
    error = result.json()["error"]
    assert (result.status, error["type"]) == (502, "upstream_unreachable")
    host = urlsplit(url).netloc
    assert host not in result.body.decode()
    assert "http" not in error["message"]
    (line,) = [json.loads(x) for x in h.log.getvalue().splitlines()]
    assert host in line["error_detail"]
