"""OpenAI ``chat.completion`` for ``/v1/chat/completions`` with ``stream`` false (OpenAI API reference,
"The chat completion object"), assembled from the stream."""

from __future__ import annotations

from typing import Any, Self

from bedrock_stream.encoders.base import BufferedEncoder, Exchange, dumps
from bedrock_stream.encoders.openai_common import OpenAIIdentity, finish_reason, openai_usage

__all__ = ["OpenAICompletionEncoder"]


class OpenAICompletionEncoder(BufferedEncoder):
    """Buffers the stream; ``finish()`` returns the whole ``chat.completion``."""

    def __init__(self, identity: OpenAIIdentity) -> None:
        super().__init__()
        self._identity = identity

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """The completion encoder for ``exchange``."""
        return cls(OpenAIIdentity.of(exchange))

    def finish(self) -> str:
        """The completion object."""
        t = self._transcript
        message: dict[str, Any] = {"role": "assistant", "content": "".join(t.text) if t.text or not t.tools else None}
        if t.reasoning:
            message["reasoning_content"] = "".join(t.reasoning)
        if t.tools:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": "".join(c.input)}}
                for _, c in sorted(t.tools.items())
            ]
        doc = {
            "id": self._identity.id,
            "object": "chat.completion",
            "created": self._identity.created,
            "model": self._identity.model,
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason(t.stop_reason)}
            ],
            "usage": openai_usage(t.usage),
        }
        return dumps(doc)
