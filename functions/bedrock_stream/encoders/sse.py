"""``text/event-stream``: typed Server-Sent Events (WHATWG HTML Living Standard, "Server-sent events").

Each event is ``event: <type>`` plus one ``data:`` line of JSON; a stream ends with ``event: done`` (stop reason,
usage) or ``event: error``.
"""

from __future__ import annotations

from typing import Any

from bedrock_stream.encoders.base import dumps
from bedrock_stream.encoders.native_events import TypedEventEncoder

__all__ = ["SseEncoder"]


def _frame(obj: dict[str, Any]) -> str:
    # JSON never contains a raw newline, so one data line per event is always valid SSE.
    return f"event: {obj['type']}\ndata: {dumps(obj)}\n\n"


class SseEncoder(TypedEventEncoder):
    """Typed SSE events."""

    def __init__(self) -> None:
        super().__init__(_frame, "text/event-stream; charset=utf-8")
