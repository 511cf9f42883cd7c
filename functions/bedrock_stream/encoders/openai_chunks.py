"""OpenAI ``chat.completion.chunk`` Server-Sent Events for ``/v1/chat/completions`` with ``stream: true``.

Sequence (OpenAI API reference, "The chat completion chunk object"): a first chunk with ``delta.role``, one
chunk per content delta (``content``, ``reasoning_content``, or ``tool_calls`` with a dense 0-based index),
a chunk with an empty delta and ``finish_reason``, a usage chunk with empty ``choices`` when
``stream_options.include_usage``, then ``data: [DONE]``. A tool call's first delta carries its ``id``, ``type``
and ``function.name``; later deltas only ``function.arguments``. Errors: ``data: {"error": {"message", "type",
"param", "code"}}``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from bedrock_stream.encoders.base import Encoder, Exchange, Transcript, dumps
from bedrock_stream.encoders.openai_common import OpenAIIdentity, finish_reason, openai_error_body, openai_usage
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent, ReasoningDelta, TextDelta, ToolUseDelta, ToolUseStart

__all__ = ["OpenAIChunkEncoder"]


class OpenAIChunkEncoder(Encoder):
    """Chat completion chunks as SSE ``data:`` lines."""

    content_type: ClassVar[str] = "text/event-stream; charset=utf-8"

    def __init__(self, identity: OpenAIIdentity, *, include_usage: bool) -> None:
        self._identity = identity
        self._include_usage = include_usage
        self._transcript = Transcript()
        self._tool_index: dict[int, int] = {}

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """The chunk encoder for ``exchange`` (with the usage chunk when the caller asked for it)."""
        return cls(OpenAIIdentity.of(exchange), include_usage=exchange.include_usage)

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> str:
        chunk: dict[str, Any] = {
            "id": self._identity.id,
            "object": "chat.completion.chunk",
            "created": self._identity.created,
            "model": self._identity.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self._include_usage:
            chunk["usage"] = None
        return f"data: {dumps(chunk)}\n\n"

    def start(self) -> str:
        """The role chunk."""
        return self._chunk({"role": "assistant", "content": ""})

    def encode(self, event: BedrockEvent) -> str:
        """One chunk per content delta."""
        self._transcript.add(event)
        if isinstance(event, TextDelta):
            return self._chunk({"content": event.text}) if event.text else ""
        if isinstance(event, ReasoningDelta):
            return self._chunk({"reasoning_content": event.text}) if event.text else ""
        if isinstance(event, ToolUseStart):
            index = self._tool_index.setdefault(event.index, len(self._tool_index))
            call = {
                "index": index,
                "id": event.tool_use_id,
                "type": "function",
                "function": {"name": event.name, "arguments": ""},
            }
            return self._chunk({"tool_calls": [call]})
        if isinstance(event, ToolUseDelta) and event.index in self._tool_index:
            call = {"index": self._tool_index[event.index], "function": {"arguments": event.input}}
            return self._chunk({"tool_calls": [call]})
        return ""

    def finish(self) -> str:
        """The finish chunk, the optional usage chunk, and ``[DONE]``."""
        parts = [self._chunk({}, finish_reason(self._transcript.stop_reason))]
        if self._include_usage:
            usage_chunk = {
                "id": self._identity.id,
                "object": "chat.completion.chunk",
                "created": self._identity.created,
                "model": self._identity.model,
                "choices": [],
                "usage": openai_usage(self._transcript.usage),
            }
            parts.append(f"data: {dumps(usage_chunk)}\n\n")
        parts.append("data: [DONE]\n\n")
        return "".join(parts)

    def heartbeat(self) -> str:
        """An SSE comment line: the OpenAI SDK's SSE decoder skips it."""
        return ": ping\n\n"

    def error(self, exc: AppError) -> str:
        """An error object in place of a chunk (the OpenAI SDK raises ``APIError`` on it)."""
        return f"data: {dumps(openai_error_body(exc))}\n\n"
