"""Byte-level framing: chunks, terminators, error trailers, the HTTP integration prelude (no sockets)."""

from __future__ import annotations

import base64
import json

import h11
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streaming_runtime.wire import (
    PRELUDE_DELIMITER,
    TERMINATOR,
    TRAILER_ANNOUNCEMENT,
    chunk,
    encode_error_body,
    failed_terminator,
    header_value,
    prelude,
)

# docs/lambda-streaming.md, "A failed stream, byte by byte"
DOC_ERROR_BODY = (
    "eyJlcnJvck1lc3NhZ2UiOiJ1cHN0cmVhbSBtb2RlbCBmYWlsZWQiLCJlcnJvclR5cGUiOiJGdW5jdGlvbi5V"
    "cHN0cmVhbUVycm9yIiwic3RhY2tUcmFjZSI6W119"
)
DOC_PRELUDE_JSON = (
    b'{"statusCode":200,"headers":{"content-type":"text/event-stream","cache-control":"no-cache"},'
    b'"cookies":["sid=abc; Path=/; HttpOnly"]}'
)


def test_chunk_is_hex_size_crlf_data_crlf() -> None:
    assert chunk(b"data: hello\n\n") == b"d\r\ndata: hello\n\n\r\n"
    assert chunk(b"x" * 255) == b"ff\r\n" + b"x" * 255 + b"\r\n"
    assert chunk(b"\x00") == b"1\r\n\x00\r\n"


def test_chunk_accepts_other_bytes_like_values() -> None:
    assert chunk(bytearray(b"ab")) == b"2\r\nab\r\n"  # type: ignore[arg-type]


def test_empty_chunk_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        chunk(b"")


def test_terminator_and_trailer_announcement() -> None:
    assert TERMINATOR == b"0\r\n\r\n"
    assert TRAILER_ANNOUNCEMENT == "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"


def test_failed_terminator_matches_the_protocol_reference_example() -> None:
    body = encode_error_body(
        {"errorMessage": "upstream model failed", "errorType": "Function.UpstreamError", "stackTrace": []}
    )
    assert body == DOC_ERROR_BODY
    assert failed_terminator("Function.UpstreamError", body) == (
        b"0\r\n"
        b"Lambda-Runtime-Function-Error-Type: Function.UpstreamError\r\n"
        b"Lambda-Runtime-Function-Error-Body: " + DOC_ERROR_BODY.encode() + b"\r\n"
        b"\r\n"
    )


def test_error_body_is_padded_base64_of_compact_utf8_json() -> None:
    payload = {"errorMessage": "bad\r\nthing é", "errorType": "ValueError", "stackTrace": ["  File x"]}
    encoded = encode_error_body(payload)
    raw = base64.b64decode(encoded, validate=True)
    assert json.loads(raw) == payload
    assert b", " not in raw
    assert b": " not in raw.replace(b"File x", b"")
    assert "\r" not in encoded
    assert "\n" not in encoded
    assert len(encoded) % 4 == 0


def test_error_type_with_cr_lf_cannot_break_out_of_its_trailer_line() -> None:
    framed = failed_terminator("Function.Bad\r\nInjected: yes", "AAAA")
    lines = framed.split(b"\r\n")
    assert lines == [
        b"0",
        b"Lambda-Runtime-Function-Error-Type: Function.Bad%0D%0AInjected: yes",
        b"Lambda-Runtime-Function-Error-Body: AAAA",
        b"",
        b"",
    ]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Function.Plain", "Function.Plain"),
        ("a\rb\nc", "a%0Db%0Ac"),
        ("del\x7f", "del%7F"),
        ("tab\there", "tab%09here"),
        ("nul\x00", "nul%00"),
        ("é", "%C3%A9"),
    ],
)
def test_header_value_escapes_controls_and_non_ascii(raw: str, clean: str) -> None:
    assert header_value(raw) == clean


def test_prelude_is_compact_json_then_eight_nuls() -> None:
    data = prelude(
        200,
        {"content-type": "text/event-stream", "cache-control": "no-cache"},
        ["sid=abc; Path=/; HttpOnly"],
    )
    assert data == DOC_PRELUDE_JSON + b"\x00" * 8
    assert len(DOC_PRELUDE_JSON) == 132
    assert chunk(data).startswith(b"8c\r\n")  # 140 bytes, as in the docs/lambda-streaming.md example


def test_prelude_defaults() -> None:
    assert prelude(200, {}, ()) == b'{"statusCode":200,"headers":{},"cookies":[]}' + PRELUDE_DELIMITER


def test_prelude_is_ascii_without_raw_nul() -> None:
    data = prelude(201, {"x-name": "caf\u00e9 \x00 end"}, ["a=\u2603"])
    head = data[:-8]
    assert b"\x00" not in head
    assert head.isascii()
    assert json.loads(head) == {"statusCode": 201, "headers": {"x-name": "caf\u00e9 \x00 end"}, "cookies": ["a=\u2603"]}


@pytest.mark.parametrize(
    ("status", "headers", "cookies", "message"),
    [
        ("200", {}, (), "status_code must be an int"),
        (True, {}, (), "status_code must be an int"),
        (200, {"x": 1}, (), "header names and values must be str"),
        (200, {}, "a=1", "cookies must be a sequence"),
        (200, {}, [1], "cookies must be str"),
    ],
)
def test_prelude_rejects_bad_values(status: object, headers: object, cookies: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        prelude(status, headers, cookies)  # type: ignore[arg-type]


def _parse_chunked(body: bytes) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """Parse a chunked request body with the independent h11 parser; returns chunks and trailers."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    chunks: list[bytes] = []
    trailers: list[tuple[bytes, bytes]] = []
    current = b""
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Data):
            current += event.data
            if event.chunk_end:
                chunks.append(current)
                current = b""
        elif isinstance(event, h11.EndOfMessage):
            trailers = list(event.headers)
            return chunks, trailers
        elif event is h11.NEED_DATA:
            raise AssertionError("body incomplete")


@given(st.lists(st.binary(min_size=1, max_size=300), max_size=20))
def test_framed_chunks_parse_back_exactly_with_h11(items: list[bytes]) -> None:
    chunks, trailers = _parse_chunked(b"".join(chunk(i) for i in items) + TERMINATOR)
    assert chunks == items
    assert trailers == []


@given(st.text(max_size=40), st.text(max_size=200))
def test_error_trailers_always_parse_with_h11(error_type: str, message: str) -> None:
    body = encode_error_body({"errorMessage": message, "errorType": "X", "stackTrace": []})
    chunks, trailers = _parse_chunked(chunk(b"partial") + failed_terminator(error_type, body))
    assert chunks == [b"partial"]
    parsed = dict(trailers)
    assert set(parsed) == {b"lambda-runtime-function-error-type", b"lambda-runtime-function-error-body"}
    assert json.loads(base64.b64decode(parsed[b"lambda-runtime-function-error-body"]))["errorMessage"] == message
