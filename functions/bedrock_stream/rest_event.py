"""The API Gateway REST proxy event (payload format 1.0) -> method, path, query and API key id (pure; no I/O).

Shape per the API Gateway developer guide, "Input format of a Lambda function for proxy integration"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html); a streaming
integration (responseTransferMode STREAM) sends the same event
(https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html). ``path`` is the
request path without the stage (``requestContext.path`` has it), percent-encoded like a Function URL's ``rawPath``
(the surfaces decode path parameters); ``multiValueQueryStringParameters`` holds every value
of a repeated parameter, and the last one wins, as ``queryStringParameters`` and the Function URL event's
``rawQueryString`` give it. ``requestContext.identity.apiKeyId`` names the API key of a method with
``apiKeyRequired``; ``identity.apiKey`` (the key itself) is never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RestHead", "parse_rest_head"]


@dataclass(frozen=True, slots=True)
class RestHead:
    """What the app needs from a REST proxy event besides headers and body."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    api_key_id: str | None = None


def parse_rest_head(event: Mapping[str, Any]) -> RestHead:
    """Method, path, query and API key id of a REST proxy ``event``."""
    context = event.get("requestContext")
    identity = context.get("identity") if isinstance(context, dict) else None
    key_id = identity.get("apiKeyId") if isinstance(identity, dict) else None
    return RestHead(
        method=str(event.get("httpMethod") or "GET").upper(),
        path=str(event.get("path") or "/"),
        query=_query(event),
        api_key_id=str(key_id) if isinstance(key_id, str) and key_id else None,
    )


def _query(event: Mapping[str, Any]) -> dict[str, str]:
    multi = event.get("multiValueQueryStringParameters")
    if isinstance(multi, dict):
        return {str(k): str(v[-1]) for k, v in multi.items() if isinstance(v, list) and v and v[-1] is not None}
    params = event.get("queryStringParameters")
    return {str(k): str(v) for k, v in params.items() if v is not None} if isinstance(params, dict) else {}
