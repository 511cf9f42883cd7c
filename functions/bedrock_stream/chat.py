"""The validated, model-agnostic chat request the routes hand to the Bedrock layer, and that layer's interface.

Routes turn HTTP bodies (native, OpenAI-compatible) into :class:`ChatRequest`; the Bedrock layer turns it
into a ConverseStream call. :class:`BedrockSource` is the seam between them: both methods send the request
and wait for the response headers *before* returning, so pre-stream failures raise
:class:`~bedrock_stream.errors.UpstreamError` while the caller can still answer with a real HTTP status;
iterating the returned iterator yields normalized events and raises
:class:`~bedrock_stream.errors.MidStreamError` when the stream breaks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bedrock_stream.events import BedrockEvent

__all__ = ["BedrockSource", "CallBudget", "ChatMessage", "ChatRequest", "EventStream", "SystemBlock"]

Role = Literal["user", "assistant"]

SystemBlock = str | Mapping[str, Any]
"""A system prompt text, or a Converse ``SystemContentBlock`` as is (e.g. ``{"cachePoint": {"type": "default"}}``)."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One conversation turn. ``content`` holds Converse content blocks, e.g. ``{"text": "Hi"}``."""

    role: Role
    content: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatRequest:
    """A validated chat request (limits already applied, model already checked against the allowlist)."""

    model: str
    messages: tuple[ChatMessage, ...]
    system: tuple[SystemBlock, ...] = ()
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    tool_config: Mapping[str, Any] | None = None
    """Converse ``toolConfig`` (``tools``, ``toolChoice``), already in Bedrock's shape."""
    additional_model_request_fields: Mapping[str, Any] | None = None
    output_config: Mapping[str, Any] | None = None
    """Converse ``outputConfig`` (``textFormat`` for structured output), already in Bedrock's shape."""


class EventStream(Protocol):
    """An open Bedrock stream: iterate for events; ``close()`` releases the connection early."""

    def __iter__(self) -> Iterator[BedrockEvent]: ...

    def close(self) -> None: ...


class CallBudget(Protocol):
    """Seconds left before the invocation must stop waiting for Bedrock (its deadline minus the margin)."""

    def seconds_left(self) -> float: ...


class BedrockSource(Protocol):
    """Opens Bedrock streams. Implemented over boto3 in ``bedrock_stream.bedrock``.

    ``budget`` bounds the wait for Bedrock's response headers, retries included; a call it cannot hold raises
    a 504 ``DeadlineError`` before the function's timeout.
    """

    def converse(self, request: ChatRequest, *, budget: CallBudget | None = None) -> EventStream:
        """Start a ConverseStream call; raise UpstreamError if Bedrock refuses it."""
        ...

    def count_tokens(self, request: ChatRequest) -> int:
        """Bedrock CountTokens for the Converse form of ``request``; raise UpstreamError if Bedrock refuses."""
        ...

    def invoke(
        self, model_id: str, body: bytes, *, content_type: str = "application/json", budget: CallBudget | None = None
    ) -> EventStream:
        """Start InvokeModelWithResponseStream with a model-native body; decode per model family."""
        ...
