"""The encoder protocol and the bookkeeping every encoder shares (stop reason, usage, assembled output)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Self

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

__all__ = ["BufferedEncoder", "Encoder", "Exchange", "Transcript", "dumps", "usage_dict", "utf8"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """What an encoder may know about the request it answers (given to :meth:`Encoder.create`)."""

    model: str
    request_id: str
    created: int
    """Unix time of the request, in seconds."""
    include_usage: bool = False
    """The caller asked for a usage report where the format makes it optional (OpenAI ``include_usage``)."""
    echo: Mapping[str, Any] = field(default_factory=dict)
    """Request settings the answer repeats, as the parser put them (:attr:`bedrock_stream.plan.Converse.echo`)."""


class Encoder(Protocol):
    """Turns a stream of events into one response body in a given format.

    An encoder class declares what the app needs to know before it creates one: ``content_type`` (its media
    type, the ``Content-Type`` header; the part before ``;`` is what ``Accept`` is matched against, as are
    ``media_aliases``), ``buffers`` (nothing is sent until ``finish()``: the answer is one document with a
    real status), ``holds_prelude`` (the status and headers wait for the first text, so an error before it
    still gets a real status) and ``ends_after_error`` (the in-band error closes the stream as its protocol
    defines, so the body then ends normally instead of with the Lambda error trailers). Encoders subclass this
    protocol explicitly to inherit the defaults.
    """

    content_type: ClassVar[str]
    buffers: ClassVar[bool] = False
    holds_prelude: ClassVar[bool] = False
    ends_after_error: ClassVar[bool] = False
    media_aliases: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """A fresh encoder for one response."""
        ...

    def start(self) -> str:
        """Text to send before the first event (may be empty)."""
        ...

    def encode(self, event: BedrockEvent) -> str:
        """Text for one event (may be empty)."""
        ...

    def finish(self) -> str:
        """Text that ends a successful stream, including its completion marker."""
        ...

    def heartbeat(self) -> str:
        """The format's keep-alive, sent between two whole frames while Bedrock is silent ("" for none).

        Every encoder implements it (``tests/unit/api/test_pacing.py`` checks each one a surface offers, and
        ``mypy --strict`` refuses a surface row whose encoder lacks it): a comment or a ping event the format's
        clients skip, never something they would show as content.
        """
        ...

    def error(self, exc: AppError) -> str:
        """The in-band error event that ends a failed stream."""
        ...


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is (the body is UTF-8)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def utf8(text: str) -> bytes:
    """Response text -> body bytes. An unpaired surrogate (it can only come from an echoed input) becomes its
    ``\\uXXXX`` escape, which inside a JSON string is the same character and never breaks the encoding."""
    return text.encode("utf-8", "backslashreplace")


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


class BufferedEncoder(Encoder):
    """Base of the formats that answer with one JSON document once the stream is over (``finish``)."""

    content_type: ClassVar[str] = "application/json"
    buffers: ClassVar[bool] = True

    def __init__(self) -> None:
        self._transcript = Transcript(keep_content=True)

    def start(self) -> str:
        """Nothing is sent before the end."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """Record the event; nothing is sent yet."""
        self._transcript.add(event)
        return ""

    def heartbeat(self) -> str:
        """Nothing: a buffered answer sends no byte before the end."""
        return ""

    def error(self, exc: AppError) -> str:
        """The JSON error body."""
        return dumps(exc.to_dict())
