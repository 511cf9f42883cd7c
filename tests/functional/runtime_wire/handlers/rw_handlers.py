"""Tiny handlers for the runtime wire tests (imported by the real runtime process via PYTHONPATH)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streaming_runtime import StreamingResponse


def stream_items(event: dict[str, Any], context: Any) -> StreamingResponse:
    """Streams ``event["items"]`` (str, encoded to UTF-8) with the status/headers/cookies the event asks for."""
    return StreamingResponse(
        status_code=event.get("status", 200),
        headers=event.get("headers_out", {}),
        cookies=event.get("cookies_out", ()),
        body=(item.encode("utf-8") for item in event.get("items", [])),
    )


def context_echo(event: Any, context: Any) -> StreamingResponse:
    """One JSON chunk describing the context, the trace env var and the head of sys.path."""
    doc = {
        "aws_request_id": context.aws_request_id,
        "deadline_ms": context.deadline_ms,
        "remaining": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "tenant_id": context.tenant_id,
        "invocation_id": context.invocation_id,
        "identity_id": context.identity.cognito_identity_id,
        "identity_pool_id": context.identity.cognito_identity_pool_id,
        "client_app_title": context.client_context.client.app_title if context.client_context else None,
        "client_custom": context.client_context.custom if context.client_context else None,
        "trace_env": os.environ.get("_X_AMZN_TRACE_ID"),
        "sys_path": sys.path,
        "version": list(sys.version_info[:2]),
    }
    return StreamingResponse(headers={"content-type": "application/json"}, body=[json.dumps(doc).encode()])


def _fail_mid() -> Iterator[bytes]:
    yield b"partial"
    raise ValueError("upstream broke\r\nInjected: header")


def fail_mid(event: Any, context: Any) -> StreamingResponse:
    """One chunk, then a ValueError whose message holds CR/LF."""
    return StreamingResponse(headers={"content-type": "text/plain"}, body=_fail_mid())


def str_item(event: Any, context: Any) -> StreamingResponse:
    """Yields a str: a handler bug the runtime reports through the trailers."""
    items: list[Any] = [b"ok", "not bytes"]
    return StreamingResponse(body=iter(items))


def raise_before(event: Any, context: Any) -> StreamingResponse:
    """Raises before returning: the runtime must POST /error."""
    raise RuntimeError("failed before the stream started")


def wrong_return(event: Any, context: Any) -> Any:
    """Returns a buffered-style dict instead of a StreamingResponse."""
    return {"statusCode": 200, "body": "hi"}


def _gated(gate: Path, closed_marker: Path | None) -> Iterator[bytes]:
    try:
        yield b"one"
        deadline = time.monotonic() + 20
        while not gate.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("gate never opened: the first chunk did not reach the Runtime API")
            time.sleep(0.01)
        yield b"two"
        yield b"three"
    finally:
        if closed_marker is not None:
            closed_marker.write_text("closed")


def gated(event: dict[str, Any], context: Any) -> StreamingResponse:
    """Yields b"one", then waits until the test opens ``event["gate"]`` (it does so on receiving that chunk)."""
    marker = event.get("closed_marker")
    return StreamingResponse(
        headers={"content-type": "text/plain"},
        body=_gated(Path(event["gate"]), Path(marker) if marker else None),
    )


class _ClosableBody:
    """An iterable body (not a generator) with its own close(), to prove the runtime calls it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __iter__(self) -> Iterator[bytes]:
        return iter([b"a", b"b"])

    def close(self) -> None:
        self.marker.write_text("closed")


def closable(event: dict[str, Any], context: Any) -> StreamingResponse:
    """A body object with close(); the marker file proves close() ran."""
    return StreamingResponse(body=_ClosableBody(Path(event["closed_marker"])))


not_callable = 42


def powertools(event: Any, context: Any) -> StreamingResponse:
    """A Powertools-decorated handler: the decorator reads the context attributes of the managed runtime."""
    from aws_lambda_powertools import Logger

    logger = Logger(service="wire-test")

    @logger.inject_lambda_context(log_event=False)
    def inner(event: Any, context: Any) -> StreamingResponse:
        logger.info("inside powertools handler")
        return StreamingResponse(body=[b"pt-ok"])

    return inner(event, context)


def _flood(closed_marker: Path, count: int) -> Iterator[bytes]:
    try:
        block = b"x" * 65536
        for _ in range(count):
            yield block
    finally:
        closed_marker.write_text("closed")


def flood(event: dict[str, Any], context: Any) -> StreamingResponse:
    """Yields ``event["count"]`` 64 KiB chunks (default ~6.5 GB: more than any socket buffer holds) as fast as they
    can be written; the marker file proves the body was closed."""
    body = _flood(Path(event["closed_marker"]), int(event.get("count", 100_000)))
    return StreamingResponse(headers={"content-type": "text/plain"}, body=body)


def _late(context: Any, wait_until_ms_left: int) -> Iterator[bytes]:
    yield b"early"
    threading.Event().wait(max(context.get_remaining_time_in_millis() - wait_until_ms_left, 0) / 1000)
    yield b"late"  # produced when less than the runtime's write margin is left


def late_item(event: dict[str, Any], context: Any) -> StreamingResponse:
    """One chunk, then a second one only once ``event["ms_left"]`` ms remain before the deadline."""
    return StreamingResponse(headers={"content-type": "text/plain"}, body=_late(context, int(event["ms_left"])))


def log_things(event: dict[str, Any], context: Any) -> StreamingResponse:
    """A library's INFO record, a library's exception record (a multi-line traceback) and a print() line."""
    import logging

    library = logging.getLogger("some.library")
    library.info("library says hi")
    try:
        raise KeyError("missing")
    except KeyError:
        library.exception("library failed")
    print("printed line")
    return StreamingResponse(body=[b"logged"])
