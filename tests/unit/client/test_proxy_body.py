"""Reading a request body whole for signing: Content-Length or chunked (RFC 9112, section 7.1), capped."""

from __future__ import annotations

import io

import pytest

from client.proxy_body import BodyError, read_body


def test_content_length_body_is_read_exactly() -> None:
    stream = io.BytesIO(b'{"a": 1}NEXT REQUEST')
    assert read_body(stream, {"content-length": "8"}) == b'{"a": 1}'
    assert stream.read() == b"NEXT REQUEST"


def test_no_length_means_no_body() -> None:
    assert read_body(io.BytesIO(b"GET /next"), {}) == b""


def test_chunked_body_with_extensions_and_trailers() -> None:
    wire = b'4;name=value\r\n{"a"\r\n4\r\n: 1}\r\n0\r\nX-Trailer: t\r\n\r\nNEXT'
    stream = io.BytesIO(wire)
    assert read_body(stream, {"transfer-encoding": "chunked"}) == b'{"a": 1}'
    assert stream.read() == b"NEXT"


@pytest.mark.parametrize(
    ("wire", "headers", "status", "message"),
    [
        (b"abc", {"content-length": "8"}, 400, "ended after 3 of 8 bytes"),
        (b"", {"content-length": "-1"}, 400, "is not a length"),
        (b"", {"content-length": "12, 12"}, 400, "is not a length"),
        (b"", {"content-length": "100"}, 413, "over the 10-byte limit"),
        (b"zz\r\n", {"transfer-encoding": "chunked"}, 400, "bad chunk size"),
        (b"3\r\nabcdef\r\n", {"transfer-encoding": "chunked"}, 400, "longer than its size"),
        (b"8\r\n12345678\r\n8\r\n12345678\r\n", {"transfer-encoding": "chunked"}, 413, "over 10 bytes"),
        (b"3\r\nab", {"transfer-encoding": "chunked"}, 400, "ended after 2 of 3 bytes"),
        (b"3\r\nabc\r\n", {"transfer-encoding": "chunked"}, 400, "ended early"),
        (b"", {"transfer-encoding": "gzip, chunked"}, 501, "not supported"),
    ],
)
def test_unreadable_bodies_are_errors_with_a_status(
    wire: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    with pytest.raises(BodyError, match=message) as caught:
        read_body(io.BytesIO(wire), headers, limit=10)
    assert caught.value.status == status
