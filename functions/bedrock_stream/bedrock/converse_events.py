"""ConverseStream events (as boto3 yields them, or as Nova's invoke chunks wrap them) -> normalized events.

Follows the ``ConverseStreamOutput`` union
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html) and ``TokenUsage``
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html).

A tool block still open at ``messageStop`` (no ``contentBlockStop`` arrived) is closed there, before the Stop.

Decisions for members without a normalized event:

- ``contentBlockStart.toolResult`` and ``delta.toolResult`` (results of *server-side* tools such as Nova's code
  interpreter) are dropped: they are context the model consumed inside its own turn, not answer text; clients
  still see the ``server_tool_use`` call itself as ToolUseStart/Delta/Stop.
- ``delta.citation`` is dropped: the cited answer text arrives as ordinary text deltas of the same block.
- ``contentBlockStart.image`` and ``delta.image`` (generated images) are dropped: no output format carries them.
- Empty ``text`` deltas (gpt-oss sends ``""``) and empty tool-input deltas are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bedrock_stream.bedrock._fields import as_bytes, get_int, get_map, get_str
from bedrock_stream.bedrock.stop_reasons import normalize_stop_reason
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

__all__ = ["ConverseEventMapper", "usage_from_converse"]


def usage_from_converse(usage: Mapping[str, Any]) -> Usage:
    """Converse ``metadata.usage`` (``TokenUsage``) -> Usage: the four counts and ``totalTokens``."""
    return Usage(
        input_tokens=get_int(usage, "inputTokens") or 0,
        output_tokens=get_int(usage, "outputTokens") or 0,
        cache_read_input_tokens=get_int(usage, "cacheReadInputTokens") or 0,
        cache_write_input_tokens=get_int(usage, "cacheWriteInputTokens") or 0,
        reported_total=get_int(usage, "totalTokens"),
    )


class ConverseEventMapper:
    """Stateful mapper for one stream: remembers which content blocks are tool calls.

    ``complete`` turns true on ``metadata``, the event ConverseStream always sends last.
    """

    def __init__(self) -> None:
        self._tool_blocks: set[int] = set()
        self.complete = False

    def map(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        """Map one ``{"<eventName>": {...}}`` event to zero or more normalized events."""
        out: list[BedrockEvent] = []
        for name, payload in event.items():
            if isinstance(payload, Mapping):
                out.extend(self._map_one(name, payload))
        return out

    def _map_one(self, name: str, payload: Mapping[str, Any]) -> list[BedrockEvent]:
        if name == "contentBlockDelta":
            return self._delta(get_int(payload, "contentBlockIndex") or 0, get_map(payload, "delta"))
        if name == "contentBlockStart":
            return self._start(get_int(payload, "contentBlockIndex") or 0, get_map(payload, "start"))
        if name == "contentBlockStop":
            index = get_int(payload, "contentBlockIndex") or 0
            if index in self._tool_blocks:
                self._tool_blocks.discard(index)
                return [ToolUseStop(index)]
            return []
        if name == "messageStop":
            reason = get_str(payload, "stopReason")
            return [*self.close_open_blocks(), *([Stop(normalize_stop_reason(reason))] if reason else [])]
        if name == "metadata":
            self.complete = True
            return [
                *self.close_open_blocks(),
                usage_from_converse(get_map(payload, "usage")),
                Metrics(get_int(get_map(payload, "metrics"), "latencyMs")),
            ]
        return []  # messageStart and members added after botocore 1.44.5 carry nothing to forward

    def close_open_blocks(self) -> list[BedrockEvent]:
        """A ToolUseStop for every tool block that is still open, in index order."""
        out: list[BedrockEvent] = [ToolUseStop(index) for index in sorted(self._tool_blocks)]
        self._tool_blocks.clear()
        return out

    def _start(self, index: int, start: Mapping[str, Any]) -> list[BedrockEvent]:
        tool = get_map(start, "toolUse")
        if not tool:
            return []  # toolResult and image blocks: see the module docstring
        self._tool_blocks.add(index)
        return [
            ToolUseStart(
                index=index,
                tool_use_id=get_str(tool, "toolUseId") or "",
                name=get_str(tool, "name") or "",
                type=get_str(tool, "type") or "tool_use",
            )
        ]

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[BedrockEvent]:
        text = get_str(delta, "text")
        if text is not None:
            return [TextDelta(text, index)] if text else []
        if "reasoningContent" in delta:
            return _reasoning(index, get_map(delta, "reasoningContent"))
        if "toolUse" in delta:
            piece = get_str(get_map(delta, "toolUse"), "input")
            return [ToolUseDelta(index, piece)] if piece else []
        return []  # citation, toolResult, image: see the module docstring


def _reasoning(index: int, content: Mapping[str, Any]) -> list[BedrockEvent]:
    text = get_str(content, "text")
    if text:
        return [ReasoningDelta(text=text, index=index)]
    signature = get_str(content, "signature")
    if signature:
        return [ReasoningDelta(signature=signature, index=index)]
    redacted = as_bytes(content.get("redactedContent"))
    if redacted:
        return [ReasoningDelta(redacted=redacted, index=index)]
    return []
