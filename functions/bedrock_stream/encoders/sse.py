"""``text/event-stream``: typed Server-Sent Events (WHATWG HTML Living Standard, "Server-sent events").

Each event is ``event: <type>`` plus one ``data:`` line of JSON; a stream ends with ``event: done`` (stop reason,
usage) or ``event: error``.
"""

from __future__ import annotations

from typing import Any

from bedrock_stream.encoders.base import Transcript, dumps
from bedrock_stream.encoders.native_events import done_event, error_event, event_object
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent

__all__ = ["SseEncoder"]


def _frame(obj: dict[str, Any]) -> str:
    # JSON never contains a raw newline, so one data line per event is always valid SSE.
    return f"event: {obj['type']}\ndata: {dumps(obj)}\n\n"


class SseEncoder:
    """Typed SSE events."""

    content_type = "text/event-stream; charset=utf-8"

    def __init__(self) -> None:
        self._transcript = Transcript()

    def start(self) -> str:
        """Nothing before the first event."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """One SSE event per content event."""
        self._transcript.add(event)
        obj = event_object(event)
        return "" if obj is None else _frame(obj)

    def finish(self) -> str:
        """The ``done`` event."""
        return _frame(done_event(self._transcript))

    def error(self, exc: AppError) -> str:
        """The ``error`` event."""
        return _frame(error_event(exc))
