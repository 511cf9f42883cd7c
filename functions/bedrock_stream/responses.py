"""Response headers and the JSON responses that are not streams (errors, ``GET /models``, assembled documents)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bedrock_stream.encoders.base import dumps, utf8
from bedrock_stream.encoders.ndjson import NdjsonEncoder
from bedrock_stream.errors import AppError, InvalidApiKeyError, MethodNotAllowedError
from streaming_runtime import StreamingResponse

__all__ = ["base_headers", "direct_error_body", "error_response", "json_response"]

JSON = "application/json"


def base_headers(content_type: str, request_id: str) -> dict[str, str]:
    """Headers every response carries."""
    headers = {
        "content-type": content_type,
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
        "x-request-id": request_id,
    }
    if content_type.startswith("text/event-stream"):
        headers["x-accel-buffering"] = "no"
    return headers


def json_response(
    document: str | dict[str, Any],
    *,
    request_id: str,
    status: int = 200,
    content_type: str = JSON,
    extra_headers: Mapping[str, str] | None = None,
) -> StreamingResponse:
    """A complete JSON document as a one-chunk body."""
    text = document if isinstance(document, str) else dumps(document)
    headers = {**base_headers(content_type, request_id), **(extra_headers or {})}
    return StreamingResponse(status_code=status, headers=headers, body=(utf8(text),))


def error_response(exc: AppError, *, request_id: str, body: Mapping[str, Any] | None = None) -> StreamingResponse:
    """The JSON error response for an error found before the first body byte (``body``: instead of the default)."""
    headers = base_headers(JSON, request_id)
    if exc.retry_after is not None:
        headers["retry-after"] = str(exc.retry_after)
    if isinstance(exc, MethodNotAllowedError):
        headers["allow"] = ", ".join(exc.allowed)
    if isinstance(exc, InvalidApiKeyError):
        headers["www-authenticate"] = exc.challenge
    document = exc.to_dict() if body is None else dict(body)
    return StreamingResponse(status_code=exc.status_code, headers=headers, body=(utf8(dumps(document)),))


def direct_error_body(exc: AppError) -> Iterator[bytes]:
    """Direct invokes have no status line: an NDJSON error line, then raise so the invoke reports the error."""
    yield utf8(NdjsonEncoder().error(exc))
    raise exc
