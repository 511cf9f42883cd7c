"""Build the Lambda Function URL request event (payload format version 2.0) from a raw HTTP request.

Shape per the AWS Lambda developer guide, urls-invocation.html#urls-request-payload (docs/lambda-streaming.md,
"Events"): header names lower-cased and repeated headers comma-joined; ``rawQueryString``
without the ``?``; ``queryStringParameters`` comma-joined; the ``Cookie`` header moved to ``cookies``; the body as
text, or base64 with ``isBase64Encoded`` for binary content types, and absent when empty. Local URLs behave like
``AuthType: NONE`` (``accountId: "anonymous"`` in ``requestContext`` and no ``authorizer``). Pure, no I/O.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

__all__ = ["UrlConfig", "build_url_event", "clf_time", "is_text_content_type"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/x-ndjson",
        "application/graphql",
        "application/yaml",
    }
)


@dataclass(frozen=True, slots=True)
class UrlConfig:
    """Identity of the local Function URL as it appears in the event."""

    url_id: str = "localfunctionurlid0000000000000000"
    region: str = "us-east-1"
    account_id: str = "anonymous"

    @property
    def domain_name(self) -> str:
        """The host name a real Function URL would have."""
        return f"{self.url_id}.lambda-url.{self.region}.on.aws"


def is_text_content_type(content_type: str | None) -> bool:
    """True if a body of this media type is passed as text (not base64). A missing type counts as binary."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith("+json") or media.endswith("+xml")


def clf_time(epoch: float) -> str:
    """``epoch`` in the common log format (``02/Dec/2026:06:40:00 +0000``), as Lambda events carry request times."""
    t = time.gmtime(epoch)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def _joined_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def _cookies(header_values: Iterable[str]) -> list[str]:
    return [part.strip() for value in header_values for part in value.split(";") if part.strip()]


def build_url_event(
    *,
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str,
    protocol: str = "HTTP/1.1",
    config: UrlConfig | None = None,
    request_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The payload 2.0 event for one HTTP request (``target`` is the request-target, path plus query)."""
    cfg = config or UrlConfig()
    epoch = time.time() if now is None else now
    raw_path, _, raw_query = target.partition("?")
    raw_query = raw_query.split("#", 1)[0]
    header_list = list(headers)
    cookies = _cookies(value for name, value in header_list if name.lower() == "cookie")
    all_headers = _joined_headers((name, value) for name, value in header_list if name.lower() != "cookie")
    event_headers = dict(all_headers)
    event_headers.setdefault("x-forwarded-for", source_ip)
    event_headers.setdefault("x-forwarded-proto", "http")
    event_headers.setdefault("x-amzn-trace-id", f"Root=1-{int(epoch):08x}-{uuid.uuid4().hex[:24]}")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path or "/",
        "rawQueryString": raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = event_headers
    if raw_query:
        params: dict[str, str] = {}
        for key, value in parse_qsl(raw_query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    event["requestContext"] = {
        "accountId": cfg.account_id,
        "apiId": cfg.url_id,
        "domainName": cfg.domain_name,
        "domainPrefix": cfg.url_id,
        "http": {
            "method": method.upper(),
            "path": unquote(raw_path or "/"),
            "protocol": protocol,
            "sourceIp": source_ip,
            "userAgent": all_headers.get("user-agent", ""),
        },
        "requestId": request_id or str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": clf_time(epoch),
        "timeEpoch": int(epoch * 1000),
    }
    if body:
        if is_text_content_type(all_headers.get("content-type")):
            try:
                event["body"] = body.decode("utf-8")
                event["isBase64Encoded"] = False
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event
