"""The Runtime API answers as documented: the test itself acts as the runtime over loopback HTTP.

A placeholder process (it never polls) holds the sandbox; the test polls ``/next`` on that process's Runtime API and
posts responses by hand, byte by byte where the framing matters.
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from emulator import LocalLambda
from emulator.runtime_api import BUFFERED_LIMIT

BASE = "/2018-06-01/runtime"


@pytest.fixture
def emulator() -> Iterator[LocalLambda]:
    with LocalLambda(
        command=[sys.executable, "-c", "import time; time.sleep(600)"], timeout=5.0, init_timeout=20.0, wait_ready=False
    ) as local:
        yield local


class Call:
    """An HTTP request to the Function URL running in a background thread."""

    def __init__(self, url: str) -> None:
        self.response: httpx.Response | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        try:
            self.response = httpx.get(url, timeout=20.0)
        except BaseException as exc:  # inspected by the test
            self.error = exc

    def result(self) -> httpx.Response:
        self._thread.join(20)
        assert self.error is None, self.error
        assert self.response is not None
        return self.response


def _conn(emulator: LocalLambda) -> http.client.HTTPConnection:
    host, port = emulator.runtime_apis[0].split(":")
    return http.client.HTTPConnection(host, int(port), timeout=15)


def _next(emulator: LocalLambda) -> tuple[dict[str, str], bytes]:
    conn = _conn(emulator)
    conn.request("GET", f"{BASE}/invocation/next")
    response = conn.getresponse()
    assert response.status == 200
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return headers, body


def _post(
    emulator: LocalLambda, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, object]]:
    conn = _conn(emulator)
    conn.request("POST", f"{BASE}/{path}", body=body, headers=headers or {})
    response = conn.getresponse()
    status, payload = response.status, json.loads(response.read() or b"{}")
    conn.close()
    return status, payload


def _raw_streamed_post(emulator: LocalLambda, request_id: str, frames: list[bytes], nonce: str) -> bytes:
    """Send a streamed /response as raw bytes (one send per frame) and return the raw reply (b"" if none)."""
    host, port = emulator.runtime_apis[0].split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = (
            f"POST {BASE}/invocation/{request_id}/response HTTP/1.1\r\nHost: {host}\r\n"
            "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
            "Trailer: Lambda-Runtime-Function-Error-Type\r\nTrailer: Lambda-Runtime-Function-Error-Body\r\n"
            f"Content-Type: application/vnd.awslambda.http-integration-response\r\n"
            f"Lambda-Runtime-Invocation-Id: {nonce}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        for frame in frames:
            sock.sendall(frame)
            time.sleep(0.002)
        if not frames or not frames[-1].endswith(b"\r\n\r\n"):
            return b""
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
        return reply


def test_next_carries_the_lambda_headers_and_the_event(emulator: LocalLambda) -> None:
    call = Call(f"{emulator.url}/hello?x=1")
    headers, body = _next(emulator)
    before_ms = time.time() * 1000
    event = json.loads(body)
    assert event["rawPath"] == "/hello"
    assert headers["content-type"] == "application/json"
    assert headers["lambda-runtime-invoked-function-arn"] == emulator.config.function_arn
    assert 0 < int(headers["lambda-runtime-deadline-ms"]) - before_ms <= 5000
    assert headers["lambda-runtime-trace-id"].startswith("Root=1-")
    assert headers["lambda-runtime-invocation-id"]
    request_id = headers["lambda-runtime-aws-request-id"]
    nonce = {"Lambda-Runtime-Invocation-Id": headers["lambda-runtime-invocation-id"]}
    status, _ = _post(emulator, f"invocation/{request_id}/response", b'{"ok": true}', {**nonce})
    assert status == 202
    response = call.result()
    # Not the integration content type: passes through as 200 with the runtime's type (default octet-stream).
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == b'{"ok": true}'
    assert _post(emulator, f"invocation/{request_id}/response", b"again", nonce)[0] == 403
    assert _post(emulator, f"invocation/{request_id}/error", b"{}", nonce)[0] == 403
    assert _post(emulator, "invocation/no-such-id/response", b"x")[0] == 400
    stale = {"Lambda-Runtime-Invocation-Id": "stale-nonce"}
    assert _post(emulator, f"invocation/{request_id}/response", b"x", stale)[0] == 410


def test_bad_response_mode_is_400_and_the_caller_gets_502(emulator: LocalLambda) -> None:
    call = Call(emulator.url)
    headers, _ = _next(emulator)
    request_id = headers["lambda-runtime-aws-request-id"]
    status, payload = _post(
        emulator, f"invocation/{request_id}/response", b"x", {"Lambda-Runtime-Function-Response-Mode": "Streaming"}
    )
    assert (status, payload["errorType"]) == (400, "InvalidFunctionResponseMode")
    response = call.result()
    assert response.status_code == 502
    assert response.headers["x-amzn-errortype"] == "Runtime.InvalidResponseModeHeader"


def test_empty_response_mode_is_buffered_and_the_state_is_checked_before_the_mode(emulator: LocalLambda) -> None:
    # RAPID: a second response is 403 whatever its mode header; an empty mode header means buffered (no header).
    call = Call(emulator.url)
    headers, _ = _next(emulator)
    request_id = headers["lambda-runtime-aws-request-id"]
    empty_mode = {"Lambda-Runtime-Function-Response-Mode": ""}
    assert _post(emulator, f"invocation/{request_id}/response", b"buffered", empty_mode)[0] == 202
    bad_mode = {"Lambda-Runtime-Function-Response-Mode": "Streaming"}
    status, payload = _post(emulator, f"invocation/{request_id}/response", b"again", bad_mode)
    assert (status, payload["errorType"]) == (403, "InvalidStateTransition")
    response = call.result()
    assert (response.status_code, response.content) == (200, b"buffered")


def test_buffered_response_over_6mb_is_413(emulator: LocalLambda) -> None:
    call = Call(emulator.url)
    headers, _ = _next(emulator)
    request_id = headers["lambda-runtime-aws-request-id"]
    status, _ = _post(emulator, f"invocation/{request_id}/response", b"x" * (BUFFERED_LIMIT + 1))
    assert status == 413
    response = call.result()
    assert response.status_code == 502
    assert response.headers["x-amzn-errortype"] == "Function.ResponseSizeTooLarge"


def test_error_report_is_a_502_with_the_error_type(emulator: LocalLambda) -> None:
    call = Call(emulator.url)
    headers, _ = _next(emulator)
    request_id = headers["lambda-runtime-aws-request-id"]
    error = json.dumps({"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}).encode()
    status, _ = _post(
        emulator, f"invocation/{request_id}/error", error, {"Lambda-Runtime-Function-Error-Type": "Function.ValueError"}
    )
    assert status == 202
    response = call.result()
    assert response.status_code == 502
    assert response.headers["x-amzn-errortype"] == "Function.ValueError"
    assert _post(emulator, f"invocation/{request_id}/response", b"late")[0] == 403
    assert "boom" in emulator.logs.text()


def test_prelude_split_into_single_bytes_and_trailers_parsed_by_the_emulator(emulator: LocalLambda) -> None:
    call = Call(emulator.url)
    headers, _ = _next(emulator)
    prelude = json.dumps({"statusCode": 418, "headers": {"x-a": "b"}, "cookies": ["k=v"]}).encode() + b"\0" * 8
    frames = [b"1\r\n" + bytes([byte]) + b"\r\n" for byte in prelude]
    frames += [b"5\r\nhello\r\n", b"6\r\n world\r\n", b"0\r\n\r\n"]
    reply = _raw_streamed_post(
        emulator, headers["lambda-runtime-aws-request-id"], frames, headers["lambda-runtime-invocation-id"]
    )
    assert reply.startswith(b"HTTP/1.1 202")
    response = call.result()
    assert response.status_code == 418
    assert response.headers["x-a"] == "b"
    assert response.headers["set-cookie"] == "k=v"
    assert response.content == b"hello world"


def test_truncated_streamed_response_truncates_the_client_response(emulator: LocalLambda) -> None:
    call = Call(emulator.url)
    headers, _ = _next(emulator)
    prelude = b'{"statusCode":200}' + b"\0" * 8
    frames = [b"%X\r\n%s\r\n" % (len(prelude), prelude), b"5\r\nhello\r\n", b"A\r\npart"]
    _raw_streamed_post(
        emulator, headers["lambda-runtime-aws-request-id"], frames, headers["lambda-runtime-invocation-id"]
    )
    call._thread.join(20)
    assert isinstance(call.error, httpx.RemoteProtocolError)
    assert emulator.logs.wait_for("Runtime.TruncatedResponse", timeout=30)  # the timeout is a hang guard


def test_prelude_without_delimiter_in_16kb_is_a_502(emulator: LocalLambda) -> None:
    call = Call(emulator.url)
    headers, _ = _next(emulator)
    junk = b"{" + b" " * 17000
    frames = [b"%X\r\n%s\r\n" % (len(junk), junk), b"0\r\n\r\n"]
    _raw_streamed_post(
        emulator, headers["lambda-runtime-aws-request-id"], frames, headers["lambda-runtime-invocation-id"]
    )
    response = call.result()
    assert response.status_code == 502
    assert response.headers["x-amzn-errortype"] == "Runtime.InvalidPrelude"


def test_init_error_is_recorded(emulator: LocalLambda) -> None:
    body = json.dumps({"errorMessage": "cannot import", "errorType": "Runtime.ImportModuleError"}).encode()
    status, _ = _post(emulator, "init/error", body, {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
    assert status == 202
    assert "INIT_REPORT Status: error Error Type: Runtime.ImportModuleError" in emulator.logs.text()
