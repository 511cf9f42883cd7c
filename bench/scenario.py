"""Scripted Bedrock streams for the benchmarks: N text deltas of S bytes, as a ConverseStream replay body.

The fake Bedrock's replay mode serves a raw ``application/vnd.amazon.eventstream`` body byte for byte, so every path
(boto3 direct, our runtime, FastAPI + uvicorn) receives exactly the same frames. The frame sequence follows
docs/bedrock-formats.md ("ConverseStream events"): ``messageStart``, one ``contentBlockDelta`` per delta,
``contentBlockStop``, ``messageStop``, ``metadata``. Delta texts are ASCII, so byte offsets equal character offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from emulator.eventstream import event_frame

__all__ = ["FIRST_DELTA_FRAME", "Scenario", "delta_text", "write_replay"]

#: Index of the first delta frame in the stream (frame 0 is ``messageStart``).
FIRST_DELTA_FRAME = 1
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Scenario:
    """``deltas`` text deltas of ``size`` bytes each; ``delay_ms`` pacing between frames (0: as fast as possible)."""

    name: str
    deltas: int
    size: int
    delay_ms: int = 0

    @property
    def total_bytes(self) -> int:
        """Bytes of answer text the client must receive."""
        return self.deltas * self.size

    def thresholds(self) -> list[int]:
        """Cumulative body length at which delta ``k`` is complete, for every ``k``."""
        return [(k + 1) * self.size for k in range(self.deltas)]


def delta_text(index: int, size: int) -> str:
    """The text of delta ``index``: its number, then filler letters, exactly ``size`` ASCII bytes."""
    head = f"{index}:"
    filler = _ALPHABET[index % len(_ALPHABET)] * max(0, size - len(head))
    return (head + filler)[:size]


def write_replay(scenario: Scenario, directory: Path) -> Path:
    """Write the scenario's ConverseStream body to ``directory`` and return its path."""
    path = directory / f"{scenario.name}.bin"
    with path.open("wb") as out:
        out.write(event_frame("messageStart", {"role": "assistant"}, None))
        for index in range(scenario.deltas):
            delta = {"contentBlockIndex": 0, "delta": {"text": delta_text(index, scenario.size)}}
            out.write(event_frame("contentBlockDelta", delta, None))
        out.write(event_frame("contentBlockStop", {"contentBlockIndex": 0}, None))
        out.write(event_frame("messageStop", {"stopReason": "end_turn"}, None))
        usage = {"inputTokens": 1, "outputTokens": scenario.deltas, "totalTokens": scenario.deltas + 1}
        out.write(event_frame("metadata", {"usage": usage, "metrics": {"latencyMs": 1}}, None))
    return path
