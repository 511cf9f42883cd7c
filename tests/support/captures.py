"""ConverseStream response bodies as test inputs: synthetic ones built here, recorded ones read from disk.

A :class:`Capture` is one raw ``application/vnd.amazon.eventstream`` body plus its frames decoded (the ``{"h": headers,
"payload": payload}`` lines of a ``*.decoded.jsonl``) and the request path boto3 sent. The synthetic captures are
written from the ``ConverseStreamOutput`` union in the Bedrock API reference
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html) and the frame quirks in
docs/bedrock-formats.md ("Event-stream framing"); their bytes come from the emulator's frame encoder
(``emulator.eventstream``), whose byte-exactness is held against real recorded captures when they are available.
Recorded captures (real Bedrock bytes) are never in the repository: tests/support/recorded.py finds them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulator.eventstream import event_frame

__all__ = ["SYNTHETIC", "Capture", "synthetic_params"]

_HEADERS = (":event-type", ":content-type", ":message-type")
_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Capture:
    """One ConverseStream response body and what it decodes to."""

    name: str
    model_id: str
    request_path: str
    raw: bytes
    frames: tuple[dict[str, Any], ...]

    @classmethod
    def load(cls, bin_path: Path) -> Capture:
        """A recorded ``*.bin`` and the ``*.decoded.jsonl`` next to it (line 1 is the ``_meta`` line)."""
        lines = bin_path.with_suffix(".decoded.jsonl").read_text(encoding="utf-8").splitlines()
        meta, *frames = (json.loads(line) for line in lines if line.strip())
        return cls(
            name=bin_path.stem,
            model_id=meta["_meta"]["model_id"],
            request_path=meta["_meta"]["uri"].split("amazonaws.com", 1)[1],
            raw=bin_path.read_bytes(),
            frames=tuple(frames),
        )

    def write(self, folder: Path) -> Path:
        """The raw body as ``<folder>/<name>.bin`` (for the fake Bedrock's replay mode)."""
        path = folder / f"{self.name}.bin"
        path.write_bytes(self.raw)
        return path


def _synthetic(name: str, model_id: str, events: Sequence[tuple[str, Mapping[str, Any]]]) -> Capture:
    frames: list[dict[str, Any]] = []
    raw = b""
    for position, (event_type, payload) in enumerate(events):
        pad = 2 + (position * 7) % 60  # real frames carry 2 to 61 padding characters
        raw += event_frame(event_type, payload, pad=_PADDING[:pad])
        headers = dict(zip(_HEADERS, (event_type, "application/json", "event"), strict=True))
        frames.append({"h": headers, "payload": {**payload, "p": _PADDING[:pad]}})
    path = f"/model/{model_id.replace(':', '%3A')}/converse-stream"
    return Capture(name=name, model_id=model_id, request_path=path, raw=raw, frames=tuple(frames))


def _text(index: int, text: str) -> tuple[str, dict[str, Any]]:
    return "contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": text}}


def _reasoning(index: int, **fields: str) -> tuple[str, dict[str, Any]]:
    return "contentBlockDelta", {"contentBlockIndex": index, "delta": {"reasoningContent": fields}}


def _end(stop_reason: str, usage: dict[str, int], latency_ms: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("messageStop", {"stopReason": stop_reason}),
        ("metadata", {"usage": usage, "metrics": {"latencyMs": latency_ms}}),
    ]


SYNTHETIC: tuple[Capture, ...] = (
    _synthetic(
        "synthetic-text",
        "us.amazon.nova-micro-v1:0",
        [
            ("messageStart", {"role": "assistant"}),
            _text(0, ""),  # some models open a block with an empty delta
            _text(0, "It is 21 °C"),
            _text(0, " in Paris 🗼, "),
            _text(0, "s'il te plaît."),
            ("contentBlockStop", {"contentBlockIndex": 0}),
            *_end("end_turn", {"inputTokens": 12, "outputTokens": 9, "totalTokens": 21}, 310),
        ],
    ),
    _synthetic(
        "synthetic-reasoning-and-tool-use",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        [
            ("messageStart", {"role": "assistant"}),
            _reasoning(0, text="The user wants "),
            _reasoning(0, text="the weather."),
            _reasoning(0, signature="c2lnbmF0dXJl"),
            ("contentBlockStop", {"contentBlockIndex": 0}),
            _reasoning(1, redactedContent="cmVkYWN0ZWQgdGhpbmtpbmc="),
            ("contentBlockStop", {"contentBlockIndex": 1}),
            _text(2, "Let me check."),
            ("contentBlockStop", {"contentBlockIndex": 2}),
            (
                "contentBlockStart",
                {"contentBlockIndex": 3, "start": {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather"}}},
            ),
            ("contentBlockDelta", {"contentBlockIndex": 3, "delta": {"toolUse": {"input": '{"city": '}}}),
            ("contentBlockDelta", {"contentBlockIndex": 3, "delta": {"toolUse": {"input": '"Paris"}'}}}),
            ("contentBlockStop", {"contentBlockIndex": 3}),
            *_end(
                "tool_use",
                {
                    "inputTokens": 40,
                    "outputTokens": 25,
                    "totalTokens": 65,
                    "cacheReadInputTokens": 7,
                    "cacheWriteInputTokens": 3,
                },
                845,
            ),
        ],
    ),
)


def synthetic_params() -> list[Any]:
    """:data:`SYNTHETIC` as pytest params, one id per capture."""
    return [pytest.param(capture, id=capture.name) for capture in SYNTHETIC]
