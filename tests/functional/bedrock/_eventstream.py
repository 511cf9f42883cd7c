"""Test-only encoder for ``application/vnd.amazon.eventstream`` frames (docs/bedrock-formats.md, "Event-stream
framing").

Written from the message layout there (https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html): prelude
(total length, headers length, CRC32), string headers, payload, message CRC32. Bedrock event frames carry
``:event-type``, ``:content-type``, ``:message-type`` in that order and a ``"p"`` padding key in compact, key-sorted
JSON.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Mapping
from typing import Any

_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def frame(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    """One event-stream message with type-7 (string) headers."""
    block = b""
    for name, value in headers:
        raw_name, raw_value = name.encode(), value.encode()
        block += struct.pack(">B", len(raw_name)) + raw_name + b"\x07" + struct.pack(">H", len(raw_value)) + raw_value
    total = 12 + len(block) + len(payload) + 4
    prelude = struct.pack(">II", total, len(block))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + block + payload
    return message + struct.pack(">I", zlib.crc32(message) & 0xFFFFFFFF)


def event(event_type: str, payload: Mapping[str, Any], *, pad: int = 8) -> bytes:
    """A Bedrock event frame: sorted compact JSON with the ``p`` padding key."""
    body = dict(payload, p=_PADDING[:pad])
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return frame([(":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")], data)


def chunk(model_event: Mapping[str, Any]) -> bytes:
    """An InvokeModelWithResponseStream ``chunk`` frame wrapping one model JSON event (its own key order)."""
    raw = json.dumps(model_event, ensure_ascii=False, separators=(",", ":")).encode()
    return event("chunk", {"bytes": base64.b64encode(raw).decode()})


def exception(exception_type: str, message: str, **extra: Any) -> bytes:
    """A modelled in-stream exception frame (``:message-type exception``)."""
    data = json.dumps({"message": message, **extra}).encode()
    return frame(
        [(":exception-type", exception_type), (":content-type", "application/json"), (":message-type", "exception")],
        data,
    )


def error(code: str, message: str) -> bytes:
    """An unmodelled error frame (``:message-type error``, empty payload)."""
    return frame([(":message-type", "error"), (":error-code", code), (":error-message", message)], b"")
