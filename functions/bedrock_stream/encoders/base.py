"""The encoder protocol and the bookkeeping every encoder shares (stop reason, usage, assembled output)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from bedrock_stream.errors import AppError
from bedrock_stream.events import (
    BedrockEvent,
    ReasoningDelta,
    Stop,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    Usage,
)

__all__ = ["BufferedEncoder", "Encoder", "Transcript", "dumps", "usage_dict"]


class Encoder(Protocol):
    """Turns a stream of events into one response body in a given format."""

    content_type: str

    def start(self) -> str:
        """Text to send before the first event (may be empty)."""
        ...

    def encode(self, event: BedrockEvent) -> str:
        """Text for one event (may be empty)."""
        ...

    def finish(self) -> str:
        """Text that ends a successful stream, including its completion marker."""
        ...

    def error(self, exc: AppError) -> str:
        """The in-band error event that ends a failed stream."""
        ...


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is (the body is UTF-8)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def usage_dict(usage: Usage | None) -> dict[str, int]:
    """The usage object of the native formats: all four counts (zero when absent) and the total, which is
    Bedrock's ``totalTokens`` when reported, else their sum
    (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html)."""
    usage = usage or Usage()
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
        "cache_write_input_tokens": usage.cache_write_input_tokens,
        "total_tokens": usage.total_tokens,
    }


@dataclass(slots=True)
class ToolCall:
    """A tool call assembled from start/delta events."""

    id: str
    name: str
    input: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Transcript:
    """Everything a stream said, for the final ``done`` event and the assembled JSON documents.

    ``keep_content`` False keeps only the stop reason and usage (streaming formats need no text copy).
    """

    keep_content: bool = False
    stop_reason: str | None = None
    usage: Usage | None = None
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tools: dict[int, ToolCall] = field(default_factory=dict)

    def add(self, event: BedrockEvent) -> None:
        """Record one event."""
        if isinstance(event, Stop):
            self.stop_reason = event.reason
        elif isinstance(event, Usage):
            self.usage = event
        elif not self.keep_content:
            return
        elif isinstance(event, TextDelta):
            self.text.append(event.text)
        elif isinstance(event, ReasoningDelta):
            if event.text:
                self.reasoning.append(event.text)
        elif isinstance(event, ToolUseStart):
            self.tools[event.index] = ToolCall(event.tool_use_id, event.name)
        elif isinstance(event, ToolUseDelta) and event.index in self.tools:
            self.tools[event.index].input.append(event.input)


class BufferedEncoder:
    """Base of the formats that answer with one JSON document once the stream is over (``finish``)."""

    content_type = "application/json"

    def __init__(self) -> None:
        self._transcript = Transcript(keep_content=True)

    def start(self) -> str:
        """Nothing is sent before the end."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """Record the event; nothing is sent yet."""
        self._transcript.add(event)
        return ""

    def error(self, exc: AppError) -> str:
        """The JSON error body."""
        return dumps(exc.to_dict())
