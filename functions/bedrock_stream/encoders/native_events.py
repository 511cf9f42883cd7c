"""The typed event objects shared by the SSE and NDJSON formats (see the README "API" section)."""

from __future__ import annotations

import base64
from typing import Any

from bedrock_stream.encoders.base import Transcript, usage_dict
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent, ReasoningDelta, TextDelta, ToolUseDelta, ToolUseStart, ToolUseStop

__all__ = ["done_event", "error_event", "event_object"]


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
