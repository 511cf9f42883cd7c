"""``application/x-ndjson``: the SSE event objects, one JSON object per line (ndjson spec 1.0).

A stream ends with ``{"type":"done",...}`` or ``{"type":"error",...}``. Also the format of direct invokes.
"""

from __future__ import annotations

from typing import Any

from bedrock_stream.encoders.base import dumps
from bedrock_stream.encoders.native_events import TypedEventEncoder

__all__ = ["NdjsonEncoder"]


def _line(obj: dict[str, Any]) -> str:
    return dumps(obj) + "\n"


class NdjsonEncoder(TypedEventEncoder):
    """Newline-delimited JSON events."""

    def __init__(self) -> None:
        super().__init__(_line, "application/x-ndjson")
