"""A local signing proxy: plain HTTP on 127.0.0.1 in, SigV4-signed requests to an ``AWS_IAM`` Function URL out.

Every request is read in full (SigV4 hashes the payload), stripped of hop-by-hop headers and of the caller's
``Authorization`` / ``x-api-key`` (dummy keys), signed by ``client.auth.FunctionUrlAuth`` (service ``lambda``,
``x-amz-content-sha256``; https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv_create-signed-request.html) with the credentials
current at that moment, and sent with httpx. The status, the end-to-end headers and every body piece go back the
moment they arrive (chunked unless upstream gave a ``Content-Length``), so a streamed answer stays streamed.

Failures are JSON ``{"error": {"type", "message"}}``: 502 ``upstream_unreachable`` / 504 ``upstream_timeout``
before the response started, 500 ``credentials_error`` when there are no usable credentials, 403 for callers that
are not on this machine, 4xx for unreadable bodies. A failure after the response started cuts the connection
(no terminating chunk), so the caller sees a truncated body instead of a silently short one. When the caller goes
away the upstream response is closed at once. Logs name method, path (no query), status and duration, never a
header value.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from client.auth import FunctionUrlAuth
from client.errors import ClientError, ConfigError
from client.proxy_body import BodyError, read_body
from client.proxy_headers import forwarded_request_headers, forwarded_response_headers, refusal
from client.urls import normalize_base_url

__all__ = ["BACKLOG", "CALLER_TIMEOUT_S", "DEFAULT_PORT", "ProxyServer"]

LOG = logging.getLogger("client.proxy")

DEFAULT_PORT = 8787
BACKLOG = 128
"""Listen backlog: a burst of tool connections waits in the kernel instead of being refused."""
CALLER_TIMEOUT_S = 300.0
"""Seconds a caller's connection may stay silent (idle keep-alive, a stalled upload) or refuse to take data."""
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
_NO_BODY_STATUSES = frozenset({204, 304})


class ProxyServer(ThreadingHTTPServer):
    """Serves the proxy on ``host:port`` (loopback only; port 0 picks a free one) in front of ``target_url``.

    ``auth`` signs each upstream request; ``timeout`` is the seconds to wait for upstream data. ``serve_forever``
    runs it; ``server_close`` also closes the upstream connection pool.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(
        self,
        target_url: str,
        auth: FunctionUrlAuth,
        *,
        port: int = DEFAULT_PORT,
        host: str = "127.0.0.1",
        timeout: float = 300.0,
    ) -> None:
        if not _is_loopback_ipv4(host):
            raise ConfigError(f"the proxy only listens on loopback (127.0.0.1), not on {host!r}")
        self.target_url = normalize_base_url(target_url)
        self.auth = auth
        self.upstream = httpx.Client(
            timeout=httpx.Timeout(connect=10.0, read=timeout, write=30.0, pool=10.0),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20),
            follow_redirects=False,
        )
        try:
            super().__init__((host, port), _ProxyHandler)
        except OSError as exc:
            self.upstream.close()
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc

    @property
    def port(self) -> int:
        """The port it listens on (the chosen one when constructed with port 0)."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: what local tools point at."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self.upstream.close()


def _is_loopback_ipv4(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.version == 4 and address.is_loopback


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = CALLER_TIMEOUT_S
    server: ProxyServer

    def setup(self) -> None:
        super().setup()
        # each relayed piece goes out at once instead of waiting for the caller's ACK of the previous one (Nagle)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._proxy()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        LOG.info(format, *args)

    # -- one request ---------------------------------------------------------------------------------------------

    def _proxy(self) -> None:
        started = time.monotonic()
        status = self._forward()
        path = self.path.split("?", 1)[0]
        LOG.info("%s %s -> %s (%.0f ms)", self.command, path, status, (time.monotonic() - started) * 1000)

    def _forward(self) -> int | str:
        """Handle the request; returns the status sent (or what went wrong mid-stream) for the log line."""
        headers = {name.lower(): value for name, value in self.headers.items()}
        reason = refusal(headers)
        if reason is not None:
            return self._send_error(403, "forbidden", reason, close=True)
        if not self.path.startswith("/"):
            message = "the request target must be a path such as /v1/... (the proxy is a base URL, not an HTTP proxy)"
            return self._send_error(400, "invalid_request", message, close=True)
        try:
            body = read_body(self.rfile, headers)
        except BodyError as exc:
            return self._send_error(exc.status, "invalid_request", exc.message, close=True)
        request = httpx.Request(
            self.command,
            self.server.target_url + self.path,
            headers=forwarded_request_headers(self.headers.items()),
            content=body,
        )
        try:
            self.server.auth.sign(request)
        except ClientError as exc:  # no or expired credentials, unknown region
            return self._send_error(500, "credentials_error", f"cannot sign the request: {exc}")
        except Exception as exc:  # a credential provider failing in its own way (botocore raises RuntimeError too)
            return self._send_error(500, "credentials_error", f"cannot sign the request: {_describe(exc)}")
        target = self.server.target_url
        try:
            response = self.server.upstream.send(request, stream=True)
        except httpx.TimeoutException as exc:
            return self._send_error(504, "upstream_timeout", f"no answer from {target} in time: {_describe(exc)}")
        except httpx.TransportError as exc:
            return self._send_error(502, "upstream_unreachable", f"cannot reach {target}: {_describe(exc)}")
        try:
            return self._relay(response)
        finally:
            response.close()

    def _relay(self, response: httpx.Response) -> int | str:
        status = response.status_code
        has_body = self.command != "HEAD" and status >= 200 and status not in _NO_BODY_STATUSES
        length_given = "content-length" in response.headers
        chunked = has_body and not length_given and self.request_version != "HTTP/1.0"
        try:
            self.send_response_only(status, response.reason_phrase or None)
            for name, value in forwarded_response_headers(response.headers.multi_items()):
                self.send_header(name, value)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif has_body and not length_given:  # an HTTP/1.0 caller: the end of the body is the end of the link
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if has_body:
                self._relay_body(response, chunked=chunked)
        except _CLIENT_GONE:
            self.close_connection = True
            return f"{status}, caller went away"
        except httpx.HTTPError as exc:
            self.close_connection = True
            LOG.warning("upstream stream from %s broke off: %s", self.server.target_url, _describe(exc))
            return f"{status}, upstream broke off"
        return status

    def _relay_body(self, response: httpx.Response, *, chunked: bool) -> None:
        for piece in response.iter_raw():
            if not piece:
                continue
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _send_error(self, status: int, error_type: str, message: str, *, close: bool = False) -> int:
        data = json.dumps({"error": {"type": error_type, "message": message}}).encode()
        try:
            self.send_response_only(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)
        except _CLIENT_GONE:
            self.close_connection = True
        if status >= 500:
            LOG.warning("%s %s: %s", self.command, self.path.split("?", 1)[0], message)
        return status


def _describe(exc: Exception) -> str:
    """A one-line description of an httpx error (its message never holds request headers)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
