"""AWS's own Node.js runtime interface client (npm aws-lambda-ric) streaming through the emulator via ``command=``."""

from __future__ import annotations

import time

import httpx

from emulator import LocalLambda
from tests.functional.emulator.test_python_runtime import read_streamed

TIMEOUT = httpx.Timeout(20.0)


def test_streamify_response_handler_streams_through_the_emulator(node: LocalLambda) -> None:
    arrivals: list[tuple[float, bytes]] = []
    with httpx.stream("GET", f"{node.url}/stream?lines=5&delay_ms=400", timeout=TIMEOUT) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            arrivals.append((time.monotonic(), chunk))
    assert b"".join(c for _, c in arrivals) == b"".join(f"line {i}\n".encode() for i in range(5))
    assert arrivals[0][1].startswith(b"line 0\n")
    assert arrivals[-1][0] - arrivals[0][0] >= 1.0  # the first write arrived while the handler was still writing


def test_prelude_status_headers_and_cookies(node: LocalLambda) -> None:
    response = httpx.get(f"{node.url}/stream?status=201&lines=2&delay_ms=0", timeout=TIMEOUT)
    assert response.status_code == 201
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-demo"] == "node"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; HttpOnly"]
    assert response.content == b"line 0\nline 1\n"


def test_error_mid_stream_ends_with_trailers_and_a_truncated_response(node: LocalLambda) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        status, received, error = read_streamed(client, f"{node.url}/fail-mid?lines=5&delay_ms=0")
    assert status == 200
    assert received == b"line 0\nline 1\n"
    assert isinstance(error, httpx.RemoteProtocolError)
    _wait_for_log(node, "stream ended with error Error:")
    assert '"errorMessage":"failed in the middle"' in node.logs.text()


def test_error_before_the_first_write_is_trailers_without_prelude_and_a_502(node: LocalLambda) -> None:
    response = httpx.get(f"{node.url}/fail-before", timeout=TIMEOUT)
    assert response.status_code == 502
    assert response.json() == {"Message": "Internal Server Error"}
    assert response.headers["x-amzn-errortype"] == "Error"
    _wait_for_log(node, "failed before its first byte")


def test_node_runtime_keeps_serving_after_errors(node: LocalLambda) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        for path in ("/fail-before", "/fail-mid?delay_ms=0", "/fail-before"):
            read_streamed(client, f"{node.url}{path}")
            assert client.get(f"{node.url}/stream?lines=1&delay_ms=0").content == b"line 0\n"


def _wait_for_log(emulator: LocalLambda, text: str) -> None:
    assert emulator.logs.wait_for(text, timeout=30), f"{text!r} not logged"  # the timeout is a hang guard
