"""The event-stream encoder against botocore's decoder, botocore's test vectors, the synthetic captures (built by
an independent test encoder) and, when BEDROCK_STREAM_FIXTURES names them, real recorded frames."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from botocore.eventstream import EventStreamBuffer, EventStreamMessage

from emulator.eventstream import (
    PADDING_ALPHABET,
    Document,
    HeaderValue,
    chunk_frame,
    encode_message,
    error_frame,
    event_frame,
    exception_frame,
    modelled_json,
    padding,
)
from tests.support.captures import Capture
from tests.support.recorded import capture_params


def decode(data: bytes) -> list[EventStreamMessage]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def test_empty_message_matches_botocore_vector() -> None:
    assert encode_message([], b"") == bytes.fromhex("00000010000000 0005c248eb7d98c8ff".replace(" ", ""))


def test_one_string_header_message_matches_botocore_vector() -> None:
    data = encode_message([("content-type", "application/json")], b"{'foo':'bar'}")
    assert len(data) == 61
    assert data[:12] == bytes.fromhex("0000003d0000002007fd8396")
    assert data[-4:] == bytes.fromhex("8d9c08b1")
    (message,) = decode(data)
    assert message.headers == {"content-type": "application/json"}
    assert message.payload == b"{'foo':'bar'}"


def test_every_header_type_round_trips_through_botocore() -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    headers: list[tuple[str, Any]] = [
        ("true", True),
        ("false", False),
        ("byte", HeaderValue.int8(-7)),
        ("short", HeaderValue.int16(-30000)),
        ("integer", HeaderValue.int32(2_000_000_000)),
        ("long", HeaderValue.int64(-(2**62))),
        ("bytes", b"\x00\xffraw"),
        ("string", "héllo ☕"),
        ("timestamp", HeaderValue.timestamp_ms(1_763_700_000_123)),
        ("uuid", HeaderValue.uuid(ident)),
    ]
    (message,) = decode(encode_message(headers, b"payload"))
    assert message.headers == {
        "true": True,
        "false": False,
        "byte": -7,
        "short": -30000,
        "integer": 2_000_000_000,
        "long": -(2**62),
        "bytes": b"\x00\xffraw",
        "string": "héllo ☕",
        "timestamp": 1_763_700_000_123,
        "uuid": ident.bytes,
    }
    assert list(message.headers) == [name for name, _ in headers]
    assert message.payload == b"payload"


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ([("a", 5)], TypeError),
        ([("a", "x"), ("a", "y")], ValueError),
        ([("", "x")], ValueError),
        ([("a", HeaderValue.int8(300))], ValueError),
        ([("a", HeaderValue.uuid(b"short"))], ValueError),
    ],
)
def test_invalid_headers_are_rejected(headers: list[tuple[str, Any]], error: type[Exception]) -> None:
    with pytest.raises(error):
        encode_message(headers)


def _documents(value: Any) -> Any:
    """Wrap the free-form ``json`` documents (Nova 2 toolResult) so they keep their own key order."""
    if isinstance(value, dict):
        return {key: Document(item) if key == "json" else _documents(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_documents(item) for item in value]
    return value


@pytest.mark.parametrize("capture", capture_params())
def test_every_captured_frame_re_encodes_byte_for_byte(capture: Capture) -> None:
    data = capture.raw
    messages = decode(data)
    assert messages
    rebuilt = b""
    for message in messages:
        assert list(message.headers) == [":event-type", ":content-type", ":message-type"]
        payload = json.loads(message.payload)
        pad = payload.pop("p")
        assert PADDING_ALPHABET.startswith(pad)
        rebuilt += event_frame(message.headers[":event-type"], _documents(payload), pad)
    assert rebuilt == data


def test_modelled_json_sorts_keys_but_not_documents_and_keeps_utf8() -> None:
    value = {"b": 1, "a": {"z": "30°C", "y": [{"d": 1, "c": 2}]}, "doc": Document({"z": 1, "a": 2})}
    assert modelled_json(value) == '{"a":{"y":[{"c":2,"d":1}],"z":"30°C"},"b":1,"doc":{"z":1,"a":2}}'


def test_chunk_frame_keeps_model_key_order_and_base64() -> None:
    (message,) = decode(chunk_frame({"type": "x", "delta": {"text": "é"}}, padding(4)))
    assert message.headers == {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}
    payload = json.loads(message.payload)
    assert payload["p"] == "abcd"
    assert base64.b64decode(payload["bytes"]).decode() == '{"type":"x","delta":{"text":"é"}}'
    assert message.payload.startswith(b'{"bytes":')


def test_exception_and_error_frames() -> None:
    (exc,) = decode(exception_frame("modelStreamErrorException", "boom", originalStatusCode=500))
    assert list(exc.headers.items()) == [
        (":exception-type", "modelStreamErrorException"),
        (":content-type", "application/json"),
        (":message-type", "exception"),
    ]
    assert json.loads(exc.payload) == {"message": "boom", "originalStatusCode": 500}
    (err,) = decode(error_frame("InternalFailure", "bad"))
    assert err.headers == {":message-type": "error", ":error-code": "InternalFailure", ":error-message": "bad"}
    assert err.payload == b""


def test_padding_range() -> None:
    assert padding(2) == "ab"
    assert padding(61) == PADDING_ALPHABET[:61]
    with pytest.raises(ValueError, match="padding"):
        padding(63)
