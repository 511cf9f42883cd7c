"""Per-family decoders for InvokeModelWithResponseStream: one decoded model JSON event -> normalized events.

Each decoder is a small, pure, stateful object for ONE stream: :meth:`InvokeDecoder.feed` takes the JSON object of
one ``chunk`` (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html)
and returns the events it contains. The chunk shapes follow each family's model-parameters page
(https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html). The shared part, in the base class:

- The stop reason a family reports is remembered and emitted as one :class:`Stop` (normalized to Converse names)
  on the final chunk, so every family ends the same way: text..., ToolUseStop for every block still open, Stop,
  Usage, Metrics. A tool call the format never closes (an Anthropic ``tool_use`` block cut by ``max_tokens`` gets no
  ``content_block_stop``) is closed there, before the stream's end marker.
- The final chunk carries ``amazon-bedrock-invocationMetrics``: it yields :class:`Usage` (Bedrock's billed counts,
  completed with the family's own cache counts when Bedrock omits them) and :class:`Metrics`, and marks the
  stream :attr:`~InvokeDecoder.complete`. A stream that ends before it is truncated.
- ``amazon-bedrock-guardrailAction: INTERVENED`` turns the stop reason into ``guardrail_intervened``. When the
  guardrail blocks the input, Bedrock sends one chunk with the intervention text and the family's own counts, then
  ends the stream cleanly without invocation metrics (Titan: ``outputText``, ``inputTextTokenCount: 6.0``,
  ``totalOutputTextTokenCount: 3.0``; see
  https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html and
  https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use.html). :meth:`InvokeDecoder.end_of_stream`
  finishes such a stream normally, with the usage taken from that chunk.

Counts may arrive as integral floats (``6.0``); they read as integers. Empty text, reasoning and tool-input pieces
are dropped everywhere.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bedrock_stream.bedrock._fields import as_bytes, get_int, get_map, get_str, maps
from bedrock_stream.bedrock.converse_events import ConverseEventMapper
from bedrock_stream.bedrock.families import ModelFamily
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

__all__ = [
    "INVOCATION_METRICS",
    "AnthropicDecoder",
    "ChoicesDecoder",
    "CohereDecoder",
    "InvokeDecoder",
    "LlamaDecoder",
    "MistralDecoder",
    "NovaDecoder",
    "TitanDecoder",
]

INVOCATION_METRICS = "amazon-bedrock-invocationMetrics"
GUARDRAIL_ACTION = "amazon-bedrock-guardrailAction"


@dataclass(slots=True)
class UsageHint:
    """Token counts a family reports in its own events; Bedrock's invocation metrics take precedence."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_write_input_tokens: int | None = None


