"""``text/plain; charset=utf-8``: the answer's text deltas, nothing else (curl-friendly).

There is no completion marker in plain text; a failed stream ends with one line
``\\n[error] <type>: <message>\\n`` and the Lambda error trailers.
"""

from __future__ import annotations

from typing import ClassVar, Self

from bedrock_stream.encoders.base import Encoder, Exchange
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent, TextDelta

__all__ = ["TextEncoder"]


class TextEncoder(Encoder):
    """Raw text deltas; reasoning and tool use are not shown in this format.

    Plain text has no framing, so an answer without text would be a prelude and an empty body, which can leave a
    Function URL connection hanging: the app holds the prelude until the first text (``holds_prelude``).
    """

    content_type: ClassVar[str] = "text/plain; charset=utf-8"
    holds_prelude: ClassVar[bool] = True

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        """A text encoder (it needs nothing from the exchange)."""
        return cls()

    def start(self) -> str:
        """Nothing before the text."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """The delta's text, unchanged."""
        return event.text if isinstance(event, TextDelta) else ""

    def finish(self) -> str:
        """Nothing after the text."""
        return ""

    def heartbeat(self) -> str:
        """None: any byte would be part of the answer's text."""
        return ""

    def error(self, exc: AppError) -> str:
        """A final error line."""
        message = " ".join(exc.message.splitlines())
        return f"\n[error] {exc.error_type}: {message}\n"
