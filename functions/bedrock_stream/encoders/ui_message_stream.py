"""The AI SDK UI message stream (``POST /v1/ui/chat``), the protocol ``useChat``'s ``DefaultChatTransport`` reads.

Follows the AI SDK's "Stream Protocols: UI message stream" (https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol) and
the ``ai`` package's ``uiMessageChunkSchema``, which validates every part strictly: SSE ``data: {json}`` lines,
``start`` (``messageId``), ``start-step``, ``text-start`` / ``text-delta`` (``delta``) / ``text-end`` and
``reasoning-start`` / ``reasoning-delta`` / ``reasoning-end`` (each with its block ``id``), ``tool-input-start``
(``toolCallId``, ``toolName``) / ``tool-input-delta`` (``inputTextDelta``) / ``tool-input-available`` (``input``),
``finish-step``, ``finish`` (``finishReason``, ``messageMetadata.usage``), then ``data: [DONE]``. A failure after the
first byte ends the stream with ``error`` (``errorText``) and ``[DONE]``.

Converse sends text and reasoning without start events, so a block opens with its first delta and closes when
another block (or the end) arrives. A reasoning signature (or redacted reasoning, base64) rides on
``reasoning-end``'s ``providerMetadata.bedrock`` so that the client can send the part back.
"""

from __future__ import annotations

import base64
import json
from typing import Any, ClassVar, Self

from bedrock_stream.encoders.base import Encoder, Exchange, Transcript, dumps
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent, ReasoningDelta, TextDelta, ToolUseDelta, ToolUseStart, ToolUseStop
from bedrock_stream.events import Usage as UsageEvent

__all__ = ["UiMessageStreamEncoder", "finish_reason", "ui_usage"]

_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool-calls",
    "guardrail_intervened": "content-filter",
    "content_filtered": "content-filter",
}


def finish_reason(reason: str | None) -> str:
    """Converse stop reason -> the SDK's ``finishReason`` (none -> ``stop``; unknown -> ``other``)."""
    return "stop" if reason is None else _FINISH_REASONS.get(reason, "other")


def ui_usage(usage: UsageEvent | None) -> dict[str, int]:
    """Converse usage in the SDK's ``LanguageModelUsage`` names (input counts cache reads and writes)."""
    usage = usage or UsageEvent()
    return {
        "inputTokens": usage.prompt_tokens,
        "outputTokens": usage.output_tokens,
        "totalTokens": usage.total_tokens,
        "cachedInputTokens": usage.cache_read_input_tokens,
    }


def _frame(part: dict[str, Any]) -> str:
    return f"data: {dumps(part)}\n\n"


