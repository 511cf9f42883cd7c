"""Encoder for the AWS event-stream binary framing (``application/vnd.amazon.eventstream``).

Generic part: :func:`encode_message` builds one message from typed headers and a payload (prelude with total and
header lengths, prelude CRC32, header records, payload, message CRC32; all integers big-endian). Header values are
typed with :class:`HeaderValue` (all ten wire types); plain ``str``, ``bool`` and ``bytes`` are typed automatically.

Bedrock part: :func:`event_frame`, :func:`chunk_frame`, :func:`exception_frame` and :func:`error_frame` reproduce the
quirks of real Bedrock frames: three string headers in the order ``:event-type``, ``:content-type``,
``:message-type``; compact JSON with the keys of modelled structures sorted and raw UTF-8; an undocumented ``"p"``
padding key; ``chunk`` payloads as ``{"bytes": <base64 of the model's own JSON>, "p": ...}`` where the model JSON
is compact, in its own key order, with raw UTF-8 (whether Bedrock escapes non-ASCII there is not captured).

Sources: AWS Lex V2 developer guide "Event stream encoding" (event-stream-encoding.html); botocore 1.44.5
``botocore/eventstream.py`` (the decoder this must satisfy); smithy ``smithy-aws-protocol-tests`` restJson1
``event-stream.smithy`` (exception and error frames); see docs/bedrock-formats.md, "Event-stream framing" and
"InvokeModelWithResponseStream chunks". tests/unit/fake_bedrock/ checks byte-for-byte agreement with synthetic
captures and, when BEDROCK_STREAM_FIXTURES names them, with frames recorded from the real service.
"""

from __future__ import annotations

import base64
import enum
import json
import struct
import uuid
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CONTENT_TYPE",
    "PADDING_ALPHABET",
    "Document",
    "HeaderInput",
    "HeaderType",
    "HeaderValue",
    "chunk_frame",
    "encode_headers",
    "encode_message",
    "error_frame",
    "event_frame",
    "exception_frame",
    "modelled_json",
    "padding",
]

CONTENT_TYPE = "application/vnd.amazon.eventstream"
PADDING_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")
_MAX_HEADERS_LENGTH = 128 * 1024
_MAX_PAYLOAD_LENGTH = 16 * 1024 * 1024


class HeaderType(enum.IntEnum):
    """Wire type byte of a header record."""

    BOOL_TRUE = 0
    BOOL_FALSE = 1
    BYTE = 2
    SHORT = 3
    INTEGER = 4
    LONG = 5
    BYTE_ARRAY = 6
    STRING = 7
    TIMESTAMP = 8
    UUID = 9


_INT_FORMATS: dict[HeaderType, struct.Struct] = {
    HeaderType.BYTE: struct.Struct(">b"),
    HeaderType.SHORT: struct.Struct(">h"),
    HeaderType.INTEGER: struct.Struct(">i"),
    HeaderType.LONG: struct.Struct(">q"),
    HeaderType.TIMESTAMP: struct.Struct(">q"),
}


@dataclass(frozen=True)
class HeaderValue:
    """A header value with an explicit wire type. Use the constructors, e.g. ``HeaderValue.int32(5)``."""

    type: HeaderType
    value: bool | int | bytes | str

    @classmethod
    def boolean(cls, value: bool) -> HeaderValue:
        return cls(HeaderType.BOOL_TRUE if value else HeaderType.BOOL_FALSE, value)

    @classmethod
    def int8(cls, value: int) -> HeaderValue:
        return cls(HeaderType.BYTE, value)

    @classmethod
    def int16(cls, value: int) -> HeaderValue:
        return cls(HeaderType.SHORT, value)

    @classmethod
    def int32(cls, value: int) -> HeaderValue:
        return cls(HeaderType.INTEGER, value)

    @classmethod
    def int64(cls, value: int) -> HeaderValue:
        return cls(HeaderType.LONG, value)

    @classmethod
    def byte_array(cls, value: bytes) -> HeaderValue:
        return cls(HeaderType.BYTE_ARRAY, value)

    @classmethod
    def string(cls, value: str) -> HeaderValue:
        return cls(HeaderType.STRING, value)

    @classmethod
    def timestamp_ms(cls, millis: int) -> HeaderValue:
        """Milliseconds since the epoch (botocore yields the int)."""
        return cls(HeaderType.TIMESTAMP, millis)

    @classmethod
    def uuid(cls, value: uuid.UUID | bytes) -> HeaderValue:
        raw = value.bytes if isinstance(value, uuid.UUID) else value
        return cls(HeaderType.UUID, raw)


HeaderInput = HeaderValue | str | bool | bytes


def _typed(value: HeaderInput) -> HeaderValue:
    if isinstance(value, HeaderValue):
        return value
    if isinstance(value, bool):
        return HeaderValue.boolean(value)
    if isinstance(value, str):
        return HeaderValue.string(value)
    if isinstance(value, bytes):
        return HeaderValue.byte_array(value)
    raise TypeError(f"untyped header value {value!r}: wrap it in HeaderValue (e.g. HeaderValue.int32)")


