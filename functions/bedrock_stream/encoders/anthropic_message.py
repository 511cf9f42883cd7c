"""The Anthropic ``Message`` object for ``POST /v1/messages`` without ``stream`` (Anthropic API reference, "Messages":
https://docs.anthropic.com/en/api/messages; the SDK's ``anthropic.types.Message``).

It is assembled from the very events the streaming encoder sends (:mod:`.anthropic_blocks`), the way a client
accumulates a stream: text and thinking deltas concatenated, the signature kept, tool input parsed from its
partial JSON.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Self

from bedrock_stream.encoders.anthropic_blocks import BlockWriter, message_delta, message_id, message_start
from bedrock_stream.encoders.anthropic_errors import anthropic_error_body
from bedrock_stream.encoders.base import Encoder, Exchange, Transcript, dumps
from bedrock_stream.errors import AppError, MidStreamError
from bedrock_stream.events import BedrockEvent

__all__ = ["AnthropicMessageEncoder"]


class AnthropicMessageEncoder(Encoder):
    """Buffers the stream; ``finish()`` returns the whole Message."""

    content_type: ClassVar[str] = "application/json"
    buffers: ClassVar[bool] = True

    def __init__(self, message_id: str, model: str) -> None:
        self._message = message_start(message_id, model)["message"]
        self._blocks = BlockWriter()
        self._transcript = Transcript()
        self._content: list[dict[str, Any]] = []
        self._tool_json: dict[int, list[str]] = {}

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """The encoder for ``exchange`` (message id ``msg_<request id>``)."""
        return cls(message_id(exchange), exchange.model)

    def start(self) -> str:
        """Nothing is sent before the end."""
        return ""

    def heartbeat(self) -> str:
        """Nothing: a buffered answer sends no byte before the end."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """Apply the event's content block events to the message."""
        self._transcript.add(event)
        for block_event in self._blocks.feed(event):
            self._apply(block_event)
        return ""

    def finish(self) -> str:
        """The Message document."""
        for block_event in self._blocks.close():
            self._apply(block_event)
        delta = message_delta(self._transcript.stop_reason, self._transcript.usage)
        return dumps({**self._message, "content": self._content, **delta["delta"], "usage": delta["usage"]})

    def error(self, exc: AppError) -> str:
        """The error document."""
        return dumps(anthropic_error_body(exc))

    def _apply(self, event: dict[str, Any]) -> None:
        kind, index = event["type"], event["index"]
        if kind == "content_block_start":
            self._content.append(dict(event["content_block"]))
            return
        block = self._content[index]
        if kind == "content_block_stop":
            if block["type"] == "tool_use":
                block["input"] = _tool_input("".join(self._tool_json.pop(index, [])), block["name"])
            return
        delta = event["delta"]
        if delta["type"] == "text_delta":
            block["text"] += delta["text"]
        elif delta["type"] == "thinking_delta":
            block["thinking"] += delta["thinking"]
        elif delta["type"] == "signature_delta":
            block["signature"] += delta["signature"]
        else:  # input_json_delta
            self._tool_json.setdefault(index, []).append(delta["partial_json"])


def _tool_input(text: str, name: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise MidStreamError(f"the model's input for tool {name!r} is not a JSON object", code="InvalidToolInput")
    return value
