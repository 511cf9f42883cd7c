"""The request-handler plumbing every loopback server of the emulator shares.

HTTP/1.1 (keep-alive, chunked bodies) and ``TCP_NODELAY`` on each accepted socket, so a small chunk is sent at
once instead of waiting for Nagle's algorithm; per-request access logs go to ``logging`` at debug level.
:func:`serve_in_thread` runs a server's loop with a short poll interval: ``socketserver``'s ``serve_forever`` notices
``shutdown()`` only between polls, and its default of 0.5 s made every stop wait up to that long per server.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

__all__ = ["SHUTDOWN_POLL_S", "StreamingRequestHandler", "serve_in_thread"]

SHUTDOWN_POLL_S = 0.05
"""How often a serving loop checks for ``shutdown()`` (the longest a stop waits for it)."""

LOG = logging.getLogger("emulator.http")


class StreamingRequestHandler(BaseHTTPRequestHandler):
    """Base handler for servers that stream chunk by chunk."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        """Access-log lines at debug level only (the emulator prints its own one-line summaries)."""
        LOG.debug("%s " + format, type(self).__name__, *args)


def serve_in_thread(server: socketserver.BaseServer, name: str) -> threading.Thread:
    """Start ``server.serve_forever`` in a daemon thread named ``name`` (see :data:`SHUTDOWN_POLL_S`)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S}, name=name, daemon=True
    )
    thread.start()
    return thread