class InvokeDecoder(ABC):
    """Decodes the model events of one invoke stream. Subclasses implement :meth:`decode`."""

    family: ModelFamily

    def __init__(self) -> None:
        self.usage = UsageHint()
        self.stop_reason: str | None = None
        self.complete = False
        self._intervened = False

    def feed(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        """All normalized events in one decoded chunk, in order."""
        out = self.decode(event)
        if event.get(GUARDRAIL_ACTION) == "INTERVENED":
            self.stop_reason = "guardrail_intervened"
            self._intervened = True
        metrics = event.get(INVOCATION_METRICS)
        if isinstance(metrics, Mapping):
            out.extend(self._final(metrics))
            out.append(Metrics(get_int(metrics, "invocationLatency"), get_int(metrics, "firstByteLatency")))
        return out

    def end_of_stream(self) -> list[BedrockEvent]:
        """Events owed when the stream ended cleanly: none after the invocation metrics; after a guardrail
        intervention without them, the stream's normal end (open blocks closed, Stop, Usage from the family's own
        counts) and :attr:`complete`. Any other stream stays incomplete (truncated)."""
        if self.complete or not self._intervened:
            return []
        return self._final({})

    def _final(self, metrics: Mapping[str, Any]) -> list[BedrockEvent]:
        out = self.finish()
        if self.stop_reason is not None:
            out.append(Stop(normalize_stop_reason(self.stop_reason)))
        out.append(self._usage(metrics))
        self.complete = True
        return out

    @abstractmethod
    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        """The family-specific events of one chunk (text, reasoning, tool use); record stop reason and usage."""

    def finish(self) -> list[BedrockEvent]:
        """Events owed at the end of the message: a ToolUseStop for every block still open."""
        return []

    def _usage(self, metrics: Mapping[str, Any]) -> Usage:
        hint = self.usage
        return Usage(
            input_tokens=_first(get_int(metrics, "inputTokenCount"), hint.input_tokens),
            output_tokens=_first(get_int(metrics, "outputTokenCount"), hint.output_tokens),
            cache_read_input_tokens=_first(get_int(metrics, "cacheReadInputTokenCount"), hint.cache_read_input_tokens),
            cache_write_input_tokens=_first(
                get_int(metrics, "cacheWriteInputTokenCount"), hint.cache_write_input_tokens
            ),
        )


def _first(*values: int | None) -> int:
    return next((v for v in values if v is not None), 0)


def _text(text: str | None, index: int = 0) -> list[BedrockEvent]:
    return [TextDelta(text, index)] if text else []


class AnthropicDecoder(InvokeDecoder):
    """Anthropic Messages events and legacy Claude text-completion chunks, told apart per chunk."""

    family = ModelFamily.ANTHROPIC

    def __init__(self) -> None:
        super().__init__()
        self._tool_blocks: set[int] = set()

    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        kind = get_str(event, "type")
        if kind is None:
            return self._completion(event)
        index = get_int(event, "index") or 0
        if kind == "content_block_delta":
            return self._delta(index, get_map(event, "delta"))
        if kind == "content_block_start":
            return self._start(index, get_map(event, "content_block"))
        if kind == "content_block_stop" and index in self._tool_blocks:
            self._tool_blocks.discard(index)
            return [ToolUseStop(index)]
        if kind == "message_start":
            self._record_usage(get_map(get_map(event, "message"), "usage"))
        elif kind == "message_delta":
            self.stop_reason = get_str(get_map(event, "delta"), "stop_reason") or self.stop_reason
            self._record_usage(get_map(event, "usage"))
        return []

    def finish(self) -> list[BedrockEvent]:
        """Close the tool blocks that never got ``content_block_stop`` (a ``tool_use`` cut by ``max_tokens``)."""
        out: list[BedrockEvent] = [ToolUseStop(index) for index in sorted(self._tool_blocks)]
        self._tool_blocks.clear()
        return out

    def _completion(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        self.stop_reason = get_str(event, "stop_reason") or self.stop_reason
        return _text(get_str(event, "completion"))

    def _start(self, index: int, block: Mapping[str, Any]) -> list[BedrockEvent]:
        kind = get_str(block, "type")
        if kind == "text":
            return _text(get_str(block, "text"), index)
        if kind == "thinking":
            thinking = get_str(block, "thinking")
            return [ReasoningDelta(text=thinking, index=index)] if thinking else []
        if kind == "redacted_thinking":
            data = as_bytes(block.get("data"))
            return [ReasoningDelta(redacted=data, index=index)] if data else []
        if kind in ("tool_use", "server_tool_use"):
            self._tool_blocks.add(index)
            name, tool_id = get_str(block, "name") or "", get_str(block, "id") or ""
            return [ToolUseStart(index=index, tool_use_id=tool_id, name=name, type=kind)]
        return []

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[BedrockEvent]:
        kind = get_str(delta, "type")
        if kind == "text_delta":
            return _text(get_str(delta, "text"), index)
        if kind == "thinking_delta":
            thinking = get_str(delta, "thinking")
            return [ReasoningDelta(text=thinking, index=index)] if thinking else []
        if kind == "signature_delta":
            signature = get_str(delta, "signature")
            return [ReasoningDelta(signature=signature, index=index)] if signature else []
        if kind == "input_json_delta":
            piece = get_str(delta, "partial_json")
            return [ToolUseDelta(index, piece)] if piece else []
        return []  # citations_delta: the cited text arrives as text deltas

    def _record_usage(self, usage: Mapping[str, Any]) -> None:
        hint = self.usage
        hint.input_tokens = get_int(usage, "input_tokens") or hint.input_tokens
        hint.output_tokens = get_int(usage, "output_tokens") or hint.output_tokens
        hint.cache_read_input_tokens = get_int(usage, "cache_read_input_tokens") or hint.cache_read_input_tokens
        hint.cache_write_input_tokens = get_int(usage, "cache_creation_input_tokens") or hint.cache_write_input_tokens


class LlamaDecoder(InvokeDecoder):
    """Meta Llama ``{"generation", "prompt_token_count", "generation_token_count", "stop_reason"}``."""

    family = ModelFamily.META

    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        self.stop_reason = get_str(event, "stop_reason") or self.stop_reason
        self.usage.input_tokens = get_int(event, "prompt_token_count") or self.usage.input_tokens
        self.usage.output_tokens = get_int(event, "generation_token_count") or self.usage.output_tokens
        return _text(get_str(event, "generation"))


class TitanDecoder(InvokeDecoder):
    """Amazon Titan Text ``{"outputText", "completionReason", token counts}``."""

    family = ModelFamily.TITAN

    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        self.stop_reason = get_str(event, "completionReason") or self.stop_reason
        self.usage.input_tokens = get_int(event, "inputTextTokenCount") or self.usage.input_tokens
        self.usage.output_tokens = get_int(event, "totalOutputTextTokenCount") or self.usage.output_tokens
        return _text(get_str(event, "outputText"))


class NovaDecoder(InvokeDecoder):
    """Amazon Nova invoke chunks: Converse events wrapped one per chunk, mapped like ConverseStream."""

    family = ModelFamily.NOVA

    def __init__(self) -> None:
        super().__init__()
        self._mapper = ConverseEventMapper()

    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        stop = get_map(event, "messageStop")
        if stop:
            self.stop_reason = get_str(stop, "stopReason") or self.stop_reason
        usage = get_map(get_map(event, "metadata"), "usage")
        if usage:
            hint = self.usage
            hint.input_tokens = get_int(usage, "inputTokens") or hint.input_tokens
            hint.output_tokens = get_int(usage, "outputTokens") or hint.output_tokens
            hint.cache_read_input_tokens = get_int(usage, "cacheReadInputTokenCount") or get_int(
                usage, "cacheReadInputTokens"
            )
            hint.cache_write_input_tokens = get_int(usage, "cacheWriteInputTokenCount") or get_int(
                usage, "cacheWriteInputTokens"
            )
        passthrough = {k: v for k, v in event.items() if k not in ("messageStop", "metadata")}
        return self._mapper.map(passthrough)

    def finish(self) -> list[BedrockEvent]:
        return self._mapper.close_open_blocks()


class _ToolCalls:
    """Tool calls streamed as ``(call index, id?, name?, argument piece)``; block index = call index + 1."""

    def __init__(self) -> None:
        self._open: list[int] = []

    def piece(self, call: int, tool_id: str | None, name: str | None, arguments: str | None) -> list[BedrockEvent]:
        index = call + 1
        out: list[BedrockEvent] = []
        if index not in self._open:
            self._open.append(index)
            out.append(ToolUseStart(index=index, tool_use_id=tool_id or "", name=name or ""))
        if arguments:
            out.append(ToolUseDelta(index, arguments))
        return out

    def close_all(self) -> list[BedrockEvent]:
        out: list[BedrockEvent] = [ToolUseStop(index) for index in self._open]
        self._open.clear()
        return out


class ChoicesDecoder(InvokeDecoder):
    """OpenAI-style ``choices`` chunks.

    Reads choice 0 only. Text comes from ``delta.content`` (chat.completion.chunk, Jamba), ``message.content``
    (Mistral chat) or ``text`` (DeepSeek); reasoning from ``delta.reasoning_content``/``delta.reasoning``; the
    reason from ``finish_reason``, else ``stop_reason`` (Jamba's ``stop_reason`` is a token, so it comes second);
    tool calls from ``tool_calls`` (streamed pieces with ``index``, or whole calls as Mistral sends them).
    """

    def __init__(self, family: ModelFamily = ModelFamily.OPENAI) -> None:
        super().__init__()
        self.family = family
        self._tools = _ToolCalls()

    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        usage = get_map(event, "usage")
        if usage:
            self.usage.input_tokens = get_int(usage, "prompt_tokens") or self.usage.input_tokens
            self.usage.output_tokens = get_int(usage, "completion_tokens") or self.usage.output_tokens
        out: list[BedrockEvent] = []
        choices = maps(event, "choices")
        choice = next((c for c in choices if get_int(c, "index") in (0, None)), None)
        if choice is None:
            return out
        part = get_map(choice, "delta") or get_map(choice, "message")
        reasoning = get_str(part, "reasoning_content") or get_str(part, "reasoning")
        if reasoning:
            out.append(ReasoningDelta(text=reasoning))
        out.extend(_text(get_str(part, "content")))
        out.extend(_text(get_str(choice, "text")))
        for position, call in enumerate(maps(part, "tool_calls")):
            function = get_map(call, "function")
            call_index = get_int(call, "index")
            out.extend(
                self._tools.piece(
                    position if call_index is None else call_index,
                    get_str(call, "id"),
                    get_str(function, "name"),
                    _arguments(function.get("arguments")),
                )
            )
        reason = get_str(choice, "finish_reason") or get_str(choice, "stop_reason")
        if reason:
            self.stop_reason = reason
            out.extend(self._tools.close_all())
        return out

    def finish(self) -> list[BedrockEvent]:
        return self._tools.close_all()


def _arguments(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return None


class MistralDecoder(ChoicesDecoder):
    """Mistral text completion ``{"outputs": [{"text", "stop_reason"}]}`` and chat ``choices[].message``."""

    def __init__(self) -> None:
        super().__init__(ModelFamily.MISTRAL)

    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        if "outputs" not in event:
            return super().decode(event)
        out: list[BedrockEvent] = []
        for output in maps(event, "outputs")[:1]:
            out.extend(_text(get_str(output, "text")))
            self.stop_reason = get_str(output, "stop_reason") or self.stop_reason
        return out


class CohereDecoder(InvokeDecoder):
    """Cohere Command v14 (top-level ``text`` / ``generations``) and Command R/R+ (``event_type``) chunks.

    The final ``is_finished`` chunk repeats the whole answer in ``response``; it is never re-emitted. A Command
    (v14) request may ask for ``num_generations`` (1-5) answers; their chunks carry ``index`` 0..n-1 and only
    generation 0 is streamed (like choice 0 of :class:`ChoicesDecoder`): one answer per response. Sources:
    https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html and
    https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command-r-plus.html
    """

    family = ModelFamily.COHERE

    def __init__(self) -> None:
        super().__init__()
        self._tools = _ToolCalls()
        self._streamed_tools = False

    def decode(self, event: Mapping[str, Any]) -> list[BedrockEvent]:
        kind = get_str(event, "event_type")
        if kind is None and get_int(event, "index") not in (None, 0):
            return []  # generation 1..n-1 of a Command (v14) request with num_generations > 1
        self.stop_reason = get_str(event, "finish_reason") or self.stop_reason
        if kind is not None:
            return self._command_r(kind, event)
        if event.get("is_finished") is True:
            return []
        out: list[BedrockEvent] = list(_text(get_str(event, "text")))
        for generation in [g for g in maps(event, "generations") if get_int(g, "index") in (None, 0)][:1]:
            out.extend(_text(get_str(generation, "text")))
            self.stop_reason = get_str(generation, "finish_reason") or self.stop_reason
        return out

    def _command_r(self, kind: str, event: Mapping[str, Any]) -> list[BedrockEvent]:
        if kind == "text-generation":
            return _text(get_str(event, "text"))
        if kind == "tool-calls-chunk":
            delta = get_map(event, "tool_call_delta")
            if not delta:
                return []
            self._streamed_tools = True
            return self._tools.piece(
                get_int(delta, "index") or 0, None, get_str(delta, "name"), get_str(delta, "parameters")
            )
        if kind == "tool-calls-generation" and not self._streamed_tools:
            out: list[BedrockEvent] = []
            for position, call in enumerate(maps(event, "tool_calls")):
                out.extend(self._tools.piece(position, None, get_str(call, "name"), _arguments(call.get("parameters"))))
            return out
        if kind == "stream-end":
            billed = get_map(get_map(get_map(event, "response"), "meta"), "billed_units")
            self.usage.input_tokens = get_int(billed, "input_tokens") or self.usage.input_tokens
            self.usage.output_tokens = get_int(billed, "output_tokens") or self.usage.output_tokens
            return self._tools.close_all()
        return []

    def finish(self) -> list[BedrockEvent]:
        return self._tools.close_all()
