"""The invocation loop: ``/next`` -> handler -> ``/error`` or a streamed ``/response``, forever.

Implements the handler contract (docs/architecture.md, "The handler contract") over the Runtime API in streaming mode
(AWS Lambda developer guide, runtimes-custom.html#runtimes-custom-response-streaming): an exception before the
handler returns goes to ``/error``; after that the prelude (HTTP events only) is sent as one chunk at once, each body
item is written as its own chunk as soon as it is produced (no buffer, no queue, no thread), and an exception while
iterating ends the body with the error trailers. Writes keep the invocation's deadline (``streaming_runtime.stream``).
Any failure to decode an event is reported to ``/error`` at once. The loop survives every handler error; only a fatal
Runtime API error ends it, except in a Lambda Managed Instances worker (``RuntimeApiClient.multi_concurrent``), where a
failed ``/response`` or ``/error`` post is logged and the worker carries on, as
``LambdaMultiConcurrentRuntimeClient.handle_exception`` does (aws/aws-lambda-python-runtime-interface-client,
awslambdaric/lambda_runtime_client.py); a Runtime API that is really gone then fails the next ``/next``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from streaming_runtime.api import NextEvent, RuntimeApiClient, check_reply
from streaming_runtime.context import (
    INVOCATION_ID,
    REQUEST_ID,
    TENANT_ID,
    TRACE_ID,
    FunctionInfo,
    Invocation,
    LambdaContext,
    parse_invocation,
)
from streaming_runtime.errors import (
    ConnectionLostError,
    FatalRuntimeApiError,
    InvalidEventError,
    InvalidResponseError,
    error_report,
)
from streaming_runtime.handler import Handler
from streaming_runtime.integration import content_type, is_http_event
from streaming_runtime.logs import LOGGER_NAME, set_invocation
from streaming_runtime.response import StreamingResponse
from streaming_runtime.wire import chunk, encode_error_body, header_value, prelude
from streaming_runtime.xray import error_cause

__all__ = ["TRACE_ENV", "Plan", "decode_event", "invoke", "plan_response", "run"]

TRACE_ENV = "_X_AMZN_TRACE_ID"

log = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to send for a valid handler result: Content-Type, the framed first chunk (prelude) and the body."""

    content_type: str
    first_chunk: bytes | None
    body: Iterator[Any]


def decode_event(payload: bytes) -> Any:
    """The event as JSON. Raises ``InvalidEventError`` for any payload ``json.loads`` cannot turn into a value.

    Not only ``ValueError`` (malformed JSON, ``UnicodeDecodeError``): an array nested deeper than the interpreter's
    recursion limit raises ``RecursionError`` and a huge one ``MemoryError``; each is an unmarshal error of this
    invocation, reported to ``/error`` at once like the managed runtime's ``Runtime.UnmarshalError``
    (aws/aws-lambda-python-runtime-interface-client, awslambdaric/lambda_runtime_marshaller.py).
    """
    try:
        return json.loads(payload)
    except Exception as exc:  # ValueError, RecursionError, MemoryError: all mean "this payload cannot be decoded"
        raise InvalidEventError(f"Unable to parse the event payload as JSON: {type(exc).__name__}: {exc}") from exc


def plan_response(response: object, event: object) -> Plan:
    """Validate a handler result and prepare everything that can fail before the stream is opened.

    Raises ``InvalidResponseError`` with a clear message for anything that is not a usable ``StreamingResponse``.
    """
    if not isinstance(response, StreamingResponse):
        raise InvalidResponseError(
            f"The handler returned {type(response).__name__}; a streaming handler must return "
            "streaming_runtime.StreamingResponse"
        )
    http = is_http_event(event)
    try:
        first = chunk(prelude(response.status_code, response.headers, response.cookies)) if http else None
        ctype = content_type(http, response.headers)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidResponseError(f"Invalid StreamingResponse: {exc}") from exc
    if not isinstance(ctype, str) or header_value(ctype) != ctype:
        raise InvalidResponseError(f"Invalid StreamingResponse: content-type {ctype!r} is not a legal header value")
    raw_body: object = response.body
    if isinstance(raw_body, str):
        raise InvalidResponseError("StreamingResponse.body is a str; it must be an iterable of bytes (or one bytes)")
    if isinstance(raw_body, bytes | bytearray | memoryview):
        raw_body = (bytes(raw_body),)  # a whole body given at once: one chunk
    try:
        body = iter(raw_body)  # type: ignore[call-overload]
    except TypeError as exc:
        raise InvalidResponseError(
            f"StreamingResponse.body must be an iterable of bytes, got {type(response.body).__name__}"
        ) from exc
    return Plan(ctype, first, body)


