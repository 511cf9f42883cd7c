"""Typed stream events as the client sees them, built from the API's SSE/NDJSON event objects.

The native route (``POST /``) sends typed events in SSE (``event: NAME`` + ``data: JSON``) and NDJSON (one JSON object
per line with a ``type`` field): text and reasoning deltas, tool use, a final ``done`` event with the stop reason and
usage, and ``error`` (see README.md, "Output formats", and functions/bedrock_stream's SSE/NDJSON encoders). Unknown
event types are kept as ``OtherEvent`` rather than dropped, so newer servers do not break older clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DoneEvent",
    "ErrorEvent",
    "OtherEvent",
    "ReasoningEvent",
    "StreamEvent",
    "TextEvent",
    "ToolUseEvent",
    "Usage",
    "event_from_json",
]


@dataclass(frozen=True, slots=True)
class TextEvent:
    """A piece of answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningEvent:
    """A piece of the model's reasoning (not part of the answer)."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolUseEvent:
    """A tool-use event (start, input delta or stop); ``data`` is the event object as sent."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts reported by the ``done`` event."""

    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True, slots=True)
class DoneEvent:
    """The completion marker: the stream ended normally."""

    stop_reason: str | None = None
    usage: Usage | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An in-band error: the stream failed after it started."""

    message: str
    error_type: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class OtherEvent:
    """An event type this client does not know."""

    kind: str
    data: dict[str, Any]


StreamEvent = TextEvent | ReasoningEvent | ToolUseEvent | DoneEvent | ErrorEvent | OtherEvent


def _text(data: dict[str, Any]) -> str:
    value = data.get("text")
    return value if isinstance(value, str) else ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _usage(data: dict[str, Any]) -> Usage | None:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return None
    return Usage(
        input_tokens=_int(usage.get("input_tokens")),
        output_tokens=_int(usage.get("output_tokens")),
    )


def _error(data: dict[str, Any]) -> ErrorEvent:
    error = data.get("error")
    if not isinstance(error, dict):
        return ErrorEvent(message=str(error) if error is not None else "unknown error")
    message = error.get("message")
    error_type = error.get("type")
    code = error.get("code")
    return ErrorEvent(
        message=str(message) if message is not None else "unknown error",
        error_type=error_type if isinstance(error_type, str) else None,
        code=str(code) if code is not None else None,
    )


def event_from_json(kind: str | None, data: object) -> StreamEvent:
    """Build the typed event for event name ``kind`` (SSE ``event:``; else the object's ``type``) and its data."""
    obj: dict[str, Any] = data if isinstance(data, dict) else {"value": data}
    name = kind or str(obj.get("type") or "")
    if name == "text":
        return TextEvent(_text(obj))
    if name == "reasoning":  # a signature or redacted reasoning has no text
        return ReasoningEvent(_text(obj))
    if name.startswith("tool_use"):
        return ToolUseEvent(kind=name, data=obj)
    if name == "done":
        reason = obj.get("stop_reason")
        return DoneEvent(stop_reason=str(reason) if reason is not None else None, usage=_usage(obj), data=obj)
    if name == "error":
        return _error(obj)
    return OtherEvent(kind=name, data=obj)
