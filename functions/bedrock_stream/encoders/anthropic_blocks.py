"""Normalized events -> the Anthropic Messages stream events (as dicts), shared by the SSE and JSON encoders.

Follows the Anthropic API reference, "Streaming Messages" (https://docs.anthropic.com/en/api/messages-streaming)
and the ``anthropic`` SDK's ``RawMessageStreamEvent`` types: ``content_block_start`` / ``content_block_delta``
(``text_delta``, ``thinking_delta``, ``signature_delta``, ``input_json_delta``) / ``content_block_stop`` with a dense
0-based ``index``, and ``message_start`` / ``message_delta`` / ``message_stop`` around them.

Converse (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html) sends text and
reasoning deltas without a start event, and our normalized events carry no stop for them, so a block is opened by
its first delta and closed when an event of another block (or the end) arrives. A redacted reasoning block becomes a
``redacted_thinking`` block with its bytes base64-encoded, started and stopped at once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from bedrock_stream.encoders.base import Exchange
from bedrock_stream.events import (
    BedrockEvent,
    ReasoningDelta,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    ToolUseStop,
    Usage,
)

__all__ = [
    "BlockWriter",
    "anthropic_stop_reason",
    "anthropic_usage",
    "message_delta",
    "message_id",
    "message_start",
]

_STOP_REASONS = {
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "model_context_window_exceeded": "model_context_window_exceeded",
    "guardrail_intervened": "refusal",
    "content_filtered": "refusal",
}


def anthropic_stop_reason(reason: str | None) -> str:
    """Converse stop reason -> Anthropic ``stop_reason`` (guardrail and content filter -> ``refusal``; unknown ->
    ``end_turn``)."""
    return _STOP_REASONS.get(reason or "end_turn", "end_turn")


def anthropic_usage(usage: Usage | None) -> dict[str, int]:
    """Converse usage -> Anthropic usage (Converse's cache write is Anthropic's cache creation)."""
    usage = usage or Usage()
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_creation_input_tokens": usage.cache_write_input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
    }


def message_id(exchange: Exchange) -> str:
    """The Message id: ``msg_`` and the Lambda request id (also the ``x-request-id`` header)."""
    return f"msg_{exchange.request_id}"


def message_start(message_id: str, model: str) -> dict[str, Any]:
    """The ``message_start`` event: an empty assistant message (usage arrives with ``message_delta``)."""
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": anthropic_usage(None),
    }
    return {"type": "message_start", "message": message}


def message_delta(stop_reason: str | None, usage: Usage | None) -> dict[str, Any]:
    """The ``message_delta`` event: the stop reason and the cumulative usage."""
    return {
        "type": "message_delta",
        "delta": {"stop_reason": anthropic_stop_reason(stop_reason), "stop_sequence": None},
        "usage": anthropic_usage(usage),
    }


@dataclass(slots=True)
class _Open:
    kind: str
    source_index: int
    index: int


class BlockWriter:
    """Turns content events into ``content_block_*`` events; :meth:`close` ends the open block."""

    def __init__(self) -> None:
        self._open: _Open | None = None
        self._next = 0

    def feed(self, event: BedrockEvent) -> list[dict[str, Any]]:
        """The content block events for one normalized event (none for usage, stop and metrics)."""
        if isinstance(event, TextDelta):
            out = self._ensure("text", event.index, {"type": "text", "text": ""})
            return [*out, self._delta({"type": "text_delta", "text": event.text})]
        if isinstance(event, ReasoningDelta):
            if event.redacted:
                data = base64.b64encode(event.redacted).decode("ascii")
                block = {"type": "redacted_thinking", "data": data}
                return [*self.close(), *self._start("redacted_thinking", event.index, block), *self.close()]
            start = {"type": "thinking", "thinking": "", "signature": ""}
            out = self._ensure("thinking", event.index, start)
            if event.signature:
                return [*out, self._delta({"type": "signature_delta", "signature": event.signature})]
            return [*out, self._delta({"type": "thinking_delta", "thinking": event.text})]
        if isinstance(event, ToolUseStart):
            tool: dict[str, Any] = {"type": "tool_use", "id": event.tool_use_id, "name": event.name, "input": {}}
            return [*self.close(), *self._start("tool_use", event.index, tool)]
        if isinstance(event, ToolUseDelta) and self._is_open("tool_use", event.index):
            return [self._delta({"type": "input_json_delta", "partial_json": event.input})]
        if isinstance(event, ToolUseStop) and self._is_open("tool_use", event.index):
            return self.close()
        return []

    def close(self) -> list[dict[str, Any]]:
        """``content_block_stop`` for the open block, if any."""
        if self._open is None:
            return []
        index, self._open = self._open.index, None
        return [{"type": "content_block_stop", "index": index}]

    def _is_open(self, kind: str, source_index: int) -> bool:
        return self._open is not None and (self._open.kind, self._open.source_index) == (kind, source_index)

    def _ensure(self, kind: str, source_index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
        if self._is_open(kind, source_index):
            return []
        return [*self.close(), *self._start(kind, source_index, block)]

    def _start(self, kind: str, source_index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
        self._open = _Open(kind, source_index, self._next)
        self._next += 1
        return [{"type": "content_block_start", "index": self._open.index, "content_block": block}]

    def _delta(self, delta: dict[str, Any]) -> dict[str, Any]:
        if self._open is None:
            raise RuntimeError("a delta without an open content block")  # a bug here, never caused by input
        return {"type": "content_block_delta", "index": self._open.index, "delta": delta}
