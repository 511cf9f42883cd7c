"""A streamed ``/response`` on its own connection: chunk writes, success or error terminator, the 202 reply.

Follows the AWS Lambda developer guide, runtimes-custom.html#runtimes-custom-response-streaming: a fresh connection per
streamed response, chunked body with real trailers on failure, RAPID replies after the terminator. ``http.client``
cannot send trailers, so headers go through ``putrequest``/``putheader``/``endheaders`` and chunks are framed by
``streaming_runtime.wire`` and written with one ``sendall`` each (``http.client`` sets ``TCP_NODELAY``). See
docs/lambda-streaming.md, "The streamed response request" and "Body framing".
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from streaming_runtime.errors import ConnectionLostError, InvalidBodyItemError
from streaming_runtime.wire import TERMINATOR, chunk, failed_terminator

__all__ = ["REPLY_TIMEOUT_S", "Reply", "ResponseStream", "as_bytes"]

#: How long to wait for the Runtime API's answer once the body is complete (it answers at once on Lambda).
REPLY_TIMEOUT_S: Final = 30.0


@dataclass(frozen=True, slots=True)
class Reply:
    """The Runtime API's answer to a completed request."""

    status: int
    body: bytes


def as_bytes(item: object) -> bytes:
    """A body item as ``bytes``; ``str`` and other non-bytes-like values raise ``InvalidBodyItemError``."""
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        raise InvalidBodyItemError(
            "StreamingResponse.body yielded a str; body items must be bytes (encode text, e.g. text.encode('utf-8'))"
        )
    try:
        return bytes(memoryview(item))  # type: ignore[arg-type]
    except TypeError:
        raise InvalidBodyItemError(
            f"StreamingResponse.body yielded a {type(item).__name__}; body items must be bytes-like"
        ) from None


class ResponseStream:
    """The body side of one streamed ``POST /response``; single use, not thread-safe."""

    __slots__ = ("_conn", "_sendall")

    def __init__(self, conn: http.client.HTTPConnection, sendall: Callable[[bytes], None]) -> None:
        self._conn = conn
        self._sendall = sendall

    @classmethod
    def open(cls, host: str, port: int, path: str, headers: Sequence[tuple[str, str]]) -> ResponseStream:
        """Connect, send the request line and ``headers`` (chunked body follows). Raises ``ConnectionLostError``."""
        conn = http.client.HTTPConnection(host, port, timeout=None)
        try:
            conn.putrequest("POST", path, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            conn.endheaders()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise ConnectionLostError(f"cannot open streamed response {path}: {exc}") from exc
        sock = conn.sock
        if sock is None:  # pragma: no cover - endheaders() always connects
            raise ConnectionLostError(f"no socket after sending the headers of {path}")
        return cls(conn, sock.sendall)

    def send_framed(self, data: bytes) -> None:
        """Send bytes that are already framed (one or more complete chunks). Raises ``ConnectionLostError``."""
        try:
            self._sendall(data)
        except OSError as exc:
            raise ConnectionLostError(f"Runtime API connection lost while streaming: {exc}") from exc

    def write(self, data: bytes) -> None:
        """Send one body item as one chunk at once; empty items are skipped, non-bytes items raise."""
        if data.__class__ is not bytes:
            data = as_bytes(data)
        if data:
            self.send_framed(chunk(data))

    def finish(self) -> Reply:
        """End the body successfully and return the Runtime API's reply."""
        return self._end(TERMINATOR)

    def fail(self, error_type: str, error_body: str) -> Reply:
        """End the body with the two error trailers (``error_body`` is base64) and return the reply."""
        return self._end(failed_terminator(error_type, error_body))

    def _end(self, terminator: bytes) -> Reply:
        try:
            self.send_framed(terminator)
            sock = self._conn.sock
            if sock is not None:
                sock.settimeout(REPLY_TIMEOUT_S)
            response = self._conn.getresponse()
            return Reply(response.status, response.read())
        except (OSError, http.client.HTTPException) as exc:
            raise ConnectionLostError(f"no reply to the streamed response: {exc}") from exc
        finally:
            self._conn.close()

    def abort(self) -> None:
        """Drop the connection without a terminator (the Runtime API sees a truncated response)."""
        self._conn.close()
