"""The normalized event stream every Bedrock source (ConverseStream, per-family invoke decoders) produces.

Encoders consume only these types, never Bedrock's raw shapes. All are immutable values.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BedrockEvent",
    "Metrics",
    "ReasoningDelta",
    "Stop",
    "TextDelta",
    "ToolUseDelta",
    "ToolUseStart",
    "ToolUseStop",
    "Usage",
]


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of answer text, in order. ``index`` is Bedrock's content block index."""

    text: str
    index: int = 0


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of model reasoning. Exactly one of ``text``, ``signature`` or ``redacted`` is set."""

    text: str = ""
    signature: str = ""
    redacted: bytes = b""
    index: int = 0


@dataclass(frozen=True, slots=True)
class ToolUseStart:
    """The model started a tool call in content block ``index``."""

    index: int
    tool_use_id: str
    name: str
    type: str = "tool_use"


@dataclass(frozen=True, slots=True)
class ToolUseDelta:
    """A piece of the tool call's JSON input (a partial JSON string)."""

    index: int
    input: str


@dataclass(frozen=True, slots=True)
class ToolUseStop:
    """The tool call in content block ``index`` is complete."""

    index: int


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts for the whole response (reported once, near the end).

    As in Bedrock's ``TokenUsage`` (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html),
    ``input_tokens`` excludes the prompt-cache reads and writes, which are counted apart. ``reported_total`` is
    Bedrock's ``totalTokens`` when the source reports one.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_write_input_tokens: int = 0
    reported_total: int | None = None

    @property
    def prompt_tokens(self) -> int:
        """Every input token: uncached input plus cache reads plus cache writes."""
        return self.input_tokens + self.cache_read_input_tokens + self.cache_write_input_tokens

    @property
    def total_tokens(self) -> int:
        """Bedrock's ``totalTokens`` when reported, else input + output + cache read + cache write."""
        if self.reported_total is not None:
            return self.reported_total
        return self.prompt_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class Stop:
    """Why the model stopped, normalized to Converse's stop reasons where a mapping exists
    (``end_turn``, ``max_tokens``, ``stop_sequence``, ``tool_use``, ``guardrail_intervened``,
    ``content_filtered``, ...). Unknown native reasons pass through unchanged."""

    reason: str


@dataclass(frozen=True, slots=True)
class Metrics:
    """Bedrock-side timings in milliseconds, when the service reports them."""

    latency_ms: int | None = None
    first_byte_latency_ms: int | None = None


BedrockEvent = TextDelta | ReasoningDelta | ToolUseStart | ToolUseDelta | ToolUseStop | Usage | Stop | Metrics