def _close(*objects: object) -> None:
    """Call ``close()`` on each distinct object that has one; failures are logged."""
    seen: set[int] = set()
    for obj in objects:
        close = getattr(obj, "close", None)
        if close is None or id(obj) in seen or not callable(close):
            continue
        seen.add(id(obj))
        try:
            close()
        except Exception:
            log.exception("closing the response body raised")


def _set_trace_id(environ: MutableMapping[str, str], trace_id: str | None) -> None:
    if trace_id:
        environ[TRACE_ENV] = trace_id
    else:
        environ.pop(TRACE_ENV, None)


def _report_error(
    client: RuntimeApiClient, request_id: str, invocation_id: str | None, exc: Exception, *, traced: bool = False
) -> None:
    """Log and ``POST /error``; a traced invocation (it has a trace id) also gets the X-Ray error cause header."""
    report = error_report(exc)
    log.error("invocation failed: %s: %s", report.error_type, report.message)
    client.post_error(request_id, report, invocation_id, error_cause(exc, report) if traced else None)


def _monotonic_deadline(deadline_ms: int) -> float | None:
    """``Lambda-Runtime-Deadline-Ms`` (epoch milliseconds) on the ``time.monotonic()`` clock; ``None`` without one."""
    if deadline_ms <= 0:
        return None
    return time.monotonic() + (deadline_ms / 1000 - time.time())


def _stream(client: RuntimeApiClient, invocation: Invocation, plan: Plan) -> None:
    """Open the streamed ``/response`` and write the prelude, then each body item, then a terminator."""
    request_id = invocation.request_id
    stream = client.open_response(
        request_id, plan.content_type, invocation.invocation_id, _monotonic_deadline(invocation.deadline_ms)
    )
    try:
        if plan.first_chunk is not None:
            stream.send_framed(plan.first_chunk)
        write = stream.write
        for item in plan.body:
            write(item)
    except ConnectionLostError:
        stream.abort()
        raise
    except Exception as exc:
        report = error_report(exc)
        log.error("response stream failed: %s: %s", report.error_type, report.message)
        reply = stream.fail(report.error_type, encode_error_body(report.payload()))
    else:
        reply = stream.finish()
    check_reply(reply, f"/response {request_id}")


def invoke(
    client: RuntimeApiClient,
    handler: Handler,
    function: FunctionInfo,
    next_event: NextEvent,
    environ: MutableMapping[str, str],
) -> None:
    """Run one invocation to completion. Only ``FatalRuntimeApiError`` escapes."""
    headers = next_event.headers
    request_id = headers.get(REQUEST_ID.lower()) or ""
    set_invocation(request_id or None, headers.get(TENANT_ID.lower()) or None)
    try:
        invocation = parse_invocation(headers, next_event.payload)
        event = decode_event(invocation.payload)
    except FatalRuntimeApiError:
        raise
    except Exception as exc:  # InvalidEventError, or a decoding failure nobody foresaw: /error now, never a hang
        if not isinstance(exc, InvalidEventError):
            exc = InvalidEventError(f"Unable to decode the invocation: {type(exc).__name__}: {exc}")
        traced = bool(headers.get(TRACE_ID.lower()))
        _report_error(client, request_id, headers.get(INVOCATION_ID.lower()) or None, exc, traced=traced)
        return
    _set_trace_id(environ, invocation.trace_id)
    context = LambdaContext(invocation, function)
    response: object = None
    try:
        response = handler(event, context)
        plan = plan_response(response, event)
    except Exception as exc:
        if isinstance(response, StreamingResponse):
            _close(response.body)
        _report_error(client, request_id, invocation.invocation_id, exc, traced=invocation.trace_id is not None)
        return
    try:
        _stream(client, invocation, plan)
    except ConnectionLostError as exc:
        log.error("invocation abandoned: %s", exc)
    finally:
        _close(plan.body, getattr(response, "body", None))


def run(
    client: RuntimeApiClient,
    handler: Handler,
    function: FunctionInfo,
    environ: MutableMapping[str, str] | None = None,
) -> None:
    """Serve invocations until the Runtime API fails fatally (then ``FatalRuntimeApiError`` is raised)."""
    env = os.environ if environ is None else environ
    while True:
        next_event = client.next_event()
        try:
            invoke(client, handler, function, next_event, env)
        except FatalRuntimeApiError as exc:
            if not client.multi_concurrent:
                raise
            log.warning("posting the result failed; this runtime worker keeps serving: %s", exc)
        except Exception:
            log.exception("runtime error while handling an invocation; continuing")
