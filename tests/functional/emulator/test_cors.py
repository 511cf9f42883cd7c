"""CORS on the local Function URL: the URL's own configuration, as Lambda applies it; the function adds none.

Follows https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors and the Lambda API's Cors type
(https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html); what AWS does not document is listed in
docs/lambda-streaming.md ("What the emulator assumes").
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator import BedrockOptions, LocalLambda
from emulator.cors import CorsConfig
from tests.functional.emulator.conftest import python_lambda

ORIGIN = "https://chat.example.com"
CORS = CorsConfig(
    allow_origins=(ORIGIN,),
    allow_methods=("GET", "POST"),
    allow_headers=("content-type", "authorization"),
    expose_headers=("x-request-id",),
    max_age=600,
    allow_credentials=True,
)


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.startswith("access-control-")}


@pytest.fixture(scope="module")
def with_cors() -> Iterator[LocalLambda]:
    with python_lambda(concurrency=1, cors=CORS) as emulator:
        yield emulator


def test_a_preflight_is_answered_by_the_url_without_invoking_the_function(with_cors: LocalLambda) -> None:
    pids = with_cors.pids
    # mode=exit would kill the function process if the preflight reached it
    response = httpx.options(
        f"{with_cors.url}/?mode=exit",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.content == b""
    assert cors_headers(response) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "content-type, authorization",
        "access-control-max-age": "600",
        "access-control-allow-credentials": "true",
    }
    assert response.headers["vary"] == "Origin"
    assert with_cors.pids == pids
    assert "Runtime.ExitError" not in with_cors.logs.text()


def test_a_preflight_from_another_origin_gets_no_cors_headers(with_cors: LocalLambda) -> None:
    response = httpx.options(
        f"{with_cors.url}/?mode=exit",
        headers={"Origin": "https://evil.example.net", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert cors_headers(response) == {}
    assert "Runtime.ExitError" not in with_cors.logs.text()


def test_a_streamed_response_gets_the_configured_headers(with_cors: LocalLambda) -> None:
    with httpx.stream("GET", f"{with_cors.url}/?lines=3&delay_ms=0", headers={"Origin": ORIGIN}) as response:
        body = response.read()
    assert body == b"line 0\nline 1\nline 2\n"
    assert cors_headers(response) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-expose-headers": "x-request-id",
        "access-control-allow-credentials": "true",
    }
    assert response.headers["transfer-encoding"] == "chunked"


def test_cors_headers_of_the_function_itself_come_out_twice(with_cors: LocalLambda) -> None:
    """The function's own access-control-* headers pass through next to the URL's: why the app sets none."""
    query = "lines=1&delay_ms=0&header=access-control-allow-origin:*"
    response = httpx.get(f"{with_cors.url}/?{query}", headers={"Origin": ORIGIN})
    assert sorted(response.headers.get_list("access-control-allow-origin")) == sorted(["*", ORIGIN])


def test_a_request_from_another_origin_or_without_one_gets_no_cors_headers(with_cors: LocalLambda) -> None:
    other = httpx.get(f"{with_cors.url}/?lines=1&delay_ms=0", headers={"Origin": "https://evil.example.net"})
    plain = httpx.get(f"{with_cors.url}/?lines=1&delay_ms=0")
    assert (other.content, plain.content) == (b"line 0\n", b"line 0\n")
    assert cors_headers(other) == cors_headers(plain) == {}


def test_a_function_error_still_carries_the_cors_headers(with_cors: LocalLambda) -> None:
    """Otherwise the browser would hide the 502 from the page as a CORS failure."""
    response = httpx.get(f"{with_cors.url}/?mode=raise", headers={"Origin": ORIGIN})
    assert response.status_code == 502
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_without_cors_an_options_request_reaches_the_function() -> None:
    with python_lambda(concurrency=1) as emulator:
        response = httpx.options(
            f"{emulator.url}/?lines=1&delay_ms=0",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
        )
    assert (response.status_code, response.content) == (200, b"line 0\n")
    assert cors_headers(response) == {}


def test_the_app_itself_never_emits_cors_headers() -> None:
    """With CORS off, nothing the app answers carries an access-control-* header: CORS belongs to the URL alone,
    so configuring it never produces duplicates."""
    origin = {"Origin": ORIGIN}
    with (
        LocalLambda(concurrency=1, timeout=30.0, bedrock=BedrockOptions()) as local,
        httpx.Client(base_url=local.url, headers=origin, timeout=30.0) as client,
    ):
        responses = [
            client.post("/", json={"prompt": "hi"}),
            client.post("/?format=sse", json={"prompt": "hi"}),
            client.post("/", json={"prompt": "hi", "stream": False}),
            client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]}),
            client.get("/models"),
            client.get("/v1/models"),
            client.post("/", json={"prompt": ""}),
            client.get("/no-such-route"),
            client.options("/", headers={"Access-Control-Request-Method": "POST"}),
        ]
    assert responses[0].status_code == 200
    assert any(response.status_code >= 400 for response in responses)
    for response in responses:
        assert cors_headers(response) == {}, (response.request.method, response.request.url, response.status_code)
