"""Scripted replies: a test tells the fake Bedrock exactly which bytes to answer, piece by piece.

For what the stub and the faults cannot express (a recorded body cut at arbitrary offsets, a frame with a broken
checksum, a pre-stream error with its own headers, a stream paced at an exact rate): ``FakeBedrock.responder``
maps each received request to a :class:`ScriptedReply`, or to None to let the stub answer. Each piece goes out as
one HTTP chunk (or raw bytes under ``Content-Length`` when ``chunked`` is False) the moment it is written; frames
are built with ``emulator.eventstream``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.eventstream import CONTENT_TYPE

if TYPE_CHECKING:
    from emulator.fake_bedrock.server import RecordedRequest

__all__ = ["Responder", "ScriptedReply"]


@dataclass(frozen=True)
class ScriptedReply:
    """One scripted answer: status, headers, body pieces and how the body ends."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": CONTENT_TYPE})
    pieces: list[bytes] = field(default_factory=list)
    drop_after: int | None = None
    """Close the connection abruptly after this many pieces (no terminating chunk)."""
    stall_after: int | None = None
    """Send nothing more after this many pieces and hold the connection until the fake stops."""
    chunked: bool = True
    silent: bool = False
    """Never answer: hold the request until the fake stops (a stall before the response headers)."""
    interval_s: float = 0.0
    """Pace the body: piece ``k`` goes out no earlier than ``k * interval_s`` after the first one (an absolute
    schedule, so a late piece does not delay the rest); 0 sends every piece as fast as possible."""

    def __post_init__(self) -> None:
        if self.interval_s < 0:
            raise ValueError(f"interval_s must be 0 or more, got {self.interval_s}")


Responder = Callable[["RecordedRequest"], ScriptedReply | None]
"""Maps a received request to its scripted reply (None: the stub answers)."""
