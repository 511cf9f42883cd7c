"""HTTP/1.1 chunked transfer coding: an incremental decoder (with trailers) and a chunk encoder.

Follows RFC 9112 §7.1 (chunked transfer coding, chunk extensions ignored, trailer section). `http.server` does not
decode chunked request bodies, so the Runtime API server and the Function URL front read them with this module. Streamed
Lambda responses may end with error trailers (docs/lambda-streaming.md, "Errors before and after the first byte"). Pure:
works on any binary reader with ``readline(limit)`` and ``read``/``read1``; no sockets here.
"""

from __future__ import annotations

from typing import Protocol

__all__ = [
    "LAST_CHUNK",
    "BodyTooLargeError",
    "ChunkedError",
    "ChunkedReader",
    "MalformedChunkError",
    "TruncatedBodyError",
    "encode_chunk",
]

LAST_CHUNK = b"0\r\n\r\n"
_MAX_LINE = 8192
_MAX_TRAILER_BYTES = 64 * 1024
_MAX_PIECE = 64 * 1024


class ChunkedError(Exception):
    """A chunked body could not be decoded."""


class TruncatedBodyError(ChunkedError):
    """The peer closed the connection before the terminating chunk and the end of the trailer section."""


class MalformedChunkError(ChunkedError):
    """The bytes on the wire are not valid chunked coding."""


class BodyTooLargeError(ChunkedError):
    """The decoded body is larger than the caller's limit."""


class BinaryReader(Protocol):
    """The subset of a buffered binary file the decoder needs."""

    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


def encode_chunk(data: bytes) -> bytes:
    """Frame ``data`` as one chunk. Empty data would be the terminator, so it is refused."""
    if not data:
        raise ValueError("a zero-length data chunk would terminate the body; send LAST_CHUNK to end it")
    return b"%X\r\n%s\r\n" % (len(data), data)


class ChunkedReader:
    """Decode a chunked body incrementally: ``read()`` returns data as soon as it is on the wire.

    ``read()`` returns the next non-empty piece of body data (a whole small chunk, or a part of a large one,
    at most ``max_piece`` bytes), or ``None`` once the terminating chunk and trailers have been read. After
    that, ``trailers`` holds the trailer fields in order (names as sent). Raises ``TruncatedBodyError`` on EOF
    before the end, ``MalformedChunkError`` on bad framing.
    """

    def __init__(self, rfile: BinaryReader, *, max_piece: int = _MAX_PIECE) -> None:
        self._rfile = rfile
        self._max_piece = max_piece
        self._remaining = 0  # bytes left in the current chunk
        self._done = False
        self.trailers: list[tuple[str, str]] = []
        self.bytes_read = 0

    @property
    def done(self) -> bool:
        """True once the terminating chunk and the trailer section have been consumed."""
        return self._done

    def trailer(self, name: str) -> str | None:
        """The value of trailer ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.trailers:
            if key.lower() == wanted:
                return value
        return None

    def read(self) -> bytes | None:
        """The next piece of body data, or None at the end of the body."""
        if self._done:
            return None
        if self._remaining == 0:
            size = self._read_size_line()
            if size == 0:
                self._read_trailers()
                self._done = True
                return None
            self._remaining = size
        data = self._read_some(min(self._remaining, self._max_piece))
        self._remaining -= len(data)
        self.bytes_read += len(data)
        if self._remaining == 0:
            self._expect_crlf()
        return data

    def read_all(self, limit: int | None = None) -> bytes:
        """The whole remaining body; raises ``BodyTooLargeError`` if it grows beyond ``limit`` bytes."""
        parts: list[bytes] = []
        total = 0
        while (piece := self.read()) is not None:
            total += len(piece)
            if limit is not None and total > limit:
                raise BodyTooLargeError(f"chunked body larger than {limit} bytes")
            parts.append(piece)
        return b"".join(parts)

    def _readline(self, what: str) -> bytes:
        line = self._rfile.readline(_MAX_LINE + 1)
        if not line:
            raise TruncatedBodyError(f"connection closed before the {what}")
        if len(line) > _MAX_LINE:
            raise MalformedChunkError(f"{what} longer than {_MAX_LINE} bytes")
        if not line.endswith(b"\n"):
            raise TruncatedBodyError(f"connection closed inside the {what}")
        return line.rstrip(b"\r\n") if line.endswith(b"\r\n") else line[:-1]

    def _read_size_line(self) -> int:
        line = self._readline("chunk-size line")
        size_text = line.split(b";", 1)[0].strip()
        if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
            raise MalformedChunkError(f"invalid chunk-size line {line[:40]!r}")
        return int(size_text, 16)

    def _read_some(self, size: int) -> bytes:
        read1 = getattr(self._rfile, "read1", None)
        data: bytes = read1(size) if read1 is not None else self._rfile.read(size)
        if not data:
            raise TruncatedBodyError(f"connection closed with {self._remaining} bytes of the chunk missing")
        return data

    def _expect_crlf(self) -> None:
        line = self._rfile.readline(3)
        if line in (b"", b"\r"):
            raise TruncatedBodyError("connection closed after chunk data, before its CRLF")
        if line not in (b"\r\n", b"\n"):
            raise MalformedChunkError(f"chunk data not followed by CRLF (got {line!r})")

    def _read_trailers(self) -> None:
        total = 0
        while True:
            line = self._readline("trailer section")
            if not line:
                return
            total += len(line)
            if total > _MAX_TRAILER_BYTES:
                raise MalformedChunkError(f"trailer section larger than {_MAX_TRAILER_BYTES} bytes")
            if line[:1] in (b" ", b"\t"):
                raise MalformedChunkError("obsolete line folding in the trailer section")
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip():
                raise MalformedChunkError(f"invalid trailer field {line[:60]!r}")
            self.trailers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
