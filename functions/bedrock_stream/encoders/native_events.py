"""The typed event objects shared by the SSE and NDJSON formats (see the README "API" section)."""

from __future__ import annotations

import base64
from typing import Any, Self

from bedrock_stream.encoders.base import Encoder, Exchange, Transcript, usage_dict
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent, ReasoningDelta, TextDelta, ToolUseDelta, ToolUseStart, ToolUseStop

__all__ = ["TypedEventEncoder", "done_event", "error_event", "event_object"]


def event_object(event: BedrockEvent) -> dict[str, Any] | None:
    """The wire object for a content event; ``None`` for bookkeeping events (usage, stop, metrics)."""
    if isinstance(event, TextDelta):
        return {"type": "text", "text": event.text}
    if isinstance(event, ReasoningDelta):
        if event.text:
            return {"type": "reasoning", "text": event.text}
        if event.signature:
            return {"type": "reasoning", "signature": event.signature}
        return {"type": "reasoning", "redacted": base64.b64encode(event.redacted).decode("ascii")}
    if isinstance(event, ToolUseStart):
        return {"type": "tool_use_start", "index": event.index, "id": event.tool_use_id, "name": event.name}
    if isinstance(event, ToolUseDelta):
        return {"type": "tool_use_delta", "index": event.index, "input": event.input}
    if isinstance(event, ToolUseStop):
        return {"type": "tool_use_stop", "index": event.index}
    return None


def done_event(transcript: Transcript) -> dict[str, Any]:
    """The completion marker: stop reason and usage."""
    return {"type": "done", "stop_reason": transcript.stop_reason or "end_turn", "usage": usage_dict(transcript.usage)}


def error_event(exc: AppError) -> dict[str, Any]:
    """The in-band error event: ``{"type": "error", "error": {...}}``."""
    return {"type": "error", **exc.to_dict()}


class TypedEventEncoder(Encoder):
    """The native typed events (text, reasoning, tool use, then ``done`` or ``error``), each framed by ``_frame``.

    SSE and NDJSON differ only in the framing of one event object (and their media type); see :mod:`.sse` and
    :mod:`.ndjson`.
    """

    def __init__(self) -> None:
        self._transcript = Transcript()

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """A fresh encoder (it needs nothing from the exchange)."""
        return cls()

    def _frame(self, obj: dict[str, Any]) -> str:
        raise NotImplementedError

    def start(self) -> str:
        """Nothing before the first event."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """One framed object per content event."""
        self._transcript.add(event)
        obj = event_object(event)
        return "" if obj is None else self._frame(obj)

    def finish(self) -> str:
        """The ``done`` event: stop reason and usage."""
        return self._frame(done_event(self._transcript))

    def error(self, exc: AppError) -> str:
        """The ``error`` event."""
        return self._frame(error_event(exc))
