"""``application/x-ndjson``: the SSE event objects, one JSON object per line (ndjson spec 1.0).

A stream ends with ``{"type":"done",...}`` or ``{"type":"error",...}``. Also the format of direct invokes.
"""

from __future__ import annotations

from bedrock_stream.encoders.base import Transcript, dumps
from bedrock_stream.encoders.native_events import done_event, error_event, event_object
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent

__all__ = ["NdjsonEncoder"]


class NdjsonEncoder:
    """Newline-delimited JSON events."""

    content_type = "application/x-ndjson"

    def __init__(self) -> None:
        self._transcript = Transcript()

    def start(self) -> str:
        """Nothing before the first event."""
        return ""

    def encode(self, event: BedrockEvent) -> str:
        """One line per content event."""
        self._transcript.add(event)
        obj = event_object(event)
        return "" if obj is None else dumps(obj) + "\n"

    def finish(self) -> str:
        """The ``done`` line."""
        return dumps(done_event(self._transcript)) + "\n"

    def error(self, exc: AppError) -> str:
        """The ``error`` line."""
        return dumps(error_event(exc)) + "\n"
