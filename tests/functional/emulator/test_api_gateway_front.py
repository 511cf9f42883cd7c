"""The local API Gateway front (emulator/api_gateway.py): REST proxy events, x-api-key, streaming and its limits.

Behaviour per the API Gateway developer guide: response-transfer-mode.html (idle timeout, integration timeout, the
first 10 MB uncapped then 2 MB/s), response-transfer-mode-lambda.html (the prelude), api-gateway-api-usage-plans.html
(x-api-key, 403 Forbidden). Every limit is shrunk here; the bandwidth cap runs on a virtual clock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import openai
import pytest

from emulator import BedrockOptions, LocalLambda
from emulator.api_gateway import IDLE_TIMEOUT, INTEGRATION_TIMEOUT, ApiGatewayOptions, StreamLimits, api_key_id
from tests.functional.emulator.conftest import python_lambda
from tests.functional.emulator.test_python_runtime import _lines
from tests.unit.api.support import MODEL

KEY = "local-test-key-0123456789"
HEADERS = {"x-api-key": KEY}
TIMEOUT = httpx.Timeout(20.0)


def gateway(limits: StreamLimits | None = None, **kwargs: object) -> LocalLambda:
    options = ApiGatewayOptions(api_keys=(KEY,), limits=limits or StreamLimits(integration_timeout_s=600))
    return python_lambda(api_gateway=options, **kwargs)


@pytest.fixture(scope="module")
def front() -> Iterator[LocalLambda]:
    with gateway(concurrency=2) as emulator:
        yield emulator


def read(client: httpx.Client, url: str) -> tuple[int, bytes, Exception | None]:
    """Status, the body bytes received, and the error that ended the body early (None if it ended cleanly)."""
    received = b""
    with client.stream("GET", url, headers=HEADERS) as response:
        try:
            for chunk in response.iter_raw():
                received += chunk
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            return response.status_code, received, exc
        return response.status_code, received, None


def test_streams_every_byte_in_order(front: LocalLambda) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        status, body, error = read(client, f"{front.api_gateway_url}/?lines=200&size=300&delay_ms=0")
    assert (status, error) == (200, None)
    assert body == _lines(200, 300)


def test_the_first_line_arrives_while_the_handler_is_still_producing() -> None:
    """One line, then the handler sleeps far past any wait here: the line can only arrive by streaming."""
    with (
        gateway(concurrency=1, timeout=600.0) as emulator,
        httpx.stream(
            "GET", f"{emulator.api_gateway_url}/?mode=sleep_mid&after=1&seconds=600&delay_ms=0", headers=HEADERS
        ) as response,
    ):
        assert response.status_code == 200
        assert next(response.iter_raw()) == b"line 0\n"


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "not-a-key"}])
def test_a_missing_or_unknown_key_is_403_forbidden(front: LocalLambda, headers: dict[str, str]) -> None:
    before = len(front.log_lines("function"))
    response = httpx.post(f"{front.api_gateway_url}/?mode=event", content=b"{}", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}
    assert response.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert len(front.log_lines("function")) == before  # the function never ran


def test_a_method_the_api_does_not_define_is_403_missing_authentication_token(front: LocalLambda) -> None:
    response = httpx.put(f"{front.api_gateway_url}/?mode=event", content=b"{}", headers=HEADERS, timeout=TIMEOUT)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_the_integration_timeout_cuts_a_stream_after_its_first_byte() -> None:
    limits = StreamLimits(integration_timeout_s=0.5)
    with gateway(limits, concurrency=1, timeout=600.0) as emulator, httpx.Client(timeout=TIMEOUT) as client:
        status, body, error = read(client, f"{emulator.api_gateway_url}/?mode=sleep_mid&after=1&seconds=600&delay_ms=0")
        assert (status, body) == (200, b"line 0\n")
        assert isinstance(error, httpx.RemoteProtocolError)
        assert any(INTEGRATION_TIMEOUT in line.text for line in emulator.log_lines("emulator"))


def test_the_function_gets_a_rest_proxy_event_with_the_key_id(front: LocalLambda) -> None:
    url = f"{front.api_gateway_url}/v1/things?mode=event&tag=a&tag=b"
    response = httpx.post(url, content=b'{"x": 1}', headers={**HEADERS, "Content-Type": "application/json"})
    assert response.status_code == 200
    event = response.json()
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/{proxy+}", "/v1/things", "POST")
    assert event["pathParameters"] == {"proxy": "v1/things"}
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
    assert event["queryStringParameters"]["tag"] == "b"
    assert (event["body"], event["isBase64Encoded"]) == ('{"x": 1}', False)
    context = event["requestContext"]
    assert (context["stage"], context["path"], context["resourcePath"]) == ("prod", "/prod/v1/things", "/{proxy+}")
    assert context["identity"]["apiKeyId"] == api_key_id(KEY)
    assert context["requestId"] == response.headers["x-amzn-RequestId"]


def test_a_stream_idle_for_the_idle_timeout_is_cut() -> None:
    limits = StreamLimits(idle_timeout_s=0.5, integration_timeout_s=600)
    with gateway(limits, concurrency=1, timeout=600.0) as emulator, httpx.Client(timeout=TIMEOUT) as client:
        status, body, error = read(client, f"{emulator.api_gateway_url}/?mode=sleep_mid&after=1&seconds=600&delay_ms=0")
        assert (status, body) == (200, b"line 0\n")
        assert isinstance(error, httpx.RemoteProtocolError)  # the body ends without its last chunk
        assert any(IDLE_TIMEOUT in line.text for line in emulator.log_lines("emulator"))


def test_the_integration_timeout_before_the_first_byte_is_504() -> None:
    limits = StreamLimits(integration_timeout_s=0.5)
    with gateway(limits, concurrency=1, timeout=600.0) as emulator:
        response = httpx.get(f"{emulator.api_gateway_url}/?mode=sleep&seconds=600", headers=HEADERS, timeout=TIMEOUT)
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}


def test_a_prelude_beyond_the_window_is_502() -> None:
    limits = StreamLimits(integration_timeout_s=600, prelude_window=64)
    with gateway(limits, concurrency=1) as emulator:
        response = httpx.get(
            f"{emulator.api_gateway_url}/?lines=1&header=x-long:{'y' * 100}", headers=HEADERS, timeout=TIMEOUT
        )
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


class VirtualClock:
    """A clock that only moves when slept on; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def test_bandwidth_beyond_the_uncapped_bytes_is_paced_to_the_rate() -> None:
    """1000 bytes free, then 1000 B/s: 3000 body bytes take 2 virtual seconds of pacing, and arrive intact."""
    virtual = VirtualClock()
    limits = StreamLimits(integration_timeout_s=600, uncapped_bytes=1000, bytes_per_second=1000)
    options = ApiGatewayOptions(api_keys=(KEY,), limits=limits, clock=virtual.clock, sleep=virtual.sleep)
    with python_lambda(api_gateway=options, concurrency=1) as emulator, httpx.Client(timeout=TIMEOUT) as client:
        status, body, error = read(client, f"{emulator.api_gateway_url}/?lines=30&size=100&delay_ms=0")
    assert (status, error, body) == (200, None, _lines(30, 100))
    assert sum(virtual.sleeps) == pytest.approx(2.0)
    assert len(virtual.sleeps) == 20  # nothing waited for the first 10 lines (1000 bytes)


def test_the_openai_sdk_streams_the_app_through_the_front_with_x_api_key() -> None:
    env = {"BEDROCK_STREAM_MODELS": MODEL, "BEDROCK_STREAM_DEFAULT_MODEL": MODEL}
    options = ApiGatewayOptions(api_keys=(KEY,), limits=StreamLimits(integration_timeout_s=60))
    with LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"), api_gateway=options) as local:
        local.fake_bedrock.token_delay_ms = 5
        messages = [{"role": "user", "content": "Tell me about API Gateway streaming."}]
        direct = openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)
        expected = direct.chat.completions.create(model=MODEL, messages=messages).choices[0].message.content
        client = openai.OpenAI(
            base_url=f"{local.api_gateway_url}/v1",
            api_key="unused",
            default_headers=HEADERS,
            timeout=20.0,
            max_retries=0,
        )
        stream = client.chat.completions.create(model=MODEL, messages=messages, stream=True)
        deltas = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
        assert len(deltas) > 3
        assert "".join(deltas) == expected
        assert local.logs.wait_for(f'"api_key_id":"{api_key_id(KEY)}"', 10.0, source_prefix="function")
        assert not any(KEY in line.text for line in local.log_lines("function"))
