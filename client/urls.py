"""Function URL helpers: region from the host name, local-or-remote, joining routes.

A Lambda Function URL is ``https://<url-id>.lambda-url.<region>.on.aws`` (AWS Lambda developer guide,
urls-invocation.html; see docs/lambda-streaming.md, "Function URL access"). Requests to it are signed for the
function's Region; requests to the local emulator (loopback) are sent unsigned.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, quote, urlsplit

from client.errors import ConfigError

__all__ = [
    "DEFAULT_URL",
    "URL_ENV",
    "canonical_query",
    "is_local_url",
    "join_url",
    "normalize_base_url",
    "region_from_url",
]

URL_ENV = "BEDROCK_STREAM_URL"
"""The environment variable the CLI and the chat app take the endpoint from."""
DEFAULT_URL = "http://127.0.0.1:3000"
"""The endpoint when none is given: the local emulator (``make dev``)."""

_FUNCTION_URL_HOST = re.compile(r"^[a-z0-9]+\.lambda-url\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.on\.aws$")


def region_from_url(url: str) -> str | None:
    """The AWS Region in a Function URL's host name, or None for any other host."""
    host = (urlsplit(url).hostname or "").lower()
    match = _FUNCTION_URL_HOST.match(host)
    return match.group("region") if match else None


def is_local_url(url: str) -> bool:
    """True for loopback hosts (``localhost``, ``127.0.0.0/8``, ``::1``): the local emulator, never signed."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str) -> str:
    """Check that ``url`` is an absolute http(s) URL and drop a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    if parts.query or parts.fragment:
        raise ConfigError(f"the endpoint URL must not have a query or fragment: {url!r}")
    return url.strip().rstrip("/")


def join_url(base_url: str, path: str) -> str:
    """``base_url`` (no trailing slash needed) plus an absolute route path such as ``/models``."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def canonical_query(query: str) -> str:
    """``query`` with every name and value percent-encoded the way SigV4 canonicalizes them, order kept.

    SigV4 encodes everything but the unreserved ``A-Z a-z 0-9 - _ . ~`` and a space as ``%20``
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv_create-signed-request.html). botocore signs a
    query embedded in the URL as written, so a form-encoded ``a+b`` would be signed as is while the service reads
    a space: sending the canonical form makes both sides agree. ``+`` is read as a space (form encoding, what
    httpx and browsers write); a bare ``name`` becomes ``name=``, as SigV4 canonicalizes it.
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in pairs)
