"""Incremental byte decoders for the streamed formats: UTF-8 text, lines, Server-Sent Events.

Each decoder takes arbitrary byte chunks (network boundaries split lines, events and multi-byte characters
anywhere) and returns whatever is complete. SSE parsing follows the WHATWG HTML Living Standard,
"Server-sent events", section "Interpreting an event stream" (fields ``event``, ``data``, ``id``; comment lines
starting with ``:``; an empty line dispatches; CRLF, LF or CR end lines).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["LineDecoder", "SSEDecoder", "SSEMessage", "Utf8Decoder"]


class Utf8Decoder:
    """Bytes to str without ever splitting a multi-byte character; invalid bytes become U+FFFD."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes) -> str:
        """The text of every complete character so far."""
        return self._decoder.decode(data)

    def flush(self) -> str:
        """Whatever is left at the end (a dangling partial character becomes U+FFFD)."""
        return self._decoder.decode(b"", final=True)


class LineDecoder:
    """Bytes to complete lines (without terminators). Accepts LF, CRLF and lone CR."""

    def __init__(self) -> None:
        self._buffer = b""
        self._pending_cr = False

    def decode(self, data: bytes) -> list[bytes]:
        """The lines completed by ``data``."""
        if self._pending_cr and data.startswith(b"\n"):
            data = data[1:]  # the LF of a CRLF split across chunks
        self._pending_cr = False
        text = self._buffer + data
        lines = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        if text.endswith(b"\r"):
            self._pending_cr = True
        self._buffer = lines.pop()
        return lines

    @property
    def pending(self) -> bytes:
        """Bytes of an unterminated last line."""
        return self._buffer


@dataclass(frozen=True, slots=True)
class SSEMessage:
    """One dispatched server-sent event."""

    event: str
    data: str
    id: str | None = None


class SSEDecoder:
    """Bytes to ``SSEMessage``s. ``pending`` tells whether an event was cut off (no terminating blank line)."""

    def __init__(self) -> None:
        self._lines = LineDecoder()
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._started = False

    def decode(self, data: bytes) -> list[SSEMessage]:
        """The events completed by ``data``."""
        messages: list[SSEMessage] = []
        for raw in self._lines.decode(data):
            line = raw.decode("utf-8", errors="replace")
            if not line:
                if self._data:
                    messages.append(SSEMessage(self._event or "message", "\n".join(self._data), self._id))
                self._event, self._data, self._started = "", [], False
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            self._started = True
            if name == "event":
                self._event = value
            elif name == "data":
                self._data.append(value)
            elif name == "id":
                self._id = value
        return messages

    @property
    def pending(self) -> bool:
        """True when bytes of an unfinished event are buffered."""
        return self._started or bool(self._lines.pending.strip())
