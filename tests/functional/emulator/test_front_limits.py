"""The Function URL front under load and with bad requests: backlog, throttling, size limits, broken bodies.

Limits as Lambda documents them: the 6 MB invocation payload counts the whole event
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); a throttled invoke is 429
``TooManyRequestsException`` (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, Errors). All traffic
stays on 127.0.0.1, bounded in count; the socket timeouts only keep a regression from hanging the suite.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from emulator import BedrockOptions, LocalLambda
from emulator.function_url import REQUEST_LIMIT
from tests.functional.emulator.conftest import python_lambda

GUARD_S = 60.0  # a hang guard, never an assertion


def _address(emulator: LocalLambda) -> tuple[str, int]:
    parts = urlsplit(emulator.url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def _connection(emulator: LocalLambda) -> http.client.HTTPConnection:
    host, port = _address(emulator)
    return http.client.HTTPConnection(host, port, timeout=GUARD_S)


def _raw_exchange(emulator: LocalLambda, request: bytes, *, half_close: bool) -> bytes:
    """Send raw bytes; read the whole answer (the server closes after an error answer)."""
    with socket.create_connection(_address(emulator), timeout=GUARD_S) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        parts: list[bytes] = []
        while chunk := sock.recv(65536):
            parts.append(chunk)
    return b"".join(parts)


@pytest.fixture(scope="module")
def front() -> Iterator[LocalLambda]:
    """Two demo sandboxes, a short body timeout so a silent body is refused quickly."""
    with python_lambda(concurrency=2, body_timeout=0.5) as emulator:
        yield emulator


def test_the_function_url_listens_with_a_realistic_backlog(front: LocalLambda) -> None:
    """The kernel's view of the listening socket (``ss``: Send-Q of a LISTEN socket is its backlog)."""
    ss = shutil.which("ss")
    if ss is None:
        pytest.fail("ss (iproute2) is needed to read the listen backlog")
    _, port = _address(front)
    listing = subprocess.run([ss, "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True).stdout
    backlog = int(listing.split()[2])
    assert backlog >= 512


def test_a_burst_of_200_connections_gets_answers_not_resets(front: LocalLambda) -> None:
    """All 200 clients connect at once, then ask: each gets an HTTP answer (200, or 429 beyond the queue)."""
    host, port = _address(front)
    count = 200
    connected = threading.Barrier(count)
    statuses: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def client() -> None:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=GUARD_S)
            conn.connect()
            connected.wait(GUARD_S)
            conn.request("GET", "/?lines=1&delay_ms=0")
            response = conn.getresponse()
            response.read()
            conn.close()
            with lock:
                statuses.append(response.status)
        except Exception as exc:
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(GUARD_S)
    assert failures == []
    assert len(statuses) == count
    assert set(statuses) <= {200, 429}
    assert 200 in statuses


def test_every_sandbox_busy_and_no_queue_is_429_too_many_requests() -> None:
    with python_lambda(concurrency=1, queue_limit=0, timeout=30.0) as emulator:
        busy = _connection(emulator)
        busy.request("GET", "/?mode=sleep_mid&after=1&seconds=30")
        streaming = busy.getresponse()
        assert streaming.readline() == b"line 0\n"  # the only sandbox is now inside this invocation
        second = _connection(emulator)
        second.request("GET", "/?lines=1")
        throttled = second.getresponse()
        assert throttled.status == 429
        assert throttled.getheader("x-amzn-ErrorType") == "TooManyRequestsException"
        assert throttled.getheader("x-amzn-RequestId")
        assert json.loads(throttled.read()) == {"Message": "Rate Exceeded."}
        second.close()
        busy.close()


def test_the_queue_holds_queue_limit_requests_and_throttles_the_next() -> None:
    """One sandbox busy, one request waiting in a queue of one: the third gets 429 at once."""
    with python_lambda(concurrency=1, queue_limit=1, timeout=30.0) as emulator:
        busy = _connection(emulator)
        busy.request("GET", "/?mode=sleep_mid&after=1&seconds=30")
        streaming = busy.getresponse()
        assert streaming.readline() == b"line 0\n"
        waiting = _connection(emulator)
        waiting.request("GET", "/?lines=1")
        assert emulator.logs.wait_for("request queued (1 of 1 waiting)", timeout=GUARD_S)  # hang guard
        third = _connection(emulator)
        third.request("GET", "/?lines=1")
        throttled = third.getresponse()
        assert throttled.status == 429
        assert json.loads(throttled.read()) == {"Message": "Rate Exceeded."}
        third.close()
        waiting.close()  # still queued behind the sleeping invocation; its answer is not awaited
        busy.close()


def test_oversized_body_gets_413_after_the_upload_completes(front: LocalLambda) -> None:
    conn = _connection(front)
    conn.request("POST", "/", body=b"x" * (REQUEST_LIMIT + 1), headers={"Content-Type": "text/plain"})
    response = conn.getresponse()
    assert response.status == 413
    assert "6291456 bytes" in json.loads(response.read())["Message"]


def test_the_limit_counts_the_base64_event_not_the_raw_body(front: LocalLambda) -> None:
    """5 MB of binary is 6.7 MB once base64-encoded into the event: too large for Lambda."""
    conn = _connection(front)
    body = b"\x00" * (5 * 1024 * 1024)
    conn.request("POST", "/", body=body, headers={"Content-Type": "application/octet-stream"})
    response = conn.getresponse()
    assert response.status == 413
    response.read()
    small = _connection(front)
    small.request("POST", "/?lines=1", body=b"\x00" * 1024, headers={"Content-Type": "application/octet-stream"})
    ok = small.getresponse()
    assert (ok.status, ok.read()) == (200, b"line 0\n")


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", " +5"])
def test_a_content_length_that_is_not_a_length_is_400(front: LocalLambda, length: str) -> None:
    answer = _raw_exchange(
        front, f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode(), half_close=False
    )
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Content-Length" in answer.split(b"\r\n\r\n", 1)[1]


@pytest.fixture(scope="module")
def app_front() -> Iterator[LocalLambda]:
    """The real app over the stub fake Bedrock; a short body timeout so a silent body is refused quickly."""
    with LocalLambda(bedrock=BedrockOptions(), body_timeout=0.5) as emulator:
        yield emulator


@pytest.mark.parametrize("half_close", [True, False], ids=["client-closed", "client-silent"])
def test_a_body_shorter_than_announced_is_400_and_never_reaches_bedrock(
    app_front: LocalLambda, half_close: bool
) -> None:
    """The bytes that did arrive are a complete request: only the announced length shows the body is cut."""
    fake = app_front.fake_bedrock
    fake.clear_requests()
    body = b'{"prompt": "Hi"}'
    head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body) + 50}"
    answer = _raw_exchange(app_front, head.encode() + b"\r\n\r\n" + body, half_close=half_close)
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 Bad Request"
    assert fake.requests == []
    conn = _connection(app_front)  # the same request with its true length does reach Bedrock
    conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 200
    assert response.read()
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("length", "body", "half_close"),
    [("-1", b"", False), ("100", b'{"lines": 1}', True), ("100", b'{"lines": 1}', False)],
    ids=["negative-length", "client-closed", "client-silent"],
)
def test_the_invoke_api_refuses_a_bad_or_short_body_with_400(
    front: LocalLambda, length: str, body: bytes, half_close: bool
) -> None:
    path = f"/2015-03-31/functions/{front.config.function_name}/invocations"
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
    answer = _raw_exchange(front, head + body, half_close=half_close)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 400 Bad Request"
    assert b"x-amzn-ErrorType: InvalidRequestContentException" in rest
