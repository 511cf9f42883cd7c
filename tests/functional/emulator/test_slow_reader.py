"""A caller that stops reading a streamed response, through the local Function URL and the real Python runtime.

On AWS the function cannot see the caller's pace or its disconnect: the Function URL front pushes back until the
runtime's writes block (and a disconnected caller is invisible: the function keeps running until its body ends).
The runtime must still end the invocation before its timeout (the write deadline of streaming_runtime.stream), so
Lambda never has to kill the process. (The emulator's Runtime API stops reading the runtime while its caller is
stuck, so it still reports the timeout afterwards; the runtime's own line comes first.)
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from tests.functional.emulator.conftest import python_lambda


def test_a_caller_that_stops_reading_does_not_make_the_function_time_out() -> None:
    with python_lambda(timeout=4.0, concurrency=1) as emulator:
        url = urlsplit(emulator.url)
        stalled = socket.create_connection((url.hostname or "127.0.0.1", url.port or 80))
        try:
            # ~6.5 GB of 64 KiB lines, and this client never reads a byte of it
            stalled.sendall(
                b"GET /?lines=100000&size=65536&delay_ms=0 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            )
            with httpx.Client(timeout=httpx.Timeout(20.0)) as client:
                # one function process: this waits until the flooded invocation has ended
                response = client.get(f"{emulator.url}/?lines=2&delay_ms=0")
        finally:
            stalled.close()
        assert response.content == b"line 0\nline 1\n"
        logs = emulator.logs.text()
        # the runtime ended the stuck invocation itself, before any timeout line of the platform
        assert "Runtime.ResponseWriteTimeout" in logs
        assert "Task timed out" not in logs[: logs.index("Runtime.ResponseWriteTimeout")]
