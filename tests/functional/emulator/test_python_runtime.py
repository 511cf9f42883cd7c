"""The real Python runtime (functions/bootstrap -> streaming_runtime) behind the local Function URL, on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from emulator import LocalLambda
from tests.functional.emulator.conftest import python_lambda

TIMEOUT = httpx.Timeout(20.0)


def _lines(count: int, size: int = 0) -> bytes:
    out = []
    for index in range(count):
        text = f"line {index}"
        if size > len(text) + 1:
            text += " " + "x" * (size - len(text) - 2)
        out.append(text + "\n")
    return "".join(out).encode()


def read_streamed(client: httpx.Client, url: str) -> tuple[int, bytes, Exception | None]:
    """Status, the body bytes received, and the error that ended the body early (None if it ended cleanly)."""
    received = b""
    with client.stream("GET", url) as response:
        try:
            for chunk in response.iter_raw():
                received += chunk
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            return response.status_code, received, exc
        return response.status_code, received, None


def test_first_line_reaches_the_client_while_the_handler_is_still_producing() -> None:
    """The handler writes one line, then sleeps far past any wait here: the line can only arrive by streaming."""
    url_path = "/?mode=sleep_mid&after=1&seconds=600&delay_ms=0"
    with (
        python_lambda(concurrency=1, timeout=600.0) as emulator,
        httpx.stream("GET", f"{emulator.url}{url_path}", timeout=TIMEOUT) as response,
    ):
        assert response.status_code == 200
        assert next(response.iter_raw()) == b"line 0\n"


def test_status_headers_and_cookies_from_the_prelude(demo: LocalLambda) -> None:
    response = httpx.get(
        f"{demo.url}/?status=201&header=x-demo:yes,cache-control:no-cache&cookie=a%3D1%3B%20Path%3D%2F,b%3D2&lines=1",
        timeout=TIMEOUT,
    )
    assert response.status_code == 201
    assert response.headers["x-demo"] == "yes"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.content == b"line 0\n"


def test_exception_before_returning_is_a_502_function_error(demo: LocalLambda) -> None:
    response = httpx.get(f"{demo.url}/?mode=raise", timeout=TIMEOUT)
    assert response.status_code == 502
    assert response.json() == {"Message": "Internal Server Error"}
    assert response.headers["x-amzn-errortype"] == "Function.DemoError"
    assert "failed before returning" in demo.logs.text()


def test_exception_mid_body_truncates_the_client_response(demo: LocalLambda) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        status, received, error = read_streamed(client, f"{demo.url}/?mode=raise_mid&after=2&delay_ms=0")
    assert status == 200
    assert isinstance(error, httpx.RemoteProtocolError)
    assert received == _lines(2)
    # The front logs the error trailers before it cuts the connection: the line is there once the client sees the cut.
    platform = [line.text for line in demo.log_lines("emulator")]
    assert any("stream ended with error Function.DemoError" in t and "failed after 2 lines" in t for t in platform)


def test_the_loop_keeps_serving_after_every_error(demo: LocalLambda) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        for mode in ("raise", "raise_mid", "exit", "raise", "raise_mid", "exit"):
            if mode == "raise_mid":  # the error after the first bytes must cut the response, never end it cleanly
                with pytest.raises(httpx.RemoteProtocolError):
                    client.get(f"{demo.url}/?mode={mode}&delay_ms=0")
            else:
                assert client.get(f"{demo.url}/?mode={mode}&delay_ms=0").status_code == 502
            assert client.get(f"{demo.url}/?lines=3&delay_ms=0").content == _lines(3)


def test_a_timed_out_invocation_is_cut_and_the_next_one_succeeds() -> None:
    with python_lambda(timeout=1.0, concurrency=1) as emulator, httpx.Client(timeout=TIMEOUT) as client:
        first_pid = emulator.pids
        response = client.get(f"{emulator.url}/?mode=sleep&seconds=30")
        assert response.status_code == 504
        assert response.headers["x-amzn-errortype"] == "Sandbox.Timeout"
        assert client.get(f"{emulator.url}/?lines=2&delay_ms=0").content == _lines(2)
        status, received, error = read_streamed(client, f"{emulator.url}/?mode=sleep_mid&after=1&seconds=30&delay_ms=0")
        assert (status, received) == (200, _lines(1))
        assert isinstance(error, httpx.RemoteProtocolError)
        assert client.get(f"{emulator.url}/?lines=2&delay_ms=0").content == _lines(2)
        assert emulator.pids != first_pid
        assert "Task timed out after 1.00 seconds" in emulator.logs.text()


def test_200_sequential_streams_deliver_every_byte_in_order(demo: LocalLambda) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        for index in range(200):
            lines = 1 + index % 7
            response = client.get(f"{demo.url}/?lines={lines}&delay_ms=0&size={index % 50}")
            assert response.status_code == 200
            assert response.content == _lines(lines, index % 50)


def test_20_concurrent_streams_deliver_every_byte_in_order() -> None:
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def fetch(index: int, url: str) -> None:
        try:
            response = httpx.get(f"{url}/?lines=30&delay_ms=5&size={20 + index}", timeout=TIMEOUT)
            results[index] = response.content
        except BaseException as exc:  # reported below
            errors.append(exc)

    with python_lambda(concurrency=4) as emulator:
        threads = [threading.Thread(target=fetch, args=(i, emulator.url)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert results == {i: _lines(30, 20 + i) for i in range(20)}


def test_event_reaches_the_handler_as_a_payload_2_event(demo: LocalLambda) -> None:
    body = bytes(range(256))
    response = httpx.post(
        f"{demo.url}/some/path?mode=event&a=1&a=2",
        content=body,
        headers={"content-type": "application/octet-stream", "cookie": "c1=v1; c2=v2", "x-multi": "one"},
        timeout=TIMEOUT,
    )
    event = json.loads(response.content)
    assert event["rawPath"] == "/some/path"
    assert event["rawQueryString"] == "mode=event&a=1&a=2"
    assert event["queryStringParameters"] == {"mode": "event", "a": "1,2"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-multi"] == "one"
    assert event["isBase64Encoded"] is True
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"


def test_chunked_request_bodies_are_read(demo: LocalLambda) -> None:
    def parts() -> Iterator[bytes]:
        yield b'{"a": '
        yield b"1}"

    response = httpx.post(
        f"{demo.url}/?mode=event", content=parts(), headers={"content-type": "application/json"}, timeout=TIMEOUT
    )
    assert json.loads(response.content)["body"] == '{"a": 1}'


def test_finished_invocations_leave_no_timer_threads_behind() -> None:
    def live_timers() -> int:
        return sum(isinstance(thread, threading.Timer) for thread in threading.enumerate())

    before = live_timers()
    with python_lambda(timeout=60.0, concurrency=1) as emulator, httpx.Client(timeout=TIMEOUT) as client:
        for _ in range(30):
            assert client.get(f"{emulator.url}/?lines=1&delay_ms=0").content == _lines(1)
        for thread in threading.enumerate():  # a cancelled timer's thread ends as soon as it wakes
            if isinstance(thread, threading.Timer) and thread.finished.is_set():
                thread.join(10)
        assert live_timers() <= before + 2  # at most the deadline and pick-up timers of one invocation


def test_non_latin1_prelude_header_values_reach_the_client_as_utf8(demo: LocalLambda) -> None:
    # Header values are str in the prelude JSON; http.server only writes latin-1, which crashed the relay thread
    # and dropped the connection without a response.
    url = f"{demo.url}/?lines=2&delay_ms=0&header=x-name:caf%C3%A9%20%E2%9C%93&cookie=k%3D%E2%9C%93"
    response = httpx.get(url, timeout=TIMEOUT)
    assert response.status_code == 200
    raw = {name.lower(): value for name, value in response.headers.raw}
    assert raw[b"x-name"] == "café ✓".encode()
    assert raw[b"set-cookie"] == "k=✓".encode()
    assert response.content == _lines(2)
