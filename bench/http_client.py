"""A minimal HTTP/1.1 streaming client on a raw socket that timestamps body progress (RFC 9112, §7.1 chunked).

Kept deliberately thin so that the client adds as little as possible to what is measured: one ``recv`` per read,
an incremental chunked decoder that only counts body bytes, and a ``perf_counter_ns`` stamp each time the decoded
body passes the next threshold (the end of the next delta).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["HttpError", "StreamResult", "post_stream"]

_RECV = 262_144


class HttpError(Exception):
    """The server answered something the benchmark cannot use."""


@dataclass(slots=True)
class StreamResult:
    """Timestamps (``perf_counter_ns``) of one streamed response and its decoded body size."""

    started_ns: int
    headers_ns: int = 0
    first_byte_ns: int = 0
    done_ns: int = 0
    status: int = 0
    body_bytes: int = 0
    marks_ns: list[int] = field(default_factory=list)
    tail: bytes = b""
    """The last bytes of the body (up to 64), to check the content."""


class _Chunked:
    """Incremental chunked-body decoder that counts data bytes; keeps the last 64 for checks."""

    __slots__ = ("done", "pending", "remaining", "tail")

    def __init__(self) -> None:
        self.pending = b""
        self.remaining = 0  # data bytes left in the current chunk (+2 for its CRLF once data is read)
        self.done = False
        self.tail = b""

    def feed(self, data: bytes) -> int:
        """Consume ``data``; return how many body bytes it carried."""
        buf = self.pending + data if self.pending else data
        pos, size, count = 0, len(buf), 0
        while pos < size and not self.done:
            if self.remaining > 0:
                take = min(self.remaining, size - pos)
                if self.remaining > 2:
                    body = min(take, self.remaining - 2)
                    count += body
                    self.tail = (self.tail + buf[pos : pos + body])[-64:]
                self.remaining -= take
                pos += take
                continue
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                break
            chunk_size = int(buf[pos:line_end].split(b";", 1)[0], 16)
            pos = line_end + 2
            if chunk_size == 0:
                self.done = True
            else:
                self.remaining = chunk_size + 2
        self.pending = buf[pos:] if not self.done else b""
        return count


def post_stream(
    address: tuple[str, int],
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    thresholds: Sequence[int] = (),
    *,
    timeout_s: float = 120.0,
) -> StreamResult:
    """POST ``body`` and read the whole response, stamping when the body length first reaches each threshold."""
    result = StreamResult(started_ns=time.perf_counter_ns())
    with socket.create_connection(address, timeout=timeout_s) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lines = [f"POST {path} HTTP/1.1", f"Host: {address[0]}:{address[1]}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(_RECV)
            if not data:
                raise HttpError(f"connection closed before the response headers ({head[:200]!r})")
            head += data
        result.headers_ns = time.perf_counter_ns()
        raw_headers, rest = head.split(b"\r\n\r\n", 1)
        status_line, *header_lines = raw_headers.decode("latin-1").split("\r\n")
        result.status = int(status_line.split()[1])
        names = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip() for line in header_lines}
        chunked = "chunked" in names.get("transfer-encoding", "").lower()
        length = int(names["content-length"]) if "content-length" in names and not chunked else None
        decoder = _Chunked()
        marks, wanted, total = result.marks_ns, len(thresholds), 0
        data = rest
        while True:
            if data:
                now = time.perf_counter_ns()
                got = decoder.feed(data) if chunked else len(data)
                if got and not total:
                    result.first_byte_ns = now
                total += got
                if not chunked:
                    decoder.tail = (decoder.tail + data)[-64:]
                while len(marks) < wanted and total >= thresholds[len(marks)]:
                    marks.append(now)
            if (chunked and decoder.done) or (length is not None and total >= length):
                break
            data = sock.recv(_RECV)
            if not data:
                if chunked or length is not None:
                    raise HttpError(f"connection closed after {total} body bytes (status {result.status})")
                break
        result.done_ns = time.perf_counter_ns()
        result.body_bytes = total
        result.tail = decoder.tail
    return result
