"""A local Lambda Invoke API, so real boto3 ``invoke`` / ``invoke_with_response_stream`` work against the emulator.

Per the AWS Lambda API reference (API_Invoke.html, API_InvokeWithResponseStream.html) and
docs/lambda-streaming.md ("Events"), served on the Function URL's port under the API's own paths:

* ``POST /2015-03-31/functions/{name}/invocations``: the whole response as the body (prelude included for
  streamed functions, as Lambda does for a buffered Invoke); function errors as ``X-Amz-Function-Error: Unhandled``
  with the error JSON; ``X-Amz-Invocation-Type: Event`` answers 202 at once, ``DryRun`` 204.
* ``POST /2021-11-15/functions/{name}/response-streaming-invocations``: HTTP 200, ``Content-Type`` = the runtime's
  content type, body = an ``application/vnd.amazon.eventstream`` stream of ``PayloadChunk`` events relayed as they
  arrive, then one ``InvokeComplete`` (``ErrorCode``/``ErrorDetails`` from error trailers or a function error).

The event the runtime receives is exactly the request payload. ``X-Amz-Client-Context`` (base64) becomes
``Lambda-Runtime-Client-Context``. Frames use ``emulator.eventstream.encode_message``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from typing import TYPE_CHECKING

from emulator.chunked import LAST_CHUNK, encode_chunk
from emulator.eventstream import encode_message
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

__all__ = ["INVOKE_PREFIXES", "handle_invoke_api"]

INVOKE_PREFIXES = ("/2015-03-31/functions/", "/2021-11-15/functions/")
_ROUTE = re.compile(r"^/(2015-03-31|2021-11-15)/functions/([^/]+)/(invocations|response-streaming-invocations)$")
_MAX_PAYLOAD = 6 * 1024 * 1024


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


def handle_invoke_api(handler: FunctionUrlHandler, function_name: str) -> bool:
    """Serve an Invoke API request; False if the path is not one of its routes (then it is a URL request)."""
    match = _ROUTE.match(handler.path.split("?", 1)[0])
    if handler.command != "POST" or match is None:
        return False
    name = match.group(2)
    if name != function_name and not name.endswith(f":function:{function_name}"):
        handler.send_json(
            404,
            {"Type": "User", "Message": f"Function not found: {name}"},
            error_type="ResourceNotFoundException",
        )
        return True
    payload = handler.read_body()
    if payload is None:
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
        handler.send_json(429, {"Message": "Rate Exceeded."}, error_type="TooManyRequestsException")
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