def _encode_value(header: HeaderValue) -> bytes:
    kind, value = header.type, header.value
    if kind in (HeaderType.BOOL_TRUE, HeaderType.BOOL_FALSE):
        return b""
    if kind in _INT_FORMATS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"header type {kind.name} needs an int, got {value!r}")
        try:
            return _INT_FORMATS[kind].pack(value)
        except struct.error as exc:
            raise ValueError(f"{value} does not fit header type {kind.name}") from exc
    if kind is HeaderType.UUID:
        if not isinstance(value, bytes) or len(value) != 16:
            raise ValueError(f"a UUID header needs 16 bytes, got {value!r}")
        return value
    raw = value.encode("utf-8") if isinstance(value, str) else value
    if not isinstance(raw, bytes):
        raise TypeError(f"header type {kind.name} needs str or bytes, got {value!r}")
    if len(raw) > 0xFFFF:
        raise ValueError(f"header value of {len(raw)} bytes exceeds 65535")
    return struct.pack(">H", len(raw)) + raw


def encode_headers(headers: Sequence[tuple[str, HeaderInput]]) -> bytes:
    """Encode header records in the given order (order is significant on the wire)."""
    out = bytearray()
    seen: set[str] = set()
    for name, value in headers:
        if name in seen:
            raise ValueError(f"duplicate header {name!r}")
        seen.add(name)
        raw_name = name.encode("utf-8")
        if not 1 <= len(raw_name) <= 255:
            raise ValueError(f"header name must be 1..255 bytes: {name!r}")
        typed = _typed(value)
        out += bytes([len(raw_name)]) + raw_name + bytes([typed.type]) + _encode_value(typed)
    return bytes(out)


def encode_message(headers: Sequence[tuple[str, HeaderInput]], payload: bytes = b"") -> bytes:
    """Encode one event-stream message: prelude, prelude CRC, headers, payload, message CRC."""
    raw_headers = encode_headers(headers)
    if len(raw_headers) > _MAX_HEADERS_LENGTH:
        raise ValueError(f"headers of {len(raw_headers)} bytes exceed {_MAX_HEADERS_LENGTH}")
    if len(payload) > _MAX_PAYLOAD_LENGTH:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {_MAX_PAYLOAD_LENGTH}")
    total = _PRELUDE.size + _CRC.size + len(raw_headers) + len(payload) + _CRC.size
    prelude = _PRELUDE.pack(total, len(raw_headers))
    head = prelude + _CRC.pack(zlib.crc32(prelude)) + raw_headers + payload
    return head + _CRC.pack(zlib.crc32(head))


# --- Bedrock flavour ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A free-form JSON document inside a modelled payload: serialized in its own key order, not sorted."""

    value: Any


def _dumps(value: Any, *, sort_keys: bool) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys)


def modelled_json(value: Any) -> str:
    """Compact JSON with sorted keys and raw UTF-8, except inside :class:`Document` values (own order)."""
    if isinstance(value, Document):
        return _dumps(value.value, sort_keys=False)
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda item: str(item[0]))
        return "{" + ",".join(f"{_dumps(str(k), sort_keys=False)}:{modelled_json(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(modelled_json(v) for v in value) + "]"
    return _dumps(value, sort_keys=False)


def padding(length: int) -> str:
    """The ``"p"`` padding value of the given length (a prefix of :data:`PADDING_ALPHABET`, real range 2..61)."""
    if not 0 <= length <= len(PADDING_ALPHABET):
        raise ValueError(f"padding length must be 0..{len(PADDING_ALPHABET)}, got {length}")
    return PADDING_ALPHABET[:length]


def _bedrock_headers(kind_name: str, kind: str, message_type: str) -> list[tuple[str, HeaderInput]]:
    return [(kind_name, kind), (":content-type", "application/json"), (":message-type", message_type)]


def event_frame(event_type: str, payload: Mapping[str, Any], pad: str | None = None) -> bytes:
    """A Bedrock event frame; ``pad`` (if not None) is added as the ``"p"`` key before sorting."""
    body = dict(payload)
    if pad is not None:
        body["p"] = pad
    data = modelled_json(body).encode("utf-8")
    return encode_message(_bedrock_headers(":event-type", event_type, "event"), data)


def chunk_frame(model_event: Mapping[str, Any] | bytes, pad: str | None = None) -> bytes:
    """An InvokeModelWithResponseStream ``chunk`` frame wrapping one model event (JSON in its own key order)."""
    raw = model_event if isinstance(model_event, bytes) else _dumps(model_event, sort_keys=False).encode("utf-8")
    return event_frame("chunk", {"bytes": base64.b64encode(raw).decode("ascii")}, pad)


def exception_frame(exception_type: str, message: str, **extra: Any) -> bytes:
    """A modelled in-stream exception (``:message-type exception``), payload ``{"message": ..., **extra}``."""
    data = modelled_json({"message": message, **extra}).encode("utf-8")
    return encode_message(_bedrock_headers(":exception-type", exception_type, "exception"), data)


def error_frame(code: str, message: str) -> bytes:
    """An unmodelled event-stream error (``:message-type error``, ``:error-code``, ``:error-message``), no payload."""
    return encode_message([(":message-type", "error"), (":error-code", code), (":error-message", message)])
