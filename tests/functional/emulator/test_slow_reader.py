"""A caller that stops reading a streamed response, through the local Function URL and the real Python runtime.

On AWS the function cannot see its caller: a slow reader or a disconnect changes nothing for the running function,
which ends its invocation by itself (runtimes-custom.html#runtimes-custom-response-streaming: the runtime's body and
its error trailers go to the Runtime API, not to the caller). The emulator's Runtime API therefore reads the runtime's
body at the runtime's pace, into a bounded buffer per invocation (emulator/invocation.py); a caller that falls further
behind than that buffer is cut off, as if it had disconnected, and the function runs on to its own end.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from emulator.invocation import BUFFER_LIMIT
from tests.functional.emulator.conftest import python_lambda

LINE = 65536
LINES_BEFORE_ERROR = 1000  # 64 MiB: far more than the buffer and every socket buffer on the way
assert LINE * LINES_BEFORE_ERROR > 16 * BUFFER_LIMIT


def test_the_functions_own_error_ends_the_invocation_of_a_caller_that_stops_reading() -> None:
    with python_lambda(timeout=4.0, concurrency=1) as emulator:
        url = urlsplit(emulator.url)
        pids = emulator.pids
        stalled = socket.create_connection((url.hostname or "127.0.0.1", url.port or 80))
        try:
            # this client never reads a byte of the answer: 64 MiB of lines, then the function raises
            query = f"mode=raise_mid&after={LINES_BEFORE_ERROR}&lines={2 * LINES_BEFORE_ERROR}&size={LINE}&delay_ms=0"
            stalled.sendall(f"GET /?{query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            with httpx.Client(timeout=httpx.Timeout(20.0)) as client:
                # one function process: this waits until the flooded invocation has ended
                response = client.get(f"{emulator.url}/?lines=2&delay_ms=0")
            after = emulator.pids
        finally:
            stalled.close()
        assert response.content == b"line 0\nline 1\n"
        logs = emulator.logs.text()
        # the function's own mid-stream error ended it: no blocked write, no platform timeout, the same process
        assert f"failed after {LINES_BEFORE_ERROR} lines" in logs
        assert "Runtime.ResponseWriteTimeout" not in logs
        assert "Task timed out" not in logs
        assert after == pids
