"""The HTTP plumbing every loopback server of the emulator shares (Function URL, Runtime API, fake Bedrock).

HTTP/1.1 (keep-alive, chunked bodies) and ``TCP_NODELAY`` on each accepted socket, so a small chunk is sent at
once instead of waiting for Nagle's algorithm; per-request access logs go to ``logging`` at debug level.

Request bodies (RFC 9112 §6-§7) are read by :meth:`StreamingRequestHandler.read_body` only: a ``Content-Length`` that
is not a non-negative integer, a body shorter than announced (peer closed, or silent for ``body_timeout_s``) and bad
chunked coding raise :class:`IncompleteBodyError` / :class:`InvalidLengthError` (answer 400); a body over the limit
is drained first, so the client finishes its upload and can read the answer, then raises :class:`BodyTooLargeError`
(answer 413). Replies go through :meth:`StreamingRequestHandler.send_json`.

:func:`serve_in_thread` runs a server's loop with a short poll interval: ``socketserver``'s ``serve_forever`` notices
``shutdown()`` only between polls, and its default of 0.5 s made every stop wait up to that long per server.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from emulator.chunked import BodyTooLargeError as ChunkedTooLargeError
from emulator.chunked import ChunkedError, ChunkedReader

__all__ = [
    "BACKLOG",
    "BODY_TIMEOUT_S",
    "DRAIN_LIMIT",
    "SHUTDOWN_POLL_S",
    "BodyReadError",
    "BodyTooLargeError",
    "IncompleteBodyError",
    "InvalidLengthError",
    "LoopbackServer",
    "StreamingRequestHandler",
    "serve_in_thread",
]

LOG = logging.getLogger("emulator.http")

BACKLOG = 1024
"""Listen backlog of every server: a burst of connections waits in the kernel instead of being reset."""

DRAIN_LIMIT = 64 * 1024 * 1024
"""At most this much of an oversized body is read and discarded before the 413 (beyond it the connection closes)."""

SHUTDOWN_POLL_S = 0.05
"""How often a serving loop checks for ``shutdown()`` (the longest a stop waits for it)."""

BODY_TIMEOUT_S = 10.0
"""How long a request body may stay silent before it counts as shorter than announced."""


class BodyReadError(Exception):
    """The request body could not be read as announced; ``status`` is the HTTP answer it calls for."""

    status = 400


class InvalidLengthError(BodyReadError):
    """``Content-Length`` is not a non-negative decimal integer."""


class IncompleteBodyError(BodyReadError):
    """The body ended (or went silent) before the announced length, or its chunked coding is broken."""


class BodyTooLargeError(BodyReadError):
    """The body is larger than the limit (it has been drained when possible)."""

    status = 413


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server with daemon threads, address reuse and a realistic listen backlog."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = BACKLOG
    body_timeout_s: float | None = BODY_TIMEOUT_S
    """Seconds a request body may stay silent before it counts as incomplete (None: no limit)."""


class StreamingRequestHandler(BaseHTTPRequestHandler):
    """Base handler for servers that stream chunk by chunk."""

    protocol_version = "HTTP/1.1"
    bare_responses = False
    """True: no ``Server``/``Date`` headers (the Runtime API sends none)."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        """Access-log lines at debug level only (the emulator prints its own one-line summaries)."""
        LOG.debug("%s " + format, type(self).__name__, *args)

    # --- request body -------------------------------------------------------------------------------------------

    def is_chunked(self) -> bool:
        """True if the request body uses chunked transfer coding."""
        return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()

    def content_length(self) -> int:
        """The announced ``Content-Length`` (0 when absent); ``InvalidLengthError`` if it is not a length."""
        raw = (self.headers.get("Content-Length") or "0").strip()
        if not raw.isdigit() or not raw.isascii():
            raise InvalidLengthError(f"invalid Content-Length {raw[:40]!r}")
        return int(raw)

    def read_body(self, limit: int) -> bytes:
        """The whole request body, at most ``limit`` bytes; raises a :class:`BodyReadError` (see the module doc)."""
        timeout: float | None = getattr(self.server, "body_timeout_s", BODY_TIMEOUT_S)
        previous = self.connection.gettimeout()
        self.connection.settimeout(timeout)
        try:
            return self._read_body(limit)
        except TimeoutError as exc:
            self.close_connection = True
            raise IncompleteBodyError(f"request body silent for {timeout} s before its end") from exc
        except BodyReadError:
            self.close_connection = True
            raise
        finally:
            with contextlib.suppress(OSError):  # the connection may be gone already
                self.connection.settimeout(previous)

    def _read_body(self, limit: int) -> bytes:
        if self.is_chunked():
            reader = ChunkedReader(self.rfile)
            try:
                return reader.read_all(limit)
            except ChunkedTooLargeError as exc:
                _drain_chunked(reader)
                raise BodyTooLargeError(str(exc)) from exc
            except ChunkedError as exc:
                raise IncompleteBodyError(str(exc)) from exc
        length = self.content_length()
        if length > limit:
            self._drain(length)
            raise BodyTooLargeError(f"request body of {length} bytes is larger than {limit} bytes")
        data = self.rfile.read(length) if length else b""
        if len(data) < length:
            raise IncompleteBodyError(f"connection closed after {len(data)} of {length} body bytes")
        return data

    def _drain(self, length: int) -> None:
        remaining = min(length, DRAIN_LIMIT)
        while remaining > 0:
            data = self.rfile.read(min(remaining, 1 << 16))
            if not data:
                return
            remaining -= len(data)

    # --- responses ----------------------------------------------------------------------------------------------

    def send_json(
        self,
        status: int,
        body: object,
        *,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
    ) -> None:
        """A complete ``application/json`` response with Content-Length; a client already gone closes quietly."""
        data = json.dumps(body, separators=(",", ":")).encode()  # ASCII: even a lone surrogate is escaped
        try:
            if self.bare_responses:
                self.send_response_only(status)
            else:
                self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


def _drain_chunked(reader: ChunkedReader) -> None:
    """Read and discard the rest of a chunked body, up to ``DRAIN_LIMIT`` bytes in all."""
    try:
        while reader.bytes_read <= DRAIN_LIMIT and reader.read() is not None:
            pass
    except ChunkedError:
        return


def serve_in_thread(server: socketserver.BaseServer, name: str) -> threading.Thread:
    """Start ``server.serve_forever`` in a daemon thread named ``name`` (see :data:`SHUTDOWN_POLL_S`)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S}, name=name, daemon=True
    )
    thread.start()
    return thread
