"""Anthropic Messages Server-Sent Events for ``POST /v1/messages`` with ``stream: true``.

Follows the Anthropic API reference, "Streaming Messages" (https://docs.anthropic.com/en/api/messages-streaming):
``message_start``, ``ping``, per content block ``content_block_start`` / ``content_block_delta`` /
``content_block_stop``, then ``message_delta`` (stop reason, cumulative usage with the cache fields) and
``message_stop``. Each frame is ``event: <type>`` plus one ``data:`` line. A failure after the first byte ends the
stream with ``event: error`` carrying ``{"type": "error", "error": {"type", "message"}}``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from bedrock_stream.encoders.anthropic_blocks import BlockWriter, message_delta, message_id, message_start
from bedrock_stream.encoders.anthropic_errors import anthropic_error_body
from bedrock_stream.encoders.base import Encoder, Exchange, Transcript, dumps
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent

__all__ = ["AnthropicStreamEncoder", "sse_frame"]


def sse_frame(event: dict[str, Any]) -> str:
    """One SSE frame named after the event's ``type`` (JSON never holds a raw newline: one data line)."""
    return f"event: {event['type']}\ndata: {dumps(event)}\n\n"


class AnthropicStreamEncoder(Encoder):
    """Messages stream events as SSE."""

    content_type: ClassVar[str] = "text/event-stream; charset=utf-8"

    def __init__(self, message_id: str, model: str) -> None:
        self._message_id = message_id
        self._model = model
        self._blocks = BlockWriter()
        self._transcript = Transcript()

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """The encoder for ``exchange`` (message id ``msg_<request id>``)."""
        return cls(message_id(exchange), exchange.model)

    def start(self) -> str:
        """``message_start`` and a ``ping``."""
        return sse_frame(message_start(self._message_id, self._model)) + sse_frame({"type": "ping"})

    def encode(self, event: BedrockEvent) -> str:
        """The content block events of one normalized event."""
        self._transcript.add(event)
        return "".join(sse_frame(e) for e in self._blocks.feed(event))

    def finish(self) -> str:
        """The open block's stop, ``message_delta`` and ``message_stop``."""
        events = [
            *self._blocks.close(),
            message_delta(self._transcript.stop_reason, self._transcript.usage),
            {"type": "message_stop"},
        ]
        return "".join(sse_frame(e) for e in events)

    def heartbeat(self) -> str:
        """A ``ping`` event (the Messages streaming reference lists pings anywhere in the stream)."""
        return sse_frame({"type": "ping"})

    def error(self, exc: AppError) -> str:
        """The ``error`` event."""
        return sse_frame(anthropic_error_body(exc))
