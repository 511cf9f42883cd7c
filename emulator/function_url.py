"""A local Lambda Function URL in ``RESPONSE_STREAM`` invoke mode.

Per the AWS Lambda developer guide (urls-invocation.html, config-rs-invoke-furls.html) and docs/lambda-streaming.md
("HTTP integration prelude", "Events"): each HTTP request becomes a payload 2.0 event; the function's streamed response
is relayed as it arrives. With the HTTP-integration content type the prelude (JSON + 8 NULs, split across any chunks,
within 16 KB) gives status, headers and ``cookies`` (as ``Set-Cookie``); any other content type passes through as 200
with that type. The body goes out with chunked encoding, one flushed chunk per piece received.

Errors, as the emulator renders them (docs/lambda-streaming.md, "What the emulator assumes"):

* Function error before the stream (``/error``, an init failure or a crash), a prelude that cannot be parsed, and a
  streamed response that ends with error trailers but no prelude (the Node RIC shape for an error before the first
  write): **502** ``{"Message": "Internal Server Error"}`` with ``x-amzn-ErrorType: <error type>``. Function URLs answer
  502 "Internal Server Error" for function errors (https://github.com/middyjs/middy/issues/1137,
  https://github.com/awslabs/aws-lambda-cpp/issues/200); the JSON shape and header follow the Lambda service's own error
  responses (``x-amzn-ErrorType``, ``Message``).
* Timeout before any byte was sent: **504** ``{"Message": "Endpoint request timed out"}``, ``x-amzn-ErrorType:
  Sandbox.Timeout``.
* Error trailers, a timeout or a dropped runtime connection after the headers went out: the body ends WITHOUT the
  terminating chunk and the connection is closed, so clients see a truncated response; the error type and decoded
  error body are logged.
* Every sandbox busy and the bounded queue full (or the queue timeout passed): **429** ``{"Message": "Rate
  Exceeded."}`` with ``x-amzn-ErrorType: TooManyRequestsException``, the throttling error of the Lambda API
  (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, Errors).
* CORS (``cors=CorsConfig(...)``, emulator/cors.py): preflights are answered here without invoking the function;
  other responses get the configured headers (next to any ``access-control-*`` header of the function's own).
* ``AuthType: AWS_IAM`` (``iam_auth=SigV4Verifier(...)``, emulator/sigv4_check.py): after CORS preflights (which
  carry no signature), a request whose SigV4 does not hold is answered **403** ``{"Message": "Forbidden"}`` with the
  URL's CORS headers, so a browser page can read it; the function is not invoked and the reason is logged.
* The request is limited as an invocation payload (6 MB, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
  what counts is the whole event the function receives, so a base64-encoded binary body counts four thirds of its
  size. Over it: **413**, after the body has been read (the client's upload completes and it reads the answer).
  A ``Content-Length`` that is not a length, or a body shorter than announced: **400** at once, or after
  ``body_timeout_s`` of silence; the function is never invoked.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from emulator.chunked import LAST_CHUNK, encode_chunk
from emulator.cors import CorsConfig, is_preflight, preflight_headers, response_headers
from emulator.http_base import BODY_TIMEOUT_S, BodyReadError, LoopbackServer, StreamingRequestHandler
from emulator.invocation import (
    FunctionError,
    Invocation,
    InvocationAborted,
    ResponseChunk,
    ResponseEnd,
    ResponseEvent,
    ResponseStart,
    decode_error_body,
)
from emulator.prelude import INTEGRATION_CONTENT_TYPE, PreludeError, PreludeParser
from emulator.url_event import UrlConfig, build_url_event

if TYPE_CHECKING:  # botocore is imported only when SigV4 is checked
    from emulator.sigv4_check import SigV4Verifier

__all__ = [
    "FORBIDDEN_BODY",
    "REQUEST_LIMIT",
    "TOO_LARGE_MESSAGE",
    "FunctionUrlHandler",
    "FunctionUrlServer",
    "InvokeFn",
]

REQUEST_LIMIT = 6 * 1024 * 1024
FORBIDDEN_BODY = {"Message": "Forbidden"}
"""A Function URL's answer (status 403) to a request its IAM auth refuses."""
TOO_LARGE_MESSAGE = f"Request must be smaller than {REQUEST_LIMIT} bytes for the InvokeFunction operation"
_HOP_BY_HOP = frozenset({"connection", "content-length", "transfer-encoding", "keep-alive", "trailer", "upgrade"})

