"""Per-format readers: raw response bytes in, typed events out, completion checked at the end.

Formats of the native route (``POST /``, see README.md, "Output formats"):

- ``text``   ``text/plain``: raw text deltas; no completion marker (truncation shows only as a broken transfer).
- ``sse``    ``text/event-stream``: typed events, ``done`` marks completion, ``error`` reports a failure.
- ``ndjson`` ``application/x-ndjson``: the same events, one JSON object per line with a ``type`` field.
- ``json``   ``application/json`` with ``"stream": false``: one document assembled by the server.

While the model is silent the server may send heartbeats: an SSE comment line (the SSE decoder skips it) or a
``{"type":"ping"}`` NDJSON line; readers drop both, and an SSE ``ping`` event too.

``feed`` returns the events completed by a chunk; ``finish`` returns the rest and raises
``TruncatedStreamError`` when a format with a completion marker ended without it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

from client.decoders import LineDecoder, SSEDecoder, Utf8Decoder
from client.errors import TruncatedStreamError
from client.events import DoneEvent, ErrorEvent, ReasoningEvent, StreamEvent, TextEvent, event_from_json

__all__ = ["FORMATS", "MEDIA_TYPES", "Reader", "make_reader"]

MEDIA_TYPES: dict[str, str] = {
    "text": "text/plain",
    "sse": "text/event-stream",
    "ndjson": "application/x-ndjson",
    "json": "application/json",
}
FORMATS = tuple(MEDIA_TYPES)


class Reader(Protocol):
    """Turns the bytes of one response into events."""

    def feed(self, data: bytes) -> list[StreamEvent]:
        """Events completed by ``data``."""
        ...

    def finish(self) -> list[StreamEvent]:
        """Remaining events; raises ``TruncatedStreamError`` if the completion marker is missing."""
        ...


_PING = "ping"
"""The type of a heartbeat object (NDJSON line or SSE event): never an event for the caller."""

_ERROR_PREFIX = "\n[error] "
_ERROR_LINE = re.compile(r"\n\[error\] (?P<type>[^:\n]+): (?P<message>[^\n]*)\n?\Z")


def _held_suffix(text: str) -> int:
    """Index from which ``text`` may still become the final ``[error]`` line (``len(text)`` if nowhere)."""
    start = text.rfind(_ERROR_PREFIX)
    if start != -1 and "\n" not in text[start + 1 : -1]:
        return start
    for size in range(min(len(_ERROR_PREFIX), len(text)), 0, -1):
        if _ERROR_PREFIX.startswith(text[-size:]):
            return len(text) - size
    return len(text)


class TextReader:
    """``text/plain``: decoded pieces become ``TextEvent``s. No completion marker exists in this format.

    A failed stream ends with the line ``\n[error] <type>: <message>\n`` (bedrock_stream's text encoder); text
    that could still be the start of that line is held back until the next chunk or the end, then reported as an
    ``ErrorEvent`` instead of answer text.
    """

    def __init__(self) -> None:
        self._utf8 = Utf8Decoder()
        self._held = ""

    def _emit(self, text: str) -> list[StreamEvent]:
        text = self._held + text
        cut = _held_suffix(text)
        self._held = text[cut:]
        return [TextEvent(text[:cut])] if cut else []

    def feed(self, data: bytes) -> list[StreamEvent]:
        return self._emit(self._utf8.decode(data))

    def finish(self) -> list[StreamEvent]:
        events = self._emit(self._utf8.flush())
        held, self._held = self._held, ""
        match = _ERROR_LINE.match(held)
        if match:
            events.append(ErrorEvent(message=match["message"], error_type=match["type"]))
        elif held:
            events.append(TextEvent(held))
        return events


class _MarkedReader:
    """Shared completion bookkeeping for the formats with a ``done`` marker."""

    def __init__(self) -> None:
        self.done = False
        self.failed = False

    def _track(self, events: list[StreamEvent]) -> list[StreamEvent]:
        for event in events:
            if isinstance(event, DoneEvent):
                self.done = True
            elif isinstance(event, ErrorEvent):
                self.failed = True
        return events

    def _check_complete(self, leftover: bool) -> None:
        if self.failed:
            return  # the error event already tells what happened
        if leftover:
            raise TruncatedStreamError("the stream ended in the middle of an event")
        if not self.done:
            raise TruncatedStreamError("the stream ended without its completion marker (no 'done' event)")


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TruncatedStreamError(f"invalid JSON in {what}: {exc.msg} ({text[:80]!r})") from exc


class SSEReader(_MarkedReader):
    """``text/event-stream``: ``event:`` names the type, ``data:`` holds its JSON."""

    def __init__(self) -> None:
        super().__init__()
        self._sse = SSEDecoder()

    def feed(self, data: bytes) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for message in self._sse.decode(data):
            if message.event == _PING:
                continue
            payload = _parse_json(message.data, f"SSE event {message.event!r}")
            kind = None if message.event == "message" else message.event
            events.append(event_from_json(kind, payload))
        return self._track(events)

    def finish(self) -> list[StreamEvent]:
        self._check_complete(self._sse.pending)
        return []


class NDJSONReader(_MarkedReader):
    """``application/x-ndjson``: one event object per line, ``type`` names it."""

    def __init__(self) -> None:
        super().__init__()
        self._lines = LineDecoder()

    def _events(self, lines: list[bytes]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for line in lines:
            if line.strip():
                text = line.decode("utf-8", errors="replace")
                obj = _parse_json(text, "NDJSON line")
                if isinstance(obj, dict) and obj.get("type") == _PING:
                    continue
                events.append(event_from_json(None, obj))
        return self._track(events)

    def feed(self, data: bytes) -> list[StreamEvent]:
        return self._events(self._lines.decode(data))

    def finish(self) -> list[StreamEvent]:
        tail = self._lines.pending
        events = self._events([tail]) if tail.strip() else []
        self._check_complete(False)
        return events


def _document_text(doc: dict[str, Any]) -> tuple[str, str]:
    """Answer and reasoning text of the native JSON document (``{"text", "reasoning"?, ...}``)."""
    text, reasoning = doc.get("text"), doc.get("reasoning")
    return text if isinstance(text, str) else "", reasoning if isinstance(reasoning, str) else ""


class JSONReader:
    """``application/json``: buffers the document, emits its text, reasoning and a ``DoneEvent`` at the end."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def feed(self, data: bytes) -> list[StreamEvent]:
        self._chunks.append(data)
        return []

    def finish(self) -> list[StreamEvent]:
        raw = b"".join(self._chunks).decode("utf-8", errors="replace")
        doc = _parse_json(raw, "the JSON response")
        if not isinstance(doc, dict):
            raise TruncatedStreamError("the JSON response is not an object")
        if "error" in doc and not doc.get("text"):
            return [event_from_json("error", doc)]
        text, reasoning = _document_text(doc)
        events: list[StreamEvent] = []
        if reasoning:
            events.append(ReasoningEvent(reasoning))
        if text:
            events.append(TextEvent(text))
        events.append(event_from_json("done", doc))
        return events


def make_reader(fmt: str) -> Reader:
    """The reader for format ``fmt`` (one of ``FORMATS``)."""
    readers: dict[str, type[Reader]] = {
        "text": TextReader,
        "sse": SSEReader,
        "ndjson": NDJSONReader,
        "json": JSONReader,
    }
    return readers[fmt]()
