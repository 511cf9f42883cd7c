"""``application/json`` (``"stream": false`` or ``?format=json``): one document assembled from the whole stream.

Shape: ``{"model", "text", "reasoning"?, "tool_calls"?, "stop_reason", "usage"}``.
"""

from __future__ import annotations

from typing import Any

from bedrock_stream.encoders.base import Transcript, dumps, usage_dict
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent

__all__ = ["JsonDocumentEncoder"]


class JsonDocumentEncoder:
    """Buffers the stream; ``finish()`` returns the whole document."""

    content_type = "application/json"

    def __init__(self, model: str) -> None:
        self._model = model
        self._transcript = Transcript(keep_content=True)

    def start(self) -> str:
        """Nothing is sent before the end."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """Record the event; nothing is sent yet."""
        self._transcript.add(event)
        return ""

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

    def error(self, exc: AppError) -> str:
        """The JSON error body."""
        return dumps(exc.to_dict())
