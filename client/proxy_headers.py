"""Which headers the signing proxy passes on, in each direction, and which requests it accepts at all.

Hop-by-hop headers belong to one connection and are never forwarded (RFC 9110, section 7.6.1, "Connection":
``Connection``, the names it lists, ``Keep-Alive``, ``Proxy-*``, ``TE``, ``Trailer``, ``Transfer-Encoding``,
``Upgrade``). Towards the Function URL the proxy also drops the caller's credentials (``Authorization``,
``x-api-key``: dummy keys; a Function URL with ``AWS_IAM`` auth reads ``Authorization`` for the SigV4 signature,
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html), any stale SigV4 headers, and ``Host`` /
``Content-Length``, which are set for the upstream request.

The proxy lends the user's AWS credentials to whoever reaches it, so it serves loopback callers only: the ``Host``
header must name a loopback host (a web page that rebinds its DNS name to 127.0.0.1 sends its own name) and an
``Origin`` header, when present, must be a loopback origin (a page from any site can POST to 127.0.0.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from client.urls import is_local_url

__all__ = ["HOP_BY_HOP", "forwarded_request_headers", "forwarded_response_headers", "refusal"]

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_NOT_FORWARDED_UP = frozenset(
    {
        "authorization",
        "x-api-key",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "host",
        "content-length",
        "expect",  # answered by the proxy itself (100 Continue)
    }
)


def _connection_listed(headers: Iterable[tuple[str, str]]) -> set[str]:
    """Header names a ``Connection`` header declares hop-by-hop."""
    listed: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            listed.update(token.strip().lower() for token in value.split(",") if token.strip())
    return listed


def forwarded_request_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The caller's headers minus hop-by-hop ones, credentials, stale signatures, ``Host`` and ``Content-Length``."""
    pairs = list(headers)
    dropped = HOP_BY_HOP | _NOT_FORWARDED_UP | _connection_listed(pairs)
    return [(name, value) for name, value in pairs if name.lower() not in dropped]


def forwarded_response_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The upstream response headers minus hop-by-hop ones (the proxy frames the body itself)."""
    pairs = list(headers)
    dropped = HOP_BY_HOP | _connection_listed(pairs)
    return [(name, value) for name, value in pairs if name.lower() not in dropped]


def refusal(headers: Mapping[str, str]) -> str | None:
    """Why a request must be refused (a non-loopback ``Host`` or ``Origin``), or None to serve it.

    ``headers``: the request's headers with lower-case names.
    """
    host = headers.get("host")
    if host is not None and not is_local_url(f"http://{host.strip()}"):
        return f"Host {host!r} is not a loopback address: the proxy serves this machine only"
    origin = headers.get("origin")
    if origin is not None and not is_local_url(origin.strip()):
        return f"Origin {origin!r} is not a loopback origin: web pages from other sites may not use the proxy"
    return None
