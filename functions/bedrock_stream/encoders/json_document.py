"""``application/json`` (``"stream": false`` or ``?format=json``): one document assembled from the whole stream.

Shape: ``{"model", "text", "reasoning"?, "tool_calls"?, "stop_reason", "usage"}``.
"""

from __future__ import annotations

from typing import Any, Self

from bedrock_stream.encoders.base import BufferedEncoder, Exchange, dumps, usage_dict

__all__ = ["JsonDocumentEncoder"]


class JsonDocumentEncoder(BufferedEncoder):
    """Buffers the stream; ``finish()`` returns the whole document."""

    def __init__(self, model: str) -> None:
        super().__init__()
        self._model = model

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """A document encoder for the exchange's model."""
        return cls(exchange.model)

    def finish(self) -> str:
        """The assembled document."""
        t = self._transcript
        doc: dict[str, Any] = {"model": self._model, "text": "".join(t.text)}
        if t.reasoning:
            doc["reasoning"] = "".join(t.reasoning)
        if t.tools:
            doc["tool_calls"] = [
                {"id": call.id, "name": call.name, "input": "".join(call.input)} for _, call in sorted(t.tools.items())
            ]
        doc["stop_reason"] = t.stop_reason or "end_turn"
        doc["usage"] = usage_dict(t.usage)
        return dumps(doc)