InvokeFn = Callable[[Invocation], bool]
"""Hands an invocation to the pool; False if no sandbox became free in time."""


class FunctionUrlServer(LoopbackServer):
    """The Function URL front; ``invoke`` dispatches to the function, ``log`` receives platform lines."""

    def __init__(
        self,
        invoke: InvokeFn,
        log: Callable[[str], None],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        url_config: UrlConfig | None = None,
        body_timeout_s: float = BODY_TIMEOUT_S,
        cors: CorsConfig | None = None,
        iam_auth: SigV4Verifier | None = None,
    ) -> None:
        self.iam_auth = iam_auth
        self.body_timeout_s = body_timeout_s
        self.cors = cors or CorsConfig()
        self.invoke = invoke
        self.log = log
        self.url_config = url_config or UrlConfig()
        self.extra_routes: dict[str, Callable[[FunctionUrlHandler], bool]] = {}
        super().__init__((host, port), FunctionUrlHandler)

    @property
    def url(self) -> str:
        """``http://host:port``."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _ClientGone(Exception):
    pass


def _latin1(text: str) -> str:
    """``text`` as ``http.server`` writes it (latin-1), so that its UTF-8 bytes go on the wire unchanged."""
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


class FunctionUrlHandler(StreamingRequestHandler):
    """One client connection (keep-alive between complete responses)."""

    server: FunctionUrlServer
    _cors_headers: tuple[tuple[str, str], ...] = ()  # what the URL's CORS adds to the current request's answer

    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    # --- request ------------------------------------------------------------------------------------------------

    def read_request(self) -> bytes | None:
        """The request body (Content-Length or chunked), or None after answering 400/413 (see the module doc)."""
        try:
            return self.read_body(REQUEST_LIMIT)
        except BodyReadError as exc:
            message = TOO_LARGE_MESSAGE if exc.status == 413 else str(exc)
            self.server.log(f"request refused with {exc.status}: {exc}")
            self.reply_json(exc.status, {"Message": message}, close=True)
            return None

    def _handle(self) -> None:
        self._cors_headers = ()  # per request: a kept-alive connection reuses this handler
        for prefix, extra in self.server.extra_routes.items():
            if self.path.startswith(prefix) and extra(self):
                return
        cors = self.server.cors
        origin = self.headers.get("Origin")
        if cors.enabled and is_preflight(self.command, self.headers.items()):
            if self.read_request() is not None:
                verdict = "allowed" if cors.allowed_origin(origin) is not None else "origin not allowed"
                wanted = self.headers.get("Access-Control-Request-Method")
                self.server.log(f"CORS preflight for {wanted} {self.path} from {origin}: {verdict}")
                self._preflight(preflight_headers(cors, origin))
            return
        self._cors_headers = tuple(response_headers(cors, origin))
        body = self.read_request()
        if body is None:
            return
        request_id = str(uuid.uuid4())
        if not self._signature_holds(body, request_id):
            return
        event, trace_id = self.build_event(body, request_id)
        payload = json.dumps(event).encode()
        if len(payload) > REQUEST_LIMIT:
            self.reply_json(413, {"Message": TOO_LARGE_MESSAGE}, request_id=request_id)
            return
        invocation = Invocation(
            payload=payload,
            trace_id=trace_id,
            request_id=request_id,  # one id for the event, the function context and x-amzn-RequestId, as on AWS
        )
        if not self.server.invoke(invocation):
            self.server.log(f"{request_id} throttled: every sandbox is busy and the queue is full")
            throttled = {"Message": "Rate Exceeded."}
            self.reply_json(429, throttled, error_type="TooManyRequestsException", request_id=request_id)
            return
        try:
            self._relay(invocation, request_id)
        except _ClientGone:
            invocation.detach()
            self.close_connection = True
        except Exception:
            invocation.detach()  # never leave the runtime blocked on a relay that died
            self.close_connection = True
            raise

    # --- hooks (a front that is not a Function URL, e.g. emulator/api_gateway.py, overrides these) -------------------

    def build_event(self, body: bytes, request_id: str) -> tuple[dict[str, Any], str | None]:
        """The invocation event for the current request and its trace id: here the payload 2.0 event."""
        event = build_url_event(
            method=self.command,
            target=self.path,
            headers=self.headers.items(),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
            config=self.server.url_config,
            request_id=request_id,
        )
        return event, event["headers"].get("x-amzn-trace-id")

    def next_event(self, invocation: Invocation) -> ResponseEvent:
        """The invocation's next response event; a front with its own time limits returns an abort instead."""
        return invocation.wait_event()

    def write_chunk(self, data: bytes) -> None:
        """Send one body chunk to the client (a front with a bandwidth cap paces here)."""
        self._write(encode_chunk(data))

    def prelude_parser(self) -> PreludeParser:
        """The parser of the HTTP-integration prelude, with the front's window."""
        return PreludeParser()

    def _signature_holds(self, body: bytes, request_id: str) -> bool:
        """True without ``iam_auth`` or when SigV4 holds; else answers the URL's 403 and returns False."""
        verifier = self.server.iam_auth
        if verifier is None:
            return True
        reason = verifier.check(self.command, self.path, self.headers.items(), body)
        if reason is None:
            return True
        self.server.log(f"{request_id} refused with 403: SigV4 check failed: {reason}")
        self.reply_json(403, FORBIDDEN_BODY, request_id=request_id)
        return False

    # --- response -----------------------------------------------------------------------------------------------

    def _preflight(self, headers: list[tuple[str, str]]) -> None:
        """The front's own answer to a CORS preflight: 200, no body, the function is not invoked."""
        try:
            self.send_response(200)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            self.end_headers()
        except OSError:
            self.close_connection = True

    def reply_json(
        self,
        status: int,
        body: object,
        *,
        error_type: str | None = None,
        request_id: str | None = None,
        close: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A JSON answer with the Lambda service's ``x-amzn-ErrorType`` / ``x-amzn-RequestId`` headers when given."""
        all_headers = dict(self._cors_headers)
        all_headers.update(headers or {})
        if error_type:
            all_headers["x-amzn-ErrorType"] = error_type
        if request_id:
            all_headers["x-amzn-RequestId"] = request_id
        self.send_json(status, body, headers=all_headers, close=close)

    def _internal_error(self, error_type: str, request_id: str) -> None:
        """The 502 a Function URL answers for a function error (see the module docstring)."""
        self.reply_json(502, {"Message": "Internal Server Error"}, error_type=error_type, request_id=request_id)

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
        except OSError as exc:
            raise _ClientGone from exc

    def _fail(self, event: FunctionError | InvocationAborted, request_id: str) -> None:
        if isinstance(event, FunctionError):
            self.server.log(f"{request_id} function error {event.error_type}: {event.body.decode('utf-8', 'replace')}")
            self._internal_error(event.error_type, request_id)
        elif event.error_type == "Sandbox.Timeout":
            self.server.log(f"{request_id} {event.message}")
            body = {"Message": "Endpoint request timed out"}
            self.reply_json(504, body, error_type=event.error_type, request_id=request_id)
        else:
            self.server.log(f"{request_id} {event.error_type}: {event.message}")
            self._internal_error(event.error_type, request_id)

    def _relay(self, invocation: Invocation, request_id: str) -> None:
        first = self.next_event(invocation)
        if isinstance(first, FunctionError | InvocationAborted):
            self._fail(first, request_id)
            return
        if not isinstance(first, ResponseStart):
            raise AssertionError(f"unexpected first event {first!r}")
        media = first.content_type.split(";", 1)[0].strip().lower()
        if media == INTEGRATION_CONTENT_TYPE:
            pending = self._await_prelude(invocation, request_id)
            if pending is None:
                return
            status, headers, body = pending
        else:
            # Headers wait for the first body byte, so that an error before it can still become a 502.
            pending = self._await_first_byte(invocation, request_id, first.content_type)
            if pending is None:
                return
            status, headers, body = pending
        self._stream(invocation, request_id, status, headers, body)

    def _end_before_body(self, event: ResponseEvent, request_id: str, content_type: str) -> None:
        """A terminal event before any body byte: 502 for an error, else an empty 200."""
        if isinstance(event, FunctionError | InvocationAborted):
            self._fail(event, request_id)
        elif isinstance(event, ResponseEnd) and event.error_type is not None:
            detail = decode_error_body(event.error_body)
            self.server.log(f"{request_id} stream failed before its first byte: {event.error_type} {detail}")
            self._internal_error(event.error_type, request_id)
        else:
            self._stream_headers(200, [("Content-Type", content_type)], request_id)
            if not self._bodyless(200):
                self._write(LAST_CHUNK)

    def _await_first_byte(
        self, invocation: Invocation, request_id: str, content_type: str
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        event = self.next_event(invocation)
        if isinstance(event, ResponseChunk):
            return 200, [("Content-Type", content_type)], event.data
        self._end_before_body(event, request_id, content_type)
        return None

    def _await_prelude(
        self, invocation: Invocation, request_id: str
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        parser = self.prelude_parser()
        while True:
            event = self.next_event(invocation)
            if isinstance(event, ResponseChunk):
                try:
                    rest = parser.feed(event.data)
                except PreludeError as exc:
                    invocation.detach()
                    self.server.log(f"{request_id} invalid prelude: {exc}")
                    self._internal_error("Runtime.InvalidPrelude", request_id)
                    return None
                if rest is not None and parser.prelude is not None:
                    prelude = parser.prelude
                    headers = [(k, v) for k, v in prelude.headers if k.lower() not in _HOP_BY_HOP]
                    headers += [("Set-Cookie", cookie) for cookie in prelude.cookies]
                    if not any(k.lower() == "content-type" for k, _ in headers):
                        headers.append(("Content-Type", "application/octet-stream"))
                    return prelude.status_code, headers, rest
            elif isinstance(event, ResponseEnd) and event.error_type is None and parser.buffered:
                self.server.log(f"{request_id} response ended inside the prelude")
                self._internal_error("Runtime.InvalidPrelude", request_id)
                return None
            else:
                self._end_before_body(event, request_id, "application/octet-stream")
                return None

    def _bodyless(self, status: int) -> bool:
        return self.command == "HEAD" or status in (204, 304) or 100 <= status < 200

    def _stream_headers(self, status: int, headers: list[tuple[str, str]], request_id: str) -> None:
        headers = headers + list(self._cors_headers)
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(_latin1(name), _latin1(value))
            self.send_header("x-amzn-RequestId", request_id)
            if not self._bodyless(status):
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
        except OSError as exc:
            raise _ClientGone from exc

    def _stream(
        self, invocation: Invocation, request_id: str, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self._stream_headers(status, headers, request_id)
        if self._bodyless(status):
            invocation.detach()  # no body may follow these; the function's output is discarded
            return
        if body:
            self.write_chunk(body)
        while True:
            event = self.next_event(invocation)
            if isinstance(event, ResponseChunk):
                self.write_chunk(event.data)
            elif isinstance(event, ResponseEnd):
                if event.error_type is None:
                    self._write(LAST_CHUNK)
                    return
                detail = decode_error_body(event.error_body)
                self.server.log(f"{request_id} stream ended with error {event.error_type}: {detail}")
                self._truncate()
                return
            elif isinstance(event, FunctionError | InvocationAborted):
                message = event.message if isinstance(event, InvocationAborted) else event.body.decode()
                self.server.log(f"{request_id} stream cut: {event.error_type}: {message}")
                self._truncate()
                return

    def _truncate(self) -> None:
        """End the response without the terminating chunk: close the connection so the client sees it."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
