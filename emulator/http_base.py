"""The request-handler plumbing every loopback server of the emulator shares.

HTTP/1.1 (keep-alive, chunked bodies) and ``TCP_NODELAY`` on each accepted socket, so a small chunk is sent at
once instead of waiting for Nagle's algorithm; per-request access logs go to ``logging`` at debug level.
"""

from __future__ import annotations

import logging
import socket
from http.server import BaseHTTPRequestHandler

__all__ = ["StreamingRequestHandler"]

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
