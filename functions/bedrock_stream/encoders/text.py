"""``text/plain; charset=utf-8``: the answer's text deltas, nothing else (curl-friendly).

There is no completion marker in plain text; a failed stream ends with one line
``\\n[error] <type>: <message>\\n`` and the Lambda error trailers.
"""

from __future__ import annotations

from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent, TextDelta

__all__ = ["TextEncoder"]


class TextEncoder:
    """Raw text deltas; reasoning and tool use are not shown in this format."""

    content_type = "text/plain; charset=utf-8"

    def start(self) -> str:
        """Nothing before the text."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """The delta's text, unchanged."""
        return event.text if isinstance(event, TextDelta) else ""

    def finish(self) -> str:
        """Nothing after the text."""
        return ""

    def error(self, exc: AppError) -> str:
        """A final error line."""
        message = " ".join(exc.message.splitlines())
        return f"\n[error] {exc.error_type}: {message}\n"
