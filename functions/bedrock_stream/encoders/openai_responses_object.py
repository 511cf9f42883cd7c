"""The OpenAI ``Response`` object for ``POST /v1/responses`` without ``stream`` (OpenAI API reference, "Responses:
the response object": https://platform.openai.com/docs/api-reference/responses/object; the SDK's
``openai.types.responses.Response``).

It is assembled by the same :class:`~.openai_responses_items.OutputWriter` the streaming encoder uses, so both
answers hold the same output items.
"""

from __future__ import annotations

from typing import ClassVar, Self

from bedrock_stream.encoders.base import Encoder, Exchange, Transcript, dumps
from bedrock_stream.encoders.openai_common import openai_error_body
from bedrock_stream.encoders.openai_responses_items import (
    OutputWriter,
    response_object,
    response_status,
    responses_usage,
)
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent

__all__ = ["OpenAIResponseObjectEncoder"]


class OpenAIResponseObjectEncoder(Encoder):
    """Buffers the stream; ``finish()`` returns the whole Response."""

    content_type: ClassVar[str] = "application/json"
    buffers: ClassVar[bool] = True

    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self._writer = OutputWriter(exchange.request_id)
        self._transcript = Transcript()

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """The encoder for ``exchange`` (response id ``resp_<request id>``)."""
        return cls(exchange)

    def start(self) -> str:
        """Nothing is sent before the end."""
        return ""

    def heartbeat(self) -> str:
        """Nothing: a buffered answer sends no byte before the end."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """Record the event's output items; nothing is sent yet."""
        self._transcript.add(event)
        self._writer.feed(event)
        return ""

    def finish(self) -> str:
        """The Response document."""
        status, details = response_status(self._transcript.stop_reason)
        self._writer.close(status="incomplete" if details else "completed")
        return dumps(
            response_object(
                self._exchange,
                status=status,
                output=self._writer.output,
                usage=responses_usage(self._transcript.usage),
                incomplete_details=details,
            )
        )

    def error(self, exc: AppError) -> str:
        """The error document."""
        return dumps(openai_error_body(exc))
