"""A streamed ``/response`` on its own connection: chunk writes, success or error terminator, the 202 reply.

Follows the AWS Lambda developer guide, runtimes-custom.html#runtimes-custom-response-streaming: a fresh connection per
streamed response, chunked body with real trailers on failure, RAPID replies after the terminator. ``http.client``
cannot send trailers, so headers go through ``putrequest``/``putheader``/``endheaders`` and chunks are framed by
``streaming_runtime.wire`` and written on the socket directly (``http.client`` sets ``TCP_NODELAY``).

Writes keep the invocation's deadline (``Lambda-Runtime-Deadline-Ms``, runtimes-api.html "Next invocation"). A caller
that reads slowly pushes back through the Runtime API until the runtime's socket buffer is full and a write blocks;
nothing else would end that write before Lambda kills the process at its timeout. So each write waits for the socket
only until :data:`WRITE_MARGIN_S` before the deadline, counting the bytes that did go out; past that it raises
:class:`~streaming_runtime.errors.ResponseWriteTimeoutError` (the loop then ends the body with the error trailers).
The end of the body (the rest of a cut chunk, then the terminator) gets until :data:`END_MARGIN_S` before the deadline;
if even that cannot be written, the connection is closed: a truncated response, still before the timeout. Both
margins shrink to a share of the time left when the stream opens (:data:`MARGIN_SHARE`), so a function with a
timeout of a second or two still gets to write.
"""

from __future__ import annotations

import contextlib
import http.client
import select
import socket
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from streaming_runtime.errors import ConnectionLostError, InvalidBodyItemError, ResponseWriteTimeoutError
from streaming_runtime.wire import TERMINATOR, chunk, failed_terminator

__all__ = ["END_MARGIN_S", "MARGIN_SHARE", "REPLY_TIMEOUT_S", "WRITE_MARGIN_S", "Reply", "ResponseStream", "as_bytes"]

#: How long to wait for the Runtime API's answer once the body is complete (it answers at once on Lambda).
REPLY_TIMEOUT_S: Final = 30.0
#: Body writes stop waiting for a blocked socket this long before the invocation deadline.
WRITE_MARGIN_S: Final = 1.0
#: The end of the body (error trailers) must be written by this long before the deadline, else the connection closes.
END_MARGIN_S: Final = 0.25
#: At most this share of the time left when the stream opens goes to each margin.
MARGIN_SHARE: Final = 0.1
_DONTWAIT: Final = socket.MSG_DONTWAIT


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
    """The body side of one streamed ``POST /response``; single use, not thread-safe.

    ``deadline`` is the invocation's deadline on the ``time.monotonic()`` clock (``None``: writes may block forever).
    """

    __slots__ = ("_conn", "_deadline", "_end_by", "_sock", "_unsent", "_write_by")

    def __init__(self, conn: http.client.HTTPConnection, sock: socket.socket, deadline: float | None = None) -> None:
        self._conn = conn
        self._sock = sock
        self._deadline = deadline if deadline is not None else 0.0
        self._write_by: float | None = None
        self._end_by: float | None = None
        if deadline is not None:
            left = max(deadline - time.monotonic(), 0.0)
            self._write_by = deadline - min(WRITE_MARGIN_S, MARGIN_SHARE * left)
            self._end_by = deadline - min(END_MARGIN_S, MARGIN_SHARE * left / 4)
        self._unsent = b""  # the tail of a chunk cut by the write deadline; sent before the terminator

    @classmethod
    def open(
        cls, host: str, port: int, path: str, headers: Sequence[tuple[str, str]], deadline: float | None = None
    ) -> ResponseStream:
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
        return cls(conn, sock, deadline)

    def _send_by(self, data: bytes, by: float) -> int:
        """Send ``data``, waiting for room in the socket until ``by`` (monotonic); the number of bytes sent.

        The socket stays blocking; each send is non-blocking (``MSG_DONTWAIT``) and only a full socket waits, in
        ``select``: a write that fits costs one system call, as ``sendall`` does.
        """
        sock = self._sock
        if time.monotonic() >= by:
            return 0
        try:
            sent = sock.send(data, _DONTWAIT)
        except BlockingIOError:
            sent = 0
        if sent == len(data):
            return sent  # the usual case: the socket had room
        view = memoryview(data)
        while sent < len(view):
            left = by - time.monotonic()
            if left <= 0:
                break
            try:
                sent += sock.send(view[sent:], _DONTWAIT)
            except BlockingIOError:
                if not select.select((), (sock,), (), left)[1]:
                    break
        return sent

    def send_framed(self, data: bytes) -> None:
        """Send bytes that are already framed (one or more complete chunks).

        Raises ``ConnectionLostError`` when the connection breaks and ``ResponseWriteTimeoutError`` when the socket
        stays full until the write deadline (the rest of a partly sent chunk is kept for :meth:`fail`; a chunk of which
        nothing went out is dropped).
        """
        try:
            if self._write_by is None:
                self._sock.sendall(data)
                return
            sent = self._send_by(data, self._write_by)
        except OSError as exc:
            raise ConnectionLostError(f"Runtime API connection lost while streaming: {exc}") from exc
        if sent < len(data):
            self._unsent = data[sent:] if sent else b""  # a chunk cut short must be completed before the terminator
            raise ResponseWriteTimeoutError(
                "the response is read too slowly: a write to the Runtime API was still blocked just before the "
                "function timeout, so the stream was ended early"
            )

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
        data = self._unsent + terminator
        self._unsent = b""
        try:
            if self._end_by is None:
                self._sock.sendall(data)
                reply_timeout = REPLY_TIMEOUT_S
            else:
                if self._send_by(data, self._end_by) < len(data):
                    self._reset()
                    raise ConnectionLostError(
                        "the end of the response could not be written before the function timeout; closing it"
                    )
                reply_timeout = min(REPLY_TIMEOUT_S, max(self._deadline - time.monotonic(), 0.001))
            self._sock.settimeout(reply_timeout)
            response = self._conn.getresponse()
            return Reply(response.status, response.read())
        except (OSError, http.client.HTTPException) as exc:
            raise ConnectionLostError(f"no reply to the streamed response: {exc}") from exc
        finally:
            self._conn.close()

    def _reset(self) -> None:
        """Close with a TCP reset (``SO_LINGER`` 0): the unsent rest is dropped and the peer learns at once that
        the response is cut, instead of after bytes it is not reading."""
        with contextlib.suppress(OSError):
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def abort(self) -> None:
        """Drop the connection without a terminator (the Runtime API sees a truncated response)."""
        self._conn.close()
