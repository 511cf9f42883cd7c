"""Prelude parsing (JSON + 8 NULs) for any split of the stream: pure."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.prelude import DELIMITER, Prelude, PreludeError, PreludeParser, decode_prelude

PRELUDE = {
    "statusCode": 201,
    "headers": {"content-type": "text/event-stream", "x-n": 7},
    "cookies": ["sid=abc; Path=/; HttpOnly", "b=2"],
}
STREAM = json.dumps(PRELUDE).encode() + DELIMITER + b"data: h\xc3\xa9llo\n\n" + b"\x00\x00 rest"


@given(cuts=st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_prelude_and_body_for_any_split(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(STREAM)]
    parser = PreludeParser()
    body = b""
    for start, end in itertools.pairwise(bounds):
        rest = parser.feed(STREAM[start:end])
        if rest is not None:
            body += rest
    assert parser.prelude == Prelude(
        status_code=201,
        headers=(("content-type", "text/event-stream"), ("x-n", "7")),
        cookies=("sid=abc; Path=/; HttpOnly", "b=2"),
    )
    assert body == b"data: h\xc3\xa9llo\n\n\x00\x00 rest"


def test_defaults_for_an_empty_object() -> None:
    assert decode_prelude(b"{}") == Prelude()


def test_node_ric_two_chunk_shape() -> None:
    parser = PreludeParser()
    assert parser.feed(b'{"statusCode":201,"headers":{"content-type":"text/plain"}}') is None
    assert parser.feed(DELIMITER) == b""
    assert parser.prelude is not None
    assert parser.prelude.status_code == 201
    assert parser.feed(b"hello ") == b"hello "


def test_delimiter_must_be_within_the_window() -> None:
    parser = PreludeParser(window=64)
    with pytest.raises(PreludeError, match="within the first 64 bytes"):
        parser.feed(b" " * 80)


def test_prelude_longer_than_window_in_one_piece() -> None:
    parser = PreludeParser(window=16)
    with pytest.raises(PreludeError, match="longer than 16"):
        parser.feed(b'{"statusCode":200,"headers":{}}' + DELIMITER)


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2]",
        b'{"statusCode": "200"}',
        b'{"statusCode": 99}',
        b'{"statusCode": true}',
        b'{"headers": ["a"]}',
        b'{"headers": {"a": {"b": 1}}}',
        b'{"headers": {"a": "x\\r\\ny: z"}}',
        b'{"cookies": "a=1"}',
        b'{"cookies": [1]}',
        b"\xff\xfe",
    ],
)
def test_invalid_preludes_are_errors(raw: bytes) -> None:
    with pytest.raises(PreludeError):
        decode_prelude(raw)
