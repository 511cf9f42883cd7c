"""Which events get the HTTP integration response format, and the Content-Type of a streamed response.

An event is an HTTP event iff it is a dict whose ``requestContext`` is a dict containing ``http`` (Function URL,
payload format 2.0; AWS Lambda developer guide, urls-invocation.html#urls-request-payload) or it has ``httpMethod``
(API Gateway REST proxy, payload 1.0; apigateway response-transfer-mode-lambda.html). Other events (direct
``InvokeWithResponseStream``) are streamed raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["DEFAULT_CONTENT_TYPE", "HTTP_INTEGRATION_CONTENT_TYPE", "content_type", "is_http_event"]

HTTP_INTEGRATION_CONTENT_TYPE: Final = "application/vnd.awslambda.http-integration-response"
DEFAULT_CONTENT_TYPE: Final = "application/octet-stream"


def is_http_event(event: object) -> bool:
    """True for Function URL / HTTP API 2.0 events and API Gateway REST proxy events."""
    if not isinstance(event, dict):
        return False
    context = event.get("requestContext")
    return (isinstance(context, dict) and "http" in context) or "httpMethod" in event


def content_type(http: bool, headers: Mapping[str, str]) -> str:
    """The Content-Type of the streamed ``/response``: the integration type for HTTP events, else the response's own
    ``content-type`` header (case-insensitive) or ``application/octet-stream``."""
    if http:
        return HTTP_INTEGRATION_CONTENT_TYPE
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value
    return DEFAULT_CONTENT_TYPE
