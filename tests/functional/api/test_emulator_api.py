"""Every route and format through the local Function URL, the runtime and real boto3 to the fake Bedrock."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from emulator.fake_bedrock import ExceptionAfter, FakeBedrock, HttpError, stub_text
from emulator.local import LocalLambda
from tests.functional.api.conftest import stub_lambda
from tests.unit.api.bad_inputs import BAD_INPUTS, MAX_BODY_BYTES, encode_body
from tests.unit.api.support import MODEL, OTHER

PROMPT = "Tell me about streaming: naïve café 🌍 中文"
EXPECTED = stub_text(PROMPT)
TIMEOUT = httpx.Timeout(20.0)


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    settings = {"BEDROCK_STREAM_MAX_TOKENS_CAP": "2048", "BEDROCK_STREAM_MAX_BODY_BYTES": str(MAX_BODY_BYTES)}
    with stub_lambda(**settings) as lam:
        yield lam


@pytest.fixture
def http(local: LocalLambda, fake: FakeBedrock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local.url, timeout=TIMEOUT) as client:
        yield client


def events_of(body: str) -> list[dict[str, Any]]:
    return [json.loads(f.split("\n")[1][len("data: ") :]) for f in body.split("\n\n") if f]


@pytest.mark.parametrize("fmt", ["text", "sse", "ndjson", "json"])
def test_native_route_every_format_is_byte_exact(http: httpx.Client, fmt: str) -> None:
    response = http.post(f"/?format={fmt}", json={"prompt": PROMPT})
    assert response.status_code == 200, response.text
    # One id end to end, as on AWS: the Function URL's x-amzn-RequestId is the function's context.aws_request_id.
    assert response.headers["x-request-id"] == response.headers["x-amzn-requestid"]
    if fmt == "text":
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.content == EXPECTED.encode()
        return
    if fmt == "json":
        assert response.json()["text"] == EXPECTED
        return
    events = events_of(response.text) if fmt == "sse" else [json.loads(x) for x in response.text.splitlines()]
    assert "".join(e["text"] for e in events if e["type"] == "text") == EXPECTED
    assert events[-1]["type"] == "done"
    assert events[-1]["usage"]["output_tokens"] > 0


def test_accept_header_negotiates_sse(http: httpx.Client) -> None:
    response = http.post("/", json={"prompt": PROMPT}, headers={"accept": "text/event-stream"})
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["x-accel-buffering"] == "no"


def test_invoke_route_and_models(http: httpx.Client) -> None:
    native = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 300,
        "messages": [{"role": "user", "content": PROMPT}],
    }
    response = http.post(f"/model/{MODEL}/invoke", json=native)
    assert (response.status_code, response.text) == (200, EXPECTED)
    assert http.get("/models").json() == {"default_model": MODEL, "models": [MODEL, OTHER]}


def test_first_delta_arrives_while_the_model_is_still_generating(http: httpx.Client, fake: FakeBedrock) -> None:
    fake.token_delay_ms = 60
    arrivals: list[tuple[float, bytes]] = []
    with http.stream("POST", "/", json={"prompt": PROMPT}) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            arrivals.append((time.monotonic(), chunk))
    body = b"".join(c for _, c in arrivals)
    assert body == EXPECTED.encode()
    first, last = arrivals[0][0], arrivals[-1][0]
    assert len(arrivals) > 5
    # the stub sends its many deltas 60 ms apart: the first one reached us long before the last was generated
    assert last - first > 0.5


def test_openai_sdk_streams_and_completes(local: LocalLambda, fake: FakeBedrock) -> None:
    fake.token_delay_ms = 20
    client = openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": PROMPT}],
        stream=True,
        stream_options={"include_usage": True},
    )
    deltas: list[str] = []
    usage = None
    finish = None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                deltas.append(choice.delta.content)
            finish = choice.finish_reason or finish
    assert len(deltas) > 3
    assert "".join(deltas) == EXPECTED
    assert finish == "stop"
    assert usage is not None
    assert usage.completion_tokens > 0
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": PROMPT}])
    assert completion.choices[0].message.content == EXPECTED
    assert completion.object == "chat.completion"


def test_openai_sdk_sees_pre_stream_errors(local: LocalLambda) -> None:
    client = openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="not-allowed", messages=[{"role": "user", "content": "x"}], stream=True)


def test_pre_stream_throttling_is_429(http: httpx.Client, fake: FakeBedrock) -> None:
    fake.inject(HttpError("ThrottlingException"), times=None)  # boto3 retries: fail every attempt
    response = http.post("/?format=sse", json={"prompt": PROMPT})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["error"]["code"] == "ThrottlingException"


@pytest.mark.parametrize("path", ["/?format=text", "/?format=json"])
def test_throttling_as_the_first_stream_event_is_429_through_the_url(
    http: httpx.Client, fake: FakeBedrock, path: str
) -> None:
    fake.inject(ExceptionAfter(after=0, exception_type="throttlingException"), times=None)
    response = http.post(path, json={"prompt": PROMPT})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["error"]["code"] == "ThrottlingException"


def test_pre_stream_access_denied_is_403(http: httpx.Client, fake: FakeBedrock) -> None:
    fake.inject(HttpError("AccessDeniedException"), times=None)
    response = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "AccessDeniedException"


@pytest.mark.parametrize(
    ("path", "marker", "done"),
    [
        ("/?format=text", b"\n[error] stream_error: ", None),
        ("/?format=sse", b"event: error\n", b"event: done"),
        ("/?format=ndjson", b'{"type":"error"', b'{"type":"done"'),
        ("/v1/chat/completions", b'data: {"error":', b"[DONE]"),
    ],
)
def test_mid_stream_failure_is_in_band_and_truncated(
    http: httpx.Client, fake: FakeBedrock, path: str, marker: bytes, done: bytes | None
) -> None:
    fake.inject(ExceptionAfter(after=4, exception_type="modelStreamErrorException"), times=None)
    body: dict[str, Any] = {"prompt": PROMPT}
    if path.startswith("/v1"):
        body = {"messages": [{"role": "user", "content": PROMPT}], "stream": True}
    received = bytearray()
    with http.stream("POST", path, json=body) as response:
        assert response.status_code == 200
        try:
            for chunk in response.iter_raw():
                received += chunk
        except httpx.HTTPError:
            pass  # the local URL may end the body abnormally after the error trailers; the bytes are what count
    assert marker in received
    if done is not None:
        assert done not in received


@pytest.mark.parametrize(
    ("name", "method", "path", "headers", "body", "status", "error_type"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_inputs_through_the_url(
    http: httpx.Client,
    fake: FakeBedrock,
    name: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any,
    status: int,
    error_type: str,
) -> None:
    fake.clear_requests()
    raw = encode_body(body)
    response = http.request(method, path, content=raw, headers=headers)
    assert (response.status_code, response.json()["error"]["type"]) == (status, error_type), response.text
    assert fake.requests == []


def test_good_request_after_the_bad_ones_on_the_same_process(http: httpx.Client, local: LocalLambda) -> None:
    pids = local.pids
    response = http.post("/", json={"prompt": PROMPT})
    assert (response.status_code, response.text) == (200, EXPECTED)
    assert local.pids == pids
