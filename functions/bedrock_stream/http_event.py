"""Lambda invocation events -> one normalized :class:`HttpRequest` (pure; no I/O).

Understands the Function URL event (payload format 2.0, AWS Lambda developer guide urls-invocation.html
#urls-request-payload), the API Gateway REST proxy event (payload 1.0) and direct ``InvokeWithResponseStream``
payloads, where the event *is* the native request body. See docs/lambda-streaming.md, "Events".
Which events are HTTP events is the runtime's own test (:func:`streaming_runtime.integration.is_http_event`, re-exported
here), so the app answers with a status exactly when the runtime sends a prelude.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from bedrock_stream.errors import InvalidRequestError, PayloadTooLargeError
from bedrock_stream.rest_event import parse_rest_head
from streaming_runtime.integration import is_http_event

__all__ = ["HttpRequest", "is_http_event", "parse_event", "parse_head", "read_body"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest:
    """What the routes need from an event. Header names are lower-case; repeated values comma-joined."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    is_http: bool = True
    direct_payload: Any = None
    """For direct invokes: the decoded event itself (already JSON), used as the native request body."""
    api_key_id: str | None = None
    """The API Gateway API key's id (REST proxy events of a method with ``apiKeyRequired``); never the key."""


def parse_event(event: object, *, max_body_bytes: int) -> HttpRequest:
    """Normalize ``event``; raise :class:`InvalidRequestError` / :class:`PayloadTooLargeError` for bad bodies."""
    head = parse_head(event)
    return read_body(head, event, max_body_bytes=max_body_bytes) if head.is_http else head


def read_body(head: HttpRequest, event: object, *, max_body_bytes: int) -> HttpRequest:
    """``head`` with the body of the HTTP ``event``; raise for a bad or too large body."""
    assert isinstance(event, dict)
    return replace(head, body=_body(event, max_body_bytes))


def parse_head(event: object) -> HttpRequest:
    """Method, path, headers and query of ``event`` (no body yet), so a caller can pick the route before it reads
    the body, and answer a body error in that route's shape. Direct invokes come back complete."""
    if not is_http_event(event):
        return HttpRequest(method="POST", path="/", is_http=False, direct_payload=event)
    assert isinstance(event, dict)
    context = event.get("requestContext") or {}
    http = context.get("http") if isinstance(context, dict) else None
    if isinstance(http, dict):  # payload 2.0
        method = str(http.get("method") or "GET")
        path = str(event.get("rawPath") or http.get("path") or "/")
        query = _query_v2(event)
    else:  # REST proxy 1.0 (bedrock_stream.rest_event)
        rest = parse_rest_head(event)
        return HttpRequest(
            method=rest.method, path=rest.path, headers=_headers(event), query=rest.query, api_key_id=rest.api_key_id
        )
    return HttpRequest(method=method.upper(), path=path, headers=_headers(event), query=query)


def _headers(event: Mapping[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        for name, values in multi.items():
            if isinstance(values, list):
                headers[str(name).lower()] = ",".join(str(v) for v in values)
    single = event.get("headers")
    if isinstance(single, dict):
        for name, value in single.items():
            if value is not None:
                headers.setdefault(str(name).lower(), str(value))
    return headers


def _query_v2(event: Mapping[str, Any]) -> dict[str, str]:
    raw = event.get("rawQueryString")
    if isinstance(raw, str) and raw:
        return dict(parse_qsl(raw, keep_blank_values=True))
    params = event.get("queryStringParameters")
    return {str(k): str(v) for k, v in params.items()} if isinstance(params, dict) else {}


def _body(event: Mapping[str, Any], limit: int) -> bytes:
    raw = event.get("body")
    if raw is None or raw == "":
        return b""
    if not isinstance(raw, str):
        raise InvalidRequestError("the event body must be a string")
    if event.get("isBase64Encoded"):
        # base64 is 4/3 the size: reject early without decoding a huge body.
        if len(raw) > (limit + 2) // 3 * 4 + 4:
            raise _too_large(limit)
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequestError("the request body is marked base64 but is not valid base64") from None
    else:
        body = raw.encode("utf-8", "surrogatepass")
    if len(body) > limit:
        raise _too_large(limit)
    return body


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"the request body exceeds the limit of {limit} bytes")