class UiMessageStreamEncoder(Encoder):
    """UI message stream parts as SSE."""

    content_type: ClassVar[str] = "text/event-stream; charset=utf-8"
    ends_after_error: ClassVar[bool] = True
    """``error`` + ``[DONE]`` is a complete UI message stream. Error trailers would make the Function URL cut the
    HTTP body short, and a browser's fetch stream then drops what the page has not read yet (a stream that errors
    discards its queue, https://streams.spec.whatwg.org/#readable-stream-error): useChat would report "network
    error" instead of the ``errorText``. The AI SDK's own servers also end the response normally after it."""

    def __init__(self, message_id: str, model: str) -> None:
        self._message_id = message_id
        self._model = model
        self._transcript = Transcript()
        self._open: tuple[str, int, str] | None = None
        """(kind ``text`` / ``reasoning``, Bedrock block index, part id) of the open block."""
        self._blocks = 0
        self._signature = ""
        self._tools: dict[int, tuple[str, str, list[str]]] = {}

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """The encoder for ``exchange``: message id ``msg_<request id>``, or the id of the assistant message the
        request continues (``echo["messageId"]``, set by the request parser)."""
        continued = exchange.echo.get("messageId")
        return cls(continued if isinstance(continued, str) else f"msg_{exchange.request_id}", exchange.model)

    def start(self) -> str:
        """``start`` (the message id) and ``start-step``."""
        return _frame({"type": "start", "messageId": self._message_id}) + _frame({"type": "start-step"})

    def encode(self, event: BedrockEvent) -> str:
        """The parts of one normalized event."""
        self._transcript.add(event)
        return "".join(_frame(part) for part in self._parts(event))

    def _parts(self, event: BedrockEvent) -> list[dict[str, Any]]:
        if isinstance(event, TextDelta):
            out, part_id = self._ensure("text", event.index)
            return [*out, {"type": "text-delta", "id": part_id, "delta": event.text}]
        if isinstance(event, ReasoningDelta):
            if event.redacted:
                out, part_id = self._ensure("reasoning", event.index)
                data = base64.b64encode(event.redacted).decode("ascii")
                return [*out, *self._close({"redactedData": data})]
            out, part_id = self._ensure("reasoning", event.index)
            if event.signature:
                self._signature = event.signature
                return out
            return [*out, {"type": "reasoning-delta", "id": part_id, "delta": event.text}]
        if isinstance(event, ToolUseStart):
            self._tools[event.index] = (event.tool_use_id, event.name, [])
            start = {"type": "tool-input-start", "toolCallId": event.tool_use_id, "toolName": event.name}
            return [*self._close(), start]
        if isinstance(event, ToolUseDelta) and event.index in self._tools:
            call_id, _, pieces = self._tools[event.index]
            pieces.append(event.input)
            return [{"type": "tool-input-delta", "toolCallId": call_id, "inputTextDelta": event.input}]
        if isinstance(event, ToolUseStop) and event.index in self._tools:
            return [self._tool_done(event.index)]
        return []

    def _tool_done(self, index: int) -> dict[str, Any]:
        call_id, name, pieces = self._tools.pop(index)
        text = "".join(pieces)
        try:
            tool_input = json.loads(text) if text.strip() else {}
        except ValueError:
            return {
                "type": "tool-input-error",
                "toolCallId": call_id,
                "toolName": name,
                "input": text,
                "errorText": "the model's tool input is not valid JSON",
            }
        return {"type": "tool-input-available", "toolCallId": call_id, "toolName": name, "input": tool_input}

    def _ensure(self, kind: str, index: int) -> tuple[list[dict[str, Any]], str]:
        if self._open is not None and self._open[:2] == (kind, index):
            return [], self._open[2]
        out = self._close()
        part_id = f"{self._message_id}-{self._blocks}"
        self._blocks += 1
        self._open = (kind, index, part_id)
        return [*out, {"type": f"{kind}-start", "id": part_id}], part_id

    def _close(self, bedrock: dict[str, str] | None = None) -> list[dict[str, Any]]:
        if self._open is None:
            return []
        kind, _, part_id = self._open
        self._open = None
        end: dict[str, Any] = {"type": f"{kind}-end", "id": part_id}
        metadata = dict(bedrock or {})
        if kind == "reasoning" and self._signature:
            metadata["signature"] = self._signature
        self._signature = ""
        if metadata:
            end["providerMetadata"] = {"bedrock": metadata}
        return [end]

    def finish(self) -> str:
        """The open block's end, unfinished tool calls, ``finish-step``, ``finish`` and ``[DONE]``."""
        parts = [*self._close(), *(self._tool_done(index) for index in list(self._tools))]
        metadata = {"model": self._model, "usage": ui_usage(self._transcript.usage)}
        parts += [
            {"type": "finish-step"},
            {
                "type": "finish",
                "finishReason": finish_reason(self._transcript.stop_reason),
                "messageMetadata": metadata,
            },
        ]
        return "".join(_frame(part) for part in parts) + "data: [DONE]\n\n"

    def heartbeat(self) -> str:
        """An SSE comment (the SDK's event stream parser skips comment lines)."""
        return ": ping\n\n"

    def error(self, exc: AppError) -> str:
        """The ``error`` part (``errorText``: the error's type and message), then ``[DONE]``."""
        return _frame({"type": "error", "errorText": f"{exc.error_type}: {exc.message}"}) + "data: [DONE]\n\n"
