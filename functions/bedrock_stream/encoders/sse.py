"""``text/event-stream``: typed Server-Sent Events (WHATWG HTML Living Standard, "Server-sent events").

Each event is ``event: <type>`` plus one ``data:`` line of JSON; a stream ends with ``event: done`` (stop reason,
usage) or ``event: error``. While Bedrock is silent, heartbeats are the comment ``: ping``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bedrock_stream.encoders.base import dumps
from bedrock_stream.encoders.native_events import TypedEventEncoder

__all__ = ["SseEncoder"]


class SseEncoder(TypedEventEncoder):
    """Typed SSE events."""

    content_type: ClassVar[str] = "text/event-stream; charset=utf-8"

    def heartbeat(self) -> str:
        """An SSE comment line (EventSource and SSE parsers skip lines starting with ``:``)."""
        return ": ping\n\n"

    def _frame(self, obj: dict[str, Any]) -> str:
        # JSON never contains a raw newline, so one data line per event is always valid SSE.
        return f"event: {obj['type']}\ndata: {dumps(obj)}\n\n"
