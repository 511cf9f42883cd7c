"""A local Lambda Runtime API server (version 2018-06-01) for one function process.

Follows the AWS Lambda developer guide, runtimes-api.html and runtimes-custom.html#runtimes-custom-response-streaming,
as summarised in docs/lambda-streaming.md (behaviour AWS does not document from
https://github.com/aws/aws-lambda-runtime-interface-emulator ``internal/lambda/rapi``):

* ``GET /runtime/invocation/next`` long-polls and returns the event with the ``Lambda-Runtime-*`` headers.
* ``POST /runtime/invocation/{id}/response``: buffered (limit 6 MiB + 100 bytes, else 413) or streamed
  (``Lambda-Runtime-Function-Response-Mode: streaming``, chunked, optional error trailers); each chunk is relayed to
  the caller as it arrives. Answers 202; 400 for an unknown request id, a bad response-mode header or a truncated
  body; 403 for a second response; 410 for a stale ``Lambda-Runtime-Invocation-Id``; 413 when too large.
* ``POST /runtime/invocation/{id}/error`` and ``POST /runtime/init/error``.
* SnapStart (``--snapstart``; runtimes-api.html, "Restore"): ``GET /runtime/restore/next`` marks the end of init and
  the before-snapshot hooks; the emulator takes no real snapshot, it answers 200 at once as if the environment had
  been resumed. ``POST /runtime/restore/error`` reports a failed after-restore hook (202; the process then exits).
  Outside a SnapStart init, ``/restore/next`` is refused with 403.

The body is read as fast as the runtime sends it, whatever the caller's pace: chunks go to the invocation's bounded
buffer (emulator/invocation.py), never straight to the caller's socket, so a slow or vanished caller never blocks
the runtime's writes and the runtime's own ending (success or error trailers) always ends the invocation.

As in Lambda, each execution environment has its own Runtime API; the emulator starts one server per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from emulator.chunked import ChunkedError, ChunkedReader
from emulator.http_base import BodyReadError, BodyTooLargeError, LoopbackServer, StreamingRequestHandler
from emulator.invocation import (
    FunctionError,
    Invocation,
    InvocationAborted,
    InvocationStateError,
    ResponseChunk,
    ResponseEnd,
    ResponseStart,
)

__all__ = [
    "BUFFERED_LIMIT",
    "ERROR_BODY_LIMIT",
    "STREAMED_LIMIT",
    "RuntimeApiServer",
    "RuntimeBackend",
]

BUFFERED_LIMIT = 6 * 1024 * 1024 + 100
STREAMED_LIMIT = 200 * 1024 * 1024
ERROR_BODY_LIMIT = 1024 * 1024
_PREFIX = "/2018-06-01/runtime/"
_ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"
_ERROR_BODY = "Lambda-Runtime-Function-Error-Body"


class RuntimeBackend(Protocol):
    """What the server needs from the sandbox that owns it."""

    timeout_s: float
    function_arn: str

    def next_invocation(self, server: RuntimeApiServer) -> Invocation | None:
        """Block until an invocation is assigned to this process; None if the process is stale."""
        ...

    def lookup(self, request_id: str) -> Invocation | None:
        """A current or recent invocation by request id."""
        ...

    def init_error(self, error_type: str, body: bytes) -> None:
        """The runtime reported an init failure."""
        ...

    def platform_log(self, message: str) -> None:
        """Record a platform log line (what Lambda writes to the function's log stream)."""
        ...

    def restore_next(self, server: RuntimeApiServer) -> bool:
        """SnapStart: the process finished init and its before-snapshot hooks; True to answer "restored"."""
        ...

    def restore_error(self, error_type: str, body: bytes) -> None:
        """SnapStart: the runtime reported a failed after-restore hook."""
        ...

    def post_ended(self, request_id: str) -> None:
        """The runtime's ``/response`` or ``/error`` post for ``request_id`` has been answered (any outcome)."""
        ...


class RuntimeApiServer(LoopbackServer):
    """The Runtime API for one function process, bound to ``host:port`` (port 0 = ephemeral)."""

    body_timeout_s = None  # the function's own deadline bounds a slow runtime

    def __init__(self, backend: RuntimeBackend, host: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend
        super().__init__((host, port), _RuntimeHandler)

    @property
    def address(self) -> str:
        """``host:port``, the value of ``AWS_LAMBDA_RUNTIME_API``."""
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"


class _RuntimeHandler(StreamingRequestHandler):
    server: RuntimeApiServer

    # --- plumbing ---------------------------------------------------------------------------------------------

    bare_responses = True

    def _reply(self, status: int, body: object, *, close: bool = False) -> None:
        self.send_json(status, body, close=close)

    def _error_reply(self, status: int, error_type: str, message: str, *, close: bool = False) -> None:
        self._reply(status, {"errorMessage": message, "errorType": error_type}, close=close)

    def _find(self, request_id: str) -> Invocation | None:
        """The invocation for a response or error post, or None after answering 400/410."""
        invocation = self.server.backend.lookup(request_id)
        if invocation is None:
            self._error_reply(400, "InvalidRequestID", f"unknown request id {request_id!r}", close=True)
            return None
        nonce = self.headers.get("Lambda-Runtime-Invocation-Id")
        if nonce is not None and nonce != invocation.invocation_id:
            self._error_reply(410, "InvocationGone", "stale Lambda-Runtime-Invocation-Id for this request", close=True)
            return None
        return invocation

    # --- routes -----------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        """``/runtime/invocation/next``, ``/runtime/restore/next``."""
        if self.path.split("?", 1)[0] == _PREFIX + "restore/next":
            self._restore_next()
            return
        if self.path.split("?", 1)[0] != _PREFIX + "invocation/next":
            self._error_reply(404, "NotFound", f"no route for GET {self.path}")
            return
        invocation = self.server.backend.next_invocation(self.server)
        if invocation is None:
            self._error_reply(500, "Runtime.Stale", "this runtime process has been replaced", close=True)
            return
        backend = self.server.backend
        try:
            self.send_response_only(200)
            self.send_header("Content-Type", invocation.content_type)
            self.send_header("Content-Length", str(len(invocation.payload)))
            self.send_header("Lambda-Runtime-Aws-Request-Id", invocation.request_id)
            self.send_header("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms))
            self.send_header("Lambda-Runtime-Invoked-Function-Arn", backend.function_arn)
            if invocation.trace_id:
                self.send_header("Lambda-Runtime-Trace-Id", invocation.trace_id)
            if invocation.client_context:
                self.send_header("Lambda-Runtime-Client-Context", invocation.client_context)
            if invocation.cognito_identity:
                self.send_header("Lambda-Runtime-Cognito-Identity", invocation.cognito_identity)
            self.send_header("Lambda-Runtime-Invocation-Id", invocation.invocation_id)
            self.end_headers()
            self.wfile.write(invocation.payload)
        except OSError as exc:
            message = f"runtime went away while taking the event: {exc}"
            invocation.finish(InvocationAborted("Runtime.ExitError", message))
            self.close_connection = True

    def do_POST(self) -> None:
        """``/response``, ``/error``, ``/init/error``."""
        path = self.path.split("?", 1)[0]
        if path == _PREFIX + "init/error":
            self._init_error()
            return
        if path == _PREFIX + "restore/error":
            self._restore_error()
            return
        parts = path[len(_PREFIX) :].split("/") if path.startswith(_PREFIX) else []
        if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            try:
                if parts[2] == "response":
                    self._response(parts[1])
                else:
                    self._invocation_error(parts[1])
            finally:
                self.server.backend.post_ended(parts[1])
            return
        self._error_reply(404, "NotFound", f"no route for POST {self.path}", close=True)

    def _init_error(self) -> None:
        self._platform_error("init", self.server.backend.init_error)

    def _restore_next(self) -> None:
        if not self.server.backend.restore_next(self.server):
            self._error_reply(403, "InvalidStateTransition", "restore/next outside a SnapStart init", close=True)
            return
        self._reply(200, {})

    def _restore_error(self) -> None:
        self._platform_error("restore", self.server.backend.restore_error)

    def _platform_error(self, phase: str, report: Callable[[str, bytes], None]) -> None:
        """``/init/error`` and ``/restore/error``: read the body, hand type and body to ``report``, answer 202."""
        try:
            body = self.read_body(ERROR_BODY_LIMIT)
        except BodyReadError as exc:
            self._error_reply(400, "InvalidRequest", f"bad {phase} error body: {exc}", close=True)
            return
        report(self.headers.get(_ERROR_TYPE) or "Runtime.Unknown", body)
        self._reply(202, {"status": "OK"})

    def _invocation_error(self, request_id: str) -> None:
        invocation = self._find(request_id)
        if invocation is None:
            return
        try:
            invocation.begin_response()
        except InvocationStateError as exc:
            self._error_reply(403, "InvalidStateTransition", str(exc), close=True)
            return
        try:
            body = self.read_body(ERROR_BODY_LIMIT)
        except BodyReadError as exc:
            invocation.finish(InvocationAborted("Runtime.TruncatedResponse", f"error report unreadable: {exc}"))
            self._error_reply(400, "InvalidRequest", str(exc), close=True)
            return
        error_type = self.headers.get(_ERROR_TYPE) or "Runtime.Unknown"
        invocation.finish(FunctionError(error_type, body))
        self._reply(202, {"status": "OK"})

    def _response(self, request_id: str) -> None:
        invocation = self._find(request_id)
        if invocation is None:
            return
        try:
            invocation.begin_response()  # the state is checked first, as RAPID does
        except InvocationStateError as exc:
            self._error_reply(403, "InvalidStateTransition", str(exc), close=True)
            return
        mode = self.headers.get("Lambda-Runtime-Function-Response-Mode") or None  # empty = no header = buffered
        if mode is not None and mode != "streaming":
            invocation.finish(
                InvocationAborted("Runtime.InvalidResponseModeHeader", f"invalid response mode header {mode!r}")
            )
            self._error_reply(400, "InvalidFunctionResponseMode", f"invalid response mode {mode!r}", close=True)
            return
        content_type = self.headers.get("Content-Type") or "application/octet-stream"
        if mode == "streaming":
            self._streamed_response(invocation, content_type)
        else:
            self._buffered_response(invocation, content_type)

    def _buffered_response(self, invocation: Invocation, content_type: str) -> None:
        try:
            body = self.read_body(BUFFERED_LIMIT)
        except BodyTooLargeError as exc:
            invocation.finish(InvocationAborted("Function.ResponseSizeTooLarge", str(exc)))
            self._error_reply(413, "RequestEntityTooLarge", str(exc), close=True)
            return
        except BodyReadError as exc:
            invocation.finish(InvocationAborted("Runtime.TruncatedResponse", str(exc)))
            self._error_reply(400, "InvalidRequest", "HTTP request detected as truncated", close=True)
            return
        invocation.emit(ResponseStart(content_type, streaming=False))
        if body:
            invocation.emit(ResponseChunk(body))
        invocation.finish(ResponseEnd())
        self._reply(202, {"status": "OK"})

    def _streamed_response(self, invocation: Invocation, content_type: str) -> None:
        invocation.emit(ResponseStart(content_type, streaming=True))
        if not self.is_chunked():
            # Not what the docs ask for, but a Content-Length body is still a complete response.
            self._buffered_tail(invocation)
            return
        reader = ChunkedReader(self.rfile)
        total = 0
        try:
            while (piece := reader.read()) is not None:
                total += len(piece)
                if total > STREAMED_LIMIT:
                    message = f"streamed response larger than {STREAMED_LIMIT} bytes"
                    invocation.finish(ResponseEnd("Function.ResponseSizeTooLarge", None))
                    self.server.backend.platform_log(message)
                    self._error_reply(413, "RequestEntityTooLarge", message, close=True)
                    return
                invocation.emit(ResponseChunk(piece))
        except (ChunkedError, OSError) as exc:  # OSError: the runtime reset the connection
            invocation.finish(InvocationAborted("Runtime.TruncatedResponse", str(exc)))
            self._error_reply(400, "InvalidRequest", "HTTP request detected as truncated", close=True)
            return
        invocation.finish(ResponseEnd(reader.trailer(_ERROR_TYPE), reader.trailer(_ERROR_BODY)))
        self._reply(202, {"status": "OK"})

    def _buffered_tail(self, invocation: Invocation) -> None:
        try:
            body = self.read_body(STREAMED_LIMIT)
        except BodyReadError as exc:
            invocation.finish(InvocationAborted("Runtime.TruncatedResponse", str(exc)))
            self._error_reply(400, "InvalidRequest", "HTTP request detected as truncated", close=True)
            return
        if body:
            invocation.emit(ResponseChunk(body))
        invocation.finish(ResponseEnd())
        self._reply(202, {"status": "OK"})
