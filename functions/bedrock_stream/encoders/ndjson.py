"""``application/x-ndjson``: the SSE event objects, one JSON object per line (ndjson spec 1.0).

A stream ends with ``{"type":"done",...}`` or ``{"type":"error",...}``; while Bedrock is silent, heartbeats are
``{"type":"ping"}`` lines. Also the format of direct invokes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bedrock_stream.encoders.base import dumps
from bedrock_stream.encoders.native_events import TypedEventEncoder

__all__ = ["NdjsonEncoder"]


class NdjsonEncoder(TypedEventEncoder):
    """Newline-delimited JSON events."""

    content_type: ClassVar[str] = "application/x-ndjson"
    media_aliases: ClassVar[tuple[str, ...]] = ("application/jsonl",)

    def heartbeat(self) -> str:
        """A ``{"type":"ping"}`` line (clients skip it)."""
        return self._frame({"type": "ping"})

    def _frame(self, obj: dict[str, Any]) -> str:
        return dumps(obj) + "\n"
