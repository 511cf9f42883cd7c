"""A local Lambda Invoke API, so real boto3 ``invoke`` / ``invoke_with_response_stream`` work against the emulator.

Per the AWS Lambda API reference (API_Invoke.html, API_InvokeWithResponseStream.html) and
docs/lambda-streaming.md ("Events"), served on the Function URL's port under the API's own paths:

* ``POST /2015-03-31/functions/{name}/invocations``: the whole response as the body (prelude included for
  streamed functions, as Lambda does for a buffered Invoke); function errors as ``X-Amz-Function-Error: Unhandled``
  with the error JSON; ``X-Amz-Invocation-Type: Event`` answers 202 at once, ``DryRun`` 204.
* ``POST /2021-11-15/functions/{name}/response-streaming-invocations``: HTTP 200, ``Content-Type`` = the runtime's
  content type, body = an ``application/vnd.amazon.eventstream`` stream of ``PayloadChunk`` events relayed as they
  arrive, then one ``InvokeComplete`` (``ErrorCode``/``ErrorDetails`` from error trailers or a function error).

``{name}`` is any ``FunctionName`` form Lambda accepts (``emulator.function_names``). Every request body is read
before the answer, so an error never cuts the client's upload short. Errors follow the Lambda API's error shapes
(API_Invoke.html, Errors; the fields are those of botocore's Lambda model): 400 ``ValidationException`` (a
malformed name) or ``InvalidRequestContentException`` (a bad ``Content-Length``, a body shorter than announced), 404
``ResourceNotFoundException``, 413 ``RequestTooLargeException`` (the payload is an invocation payload, 6 MB:
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), 429 ``TooManyRequestsException`` with
``Reason: ReservedFunctionConcurrentInvocationLimitExceeded`` when every sandbox is busy and the queue is full;
each as ``{"Type": "User", "message": ...}`` with ``x-amzn-ErrorType`` and ``x-amzn-RequestId``.

The event the runtime receives is exactly the request payload. ``X-Amz-Client-Context`` (base64) becomes
``Lambda-Runtime-Client-Context``. Frames use ``emulator.eventstream.encode_message``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import uuid
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from emulator.chunked import LAST_CHUNK, encode_chunk
from emulator.eventstream import encode_message
from emulator.function_names import FunctionNameError, FunctionNotFound, resolve_function
from emulator.http_base import BodyReadError
from emulator.invocation import (
    FunctionError,
    Invocation,
    InvocationAborted,
    ResponseChunk,
    ResponseEnd,
    ResponseEvent,
    ResponseStart,
    TerminalEvent,
    decode_error_body,
)

if TYPE_CHECKING:
    from emulator.function_url import FunctionUrlHandler
    from emulator.launcher import FunctionConfig

__all__ = ["INVOKE_PREFIXES", "handle_invoke_api"]

INVOKE_PREFIXES = ("/2015-03-31/functions/", "/2021-11-15/functions/")
_ROUTE = re.compile(r"^/(2015-03-31|2021-11-15)/functions/([^/]+)/(invocations|response-streaming-invocations)$")
_MAX_PAYLOAD = 6 * 1024 * 1024
_TOO_LARGE = f"Request must be smaller than {_MAX_PAYLOAD} bytes for the InvokeFunction operation"


def _payload_chunk(data: bytes) -> bytes:
    headers = [
        (":event-type", "PayloadChunk"),
        (":content-type", "application/octet-stream"),
        (":message-type", "event"),
    ]
    return encode_message(headers, data)


def _invoke_complete(error_code: str | None, details: str | None) -> bytes:
    body: dict[str, str] = {}
    if error_code:
        body["ErrorCode"] = error_code
    if details:
        body["ErrorDetails"] = details
    headers = [(":event-type", "InvokeComplete"), (":content-type", "application/json"), (":message-type", "event")]
    return encode_message(headers, json.dumps(body).encode())


def _terminal_error(event: TerminalEvent) -> tuple[str | None, str | None]:
    """(error code, details) of a terminal event; (None, None) for a clean end."""
    if isinstance(event, ResponseEnd):
        if event.error_type is None:
            return None, None
        return event.error_type, decode_error_body(event.error_body)
    if isinstance(event, FunctionError):
        return event.error_type, event.body.decode("utf-8", "replace")
    return event.error_type, json.dumps({"errorType": event.error_type, "errorMessage": event.message})


def _client_context(handler: FunctionUrlHandler) -> str | None:
    raw = handler.headers.get("X-Amz-Client-Context")
    if not raw:
        return None
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _error(handler: FunctionUrlHandler, status: int, error_type: str, message: str, **extra: str) -> None:
    body = {"Type": "User", "message": message, **extra}
    handler.reply_json(status, body, error_type=error_type, request_id=str(uuid.uuid4()))


def handle_invoke_api(handler: FunctionUrlHandler, config: FunctionConfig) -> bool:
    """Serve an Invoke API request; False if the path is not one of its routes (then it is a URL request)."""
    target = urlsplit(handler.path)
    match = _ROUTE.match(target.path)
    if handler.command != "POST" or match is None:
        return False
    try:
        payload = handler.read_body(_MAX_PAYLOAD)
    except BodyReadError as exc:
        if exc.status == 413:
            _error(handler, 413, "RequestTooLargeException", _TOO_LARGE)
        else:
            _error(handler, 400, "InvalidRequestContentException", str(exc))
        return True
    qualifier = parse_qs(target.query).get("Qualifier", [None])[0]
    try:
        resolve_function(
            match.group(2), qualifier, name=config.function_name, region=config.region, account_id=config.account_id
        )
    except FunctionNameError as exc:
        _error(handler, 400, "ValidationException", str(exc))
        return True
    except FunctionNotFound as exc:
        _error(handler, 404, "ResourceNotFoundException", str(exc))
        return True
    invocation = Invocation(payload=payload or b"{}", client_context=_client_context(handler))
    streaming = match.group(3) == "response-streaming-invocations"
    invocation_type = handler.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    if invocation_type == "DryRun":
        handler.send_response(204)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return True
    if not handler.server.invoke(invocation):
        reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
        _error(handler, 429, "TooManyRequestsException", "Rate Exceeded.", Reason=reason)
        return True
    if invocation_type == "Event" and not streaming:
        threading.Thread(target=_drain, args=(invocation,), daemon=True).start()
        handler.send_response(202)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return True
    if streaming:
        _stream(handler, invocation)
    else:
        _buffered(handler, invocation)
    return True


def _drain(invocation: Invocation) -> None:
    while not isinstance(invocation.wait_event(), ResponseEnd | FunctionError | InvocationAborted):
        pass


def _buffered(handler: FunctionUrlHandler, invocation: Invocation) -> None:
    content_type = "application/json"
    parts: list[bytes] = []
    while True:
        event = invocation.wait_event()
        if isinstance(event, ResponseStart):
            content_type = event.content_type
        elif isinstance(event, ResponseChunk):
            parts.append(event.data)
        else:
            break
    code, details = _terminal_error(event)
    body = b"".join(parts)[:_MAX_PAYLOAD] if code is None else (details or "").encode()
    handler.send_response(200)
    handler.send_header("Content-Type", content_type if code is None else "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("X-Amz-Executed-Version", "$LATEST")
    if code is not None:
        handler.send_header("X-Amz-Function-Error", "Unhandled")
    handler.end_headers()
    handler.wfile.write(body)


def _stream(handler: FunctionUrlHandler, invocation: Invocation) -> None:
    first = invocation.wait_event()
    content_type = first.content_type if isinstance(first, ResponseStart) else "application/octet-stream"
    event: ResponseEvent = first
    try:  # a client already gone fails on the headers too: detach the invocation either way
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("X-Amz-Executed-Version", "$LATEST")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        while not isinstance(event, ResponseEnd | FunctionError | InvocationAborted):
            if isinstance(event, ResponseChunk):
                handler.wfile.write(encode_chunk(_payload_chunk(event.data)))
            event = invocation.wait_event()
        code, details = _terminal_error(event)
        handler.wfile.write(encode_chunk(_invoke_complete(code, details)) + LAST_CHUNK)
    except OSError:
        invocation.detach()
        handler.close_connection = True
