"""The emulator's chunked decoder: byte-level, no sockets."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.chunked import (
    LAST_CHUNK,
    BodyTooLargeError,
    ChunkedReader,
    MalformedChunkError,
    TruncatedBodyError,
    encode_chunk,
)


def _reader(data: bytes) -> ChunkedReader:
    return ChunkedReader(io.BufferedReader(io.BytesIO(data)))


def _pieces(reader: ChunkedReader) -> list[bytes]:
    out = []
    while (piece := reader.read()) is not None:
        out.append(piece)
    return out


def test_reads_chunks_in_order_and_ends() -> None:
    reader = _reader(encode_chunk(b"hello ") + encode_chunk(b"world") + LAST_CHUNK)
    assert _pieces(reader) == [b"hello ", b"world"]
    assert reader.done
    assert reader.trailers == []
    assert reader.read() is None


def test_error_trailers_of_the_protocol_doc_example() -> None:
    wire = (
        b"8C\r\n" + b'{"statusCode":200}'.ljust(132, b" ") + b"\0" * 8 + b"\r\n"
        b"D\r\ndata: hello\n\n\r\n"
        b"0\r\n"
        b"Lambda-Runtime-Function-Error-Type: Function.UpstreamError\r\n"
        b"Lambda-Runtime-Function-Error-Body: eyJhIjoxfQ==\r\n"
        b"\r\n"
    )
    reader = _reader(wire)
    body = b"".join(_pieces(reader))
    assert body.endswith(b"\0" * 8 + b"data: hello\n\n")
    assert reader.trailer("lambda-runtime-function-error-type") == "Function.UpstreamError"
    assert reader.trailer("Lambda-Runtime-Function-Error-Body") == "eyJhIjoxfQ=="


def test_chunk_extensions_and_uppercase_hex_are_accepted() -> None:
    reader = _reader(b"A;name=value\r\n0123456789\r\n0\r\n\r\n")
    assert _pieces(reader) == [b"0123456789"]


def test_large_chunk_is_returned_in_bounded_pieces() -> None:
    data = bytes(range(256)) * 10
    reader = ChunkedReader(io.BytesIO(encode_chunk(data) + LAST_CHUNK), max_piece=100)
    pieces = _pieces(reader)
    assert b"".join(pieces) == data
    assert max(len(p) for p in pieces) <= 100


@pytest.mark.parametrize(
    "wire",
    [
        b"",
        b"5\r\nhel",
        b"5\r\nhello",
        b"5\r\nhello\r",
        b"5\r\nhello\r\n",
        b"5\r\nhello\r\n0\r\n",
        b"5\r\nhello\r\n0\r\nX-Trailer: 1\r\n",
        b"5",
    ],
)
def test_truncation_is_detected(wire: bytes) -> None:
    with pytest.raises(TruncatedBodyError):
        _pieces(_reader(wire))


@pytest.mark.parametrize(
    "wire",
    [
        b"zz\r\nhello\r\n0\r\n\r\n",
        b"\r\n",
        b"5\r\nhelloXX0\r\n\r\n",
        b"0\r\nno colon here\r\n\r\n",
        b"0\r\n folded: value\r\n\r\n",
    ],
)
def test_malformed_framing_is_rejected(wire: bytes) -> None:
    with pytest.raises(MalformedChunkError):
        _pieces(_reader(wire))


def test_read_all_enforces_a_limit() -> None:
    reader = _reader(encode_chunk(b"x" * 10) + encode_chunk(b"y" * 10) + LAST_CHUNK)
    with pytest.raises(BodyTooLargeError, match="larger than 15"):
        reader.read_all(limit=15)


def test_encode_chunk_refuses_empty_data() -> None:
    with pytest.raises(ValueError, match="zero-length"):
        encode_chunk(b"")
    assert encode_chunk(b"\x00" * 26) == b"1A\r\n" + b"\x00" * 26 + b"\r\n"


@given(
    chunks=st.lists(st.binary(min_size=1, max_size=300), max_size=20),
    trailers=st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True),
            st.from_regex(r"[ -~]{0,40}", fullmatch=True),
        ),
        max_size=3,
    ),
    piece=st.integers(min_value=1, max_value=64),
)
def test_round_trip_any_chunks_and_trailers(chunks: list[bytes], trailers: list[tuple[str, str]], piece: int) -> None:
    wire = b"".join(encode_chunk(c) for c in chunks) + b"0\r\n"
    wire += b"".join(f"{k}: {v}\r\n".encode() for k, v in trailers) + b"\r\n"
    reader = ChunkedReader(io.BytesIO(wire), max_piece=piece)
    assert b"".join(_pieces(reader)) == b"".join(chunks)
    assert reader.trailers == [(k, v.strip(" \t")) for k, v in trailers]
