"""Comparable summaries of a stream: from recorded decoded frames (expected) and from normalized events (actual)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bedrock_stream.events import (
    BedrockEvent,
    Metrics,
    ReasoningDelta,
    Stop,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    ToolUseStop,
    Usage,
)


@dataclass
class Summary:
    text_pieces: list[tuple[int, str]] = field(default_factory=list)
    reasoning_text: list[tuple[int, str]] = field(default_factory=list)
    signatures: list[tuple[int, str]] = field(default_factory=list)
    redacted: list[tuple[int, bytes]] = field(default_factory=list)
    tools: dict[int, dict[str, Any]] = field(default_factory=dict)
    stop: list[str] = field(default_factory=list)
    usage: list[tuple[int, int, int, int]] = field(default_factory=list)
    latency: list[int | None] = field(default_factory=list)


def load_frames(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[0]["_meta"], lines[1:]


def expected_from_frames(frames: Iterable[dict[str, Any]]) -> Summary:
    """What the recorded ConverseStream frames contain (empty text/input pieces carry nothing)."""
    out = Summary()
    for frame in frames:
        kind, payload = frame["h"][":event-type"], frame["payload"]
        index = payload.get("contentBlockIndex", 0)
        if kind == "contentBlockStart" and "toolUse" in payload["start"]:
            tool = payload["start"]["toolUse"]
            out.tools[index] = {
                "id": tool["toolUseId"],
                "name": tool["name"],
                "type": tool.get("type", "tool_use"),
                "input": "",
                "stopped": False,
            }
        elif kind == "contentBlockDelta":
            delta = payload["delta"]
            if delta.get("text"):
                out.text_pieces.append((index, delta["text"]))
            reasoning = delta.get("reasoningContent", {})
            if reasoning.get("text"):
                out.reasoning_text.append((index, reasoning["text"]))
            if reasoning.get("signature"):
                out.signatures.append((index, reasoning["signature"]))
            if reasoning.get("redactedContent"):
                out.redacted.append((index, base64.b64decode(reasoning["redactedContent"])))
            if "toolUse" in delta:
                out.tools[index]["input"] += delta["toolUse"]["input"]
        elif kind == "contentBlockStop" and index in out.tools:
            out.tools[index]["stopped"] = True
        elif kind == "messageStop":
            out.stop.append(payload["stopReason"])
        elif kind == "metadata":
            usage = payload["usage"]
            out.usage.append(
                (
                    usage["inputTokens"],
                    usage["outputTokens"],
                    usage.get("cacheReadInputTokens", 0),
                    usage.get("cacheWriteInputTokens", 0),
                )
            )
            out.latency.append(payload["metrics"]["latencyMs"])
    return out


def summarize(events: Iterable[BedrockEvent]) -> Summary:
    out = Summary()
    for event in events:
        if isinstance(event, TextDelta):
            out.text_pieces.append((event.index, event.text))
        elif isinstance(event, ReasoningDelta):
            if event.text:
                out.reasoning_text.append((event.index, event.text))
            if event.signature:
                out.signatures.append((event.index, event.signature))
            if event.redacted:
                out.redacted.append((event.index, event.redacted))
        elif isinstance(event, ToolUseStart):
            out.tools[event.index] = {
                "id": event.tool_use_id,
                "name": event.name,
                "type": event.type,
                "input": "",
                "stopped": False,
            }
        elif isinstance(event, ToolUseDelta):
            out.tools[event.index]["input"] += event.input
        elif isinstance(event, ToolUseStop):
            out.tools[event.index]["stopped"] = True
        elif isinstance(event, Stop):
            out.stop.append(event.reason)
        elif isinstance(event, Usage):
            out.usage.append(
                (event.input_tokens, event.output_tokens, event.cache_read_input_tokens, event.cache_write_input_tokens)
            )
        elif isinstance(event, Metrics):
            out.latency.append(event.latency_ms)
    return out
