"""Read a request body in full (SigV4 hashes the payload before anything is sent): ``Content-Length`` or chunked.

Bodies are capped at the 6 MB request payload limit of a synchronous (and response-streaming) invocation
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): the Function URL would refuse more.
Chunked transfer coding follows RFC 9112, section 7.1 (chunk extensions and trailers are read and dropped).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

__all__ = ["MAX_BODY_BYTES", "BodyError", "Readable", "read_body"]

MAX_BODY_BYTES = 6 * 1024 * 1024
_MAX_LINE = 8192


class Readable(Protocol):
    """The part of a buffered binary stream the reader uses (``BaseHTTPRequestHandler.rfile``)."""

    def read(self, size: int, /) -> bytes: ...

    def readline(self, size: int, /) -> bytes: ...


class BodyError(Exception):
    """The request body cannot be read; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _read_exactly(stream: Readable, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise BodyError(400, f"the request body ended after {len(data)} of {size} bytes")
    return data


def _line(stream: Readable) -> bytes:
    line = stream.readline(_MAX_LINE + 1)
    if len(line) > _MAX_LINE:
        raise BodyError(400, "a chunk-size line of the request body is too long")
    if not line.endswith(b"\n"):
        raise BodyError(400, "the chunked request body ended early")
    return line


def _read_chunked(stream: Readable, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_field = _line(stream).split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            raise BodyError(400, f"bad chunk size {size_field[:20]!r} in the request body") from None
        if size < 0:
            raise BodyError(400, "negative chunk size in the request body")
        if size == 0:
            while _line(stream) not in (b"\r\n", b"\n"):  # trailer fields, dropped
                pass
            return b"".join(parts)
        total += size
        if total > limit:
            raise BodyError(413, f"the request body is over {limit} bytes")
        parts.append(_read_exactly(stream, size))
        if _line(stream) not in (b"\r\n", b"\n"):
            raise BodyError(400, "a chunk of the request body is longer than its size")


def read_body(stream: Readable, headers: Mapping[str, str], limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole body of the request whose ``headers`` (lower-case names) were just read from ``stream``."""
    coding = headers.get("transfer-encoding")
    if coding is not None:
        if coding.strip().lower() != "chunked":
            raise BodyError(501, f"Transfer-Encoding {coding!r} is not supported (only chunked)")
        return _read_chunked(stream, limit)
    length = headers.get("content-length")
    if length is None:
        return b""
    if not length.strip().isdigit():
        raise BodyError(400, f"Content-Length {length!r} is not a length")
    size = int(length)
    if size > limit:
        raise BodyError(413, f"the request body is {size} bytes, over the {limit}-byte limit")
    return _read_exactly(stream, size)
