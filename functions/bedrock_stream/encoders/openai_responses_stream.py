"""OpenAI Responses Server-Sent Events for ``POST /v1/responses`` with ``stream: true``.

Follows the OpenAI API reference, "Responses: streaming events"
(https://platform.openai.com/docs/api-reference/responses-streaming; the SDK's ``ResponseStreamEvent`` union):
``response.created`` and ``response.in_progress`` (the Response so far, ``status: in_progress``), the output item
events of :mod:`.openai_responses_items`, then ``response.completed`` or ``response.incomplete`` (the whole
Response with ``usage``). Every event carries ``sequence_number``, counting from 0. Each frame is
``event: <type>`` plus one ``data:`` line. A failure after the first byte ends the stream with ``error``
(``message``, ``code``, ``param``) and ``response.failed`` (the Response with its ``error``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from bedrock_stream.encoders.base import Encoder, Exchange, Transcript, dumps
from bedrock_stream.encoders.openai_common import openai_error_body
from bedrock_stream.encoders.openai_responses_errors import response_error
from bedrock_stream.encoders.openai_responses_items import (
    OutputWriter,
    response_object,
    response_status,
    responses_usage,
)
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent

__all__ = ["OpenAIResponsesStreamEncoder"]


class OpenAIResponsesStreamEncoder(Encoder):
    """Responses stream events as SSE."""

    content_type: ClassVar[str] = "text/event-stream; charset=utf-8"

    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self._writer = OutputWriter(exchange.request_id)
        self._transcript = Transcript()
        self._sequence = 0

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """The encoder for ``exchange`` (response id ``resp_<request id>``)."""
        return cls(exchange)

    def start(self) -> str:
        """``response.created`` and ``response.in_progress``."""
        response = response_object(self._exchange, status="in_progress", output=[])
        return self._frames(
            [{"type": "response.created", "response": response}, {"type": "response.in_progress", "response": response}]
        )

    def encode(self, event: BedrockEvent) -> str:
        """The output item events of one normalized event."""
        self._transcript.add(event)
        return self._frames(self._writer.feed(event))

    def heartbeat(self) -> str:
        """An SSE comment line between two events: the OpenAI SDK's SSE decoder skips it."""
        return ": ping\n\n"

    def finish(self) -> str:
        """The open item's closing events, then ``response.completed`` (or ``response.incomplete``)."""
        status, details = response_status(self._transcript.stop_reason)
        events = self._writer.close(status="incomplete" if details else "completed")
        response = response_object(
            self._exchange,
            status=status,
            output=self._writer.output,
            usage=responses_usage(self._transcript.usage),
            incomplete_details=details,
        )
        return self._frames([*events, {"type": f"response.{status}", "response": response}])

    def error(self, exc: AppError) -> str:
        """``error``, then ``response.failed``."""
        error = openai_error_body(exc)["error"]
        failed = response_object(
            self._exchange,
            status="failed",
            output=self._writer.output,
            usage=responses_usage(self._transcript.usage) if self._transcript.usage else None,
            error=response_error(exc),
        )
        return self._frames(
            [
                {"type": "error", "code": error["code"], "message": error["message"], "param": error["param"]},
                {"type": "response.failed", "response": failed},
            ]
        )

    def _frames(self, events: list[dict[str, Any]]) -> str:
        frames = []
        for event in events:
            event["sequence_number"] = self._sequence
            self._sequence += 1
            frames.append(f"event: {event['type']}\ndata: {dumps(event)}\n\n")
        return "".join(frames)
