"""Pieces shared by the OpenAI Chat Completions encoders (OpenAI API reference: the chat completion object and
the chat completion chunk object)."""

from __future__ import annotations

from dataclasses import dataclass

from bedrock_stream.encoders.base import Exchange
from bedrock_stream.events import Usage

__all__ = ["OpenAIIdentity", "finish_reason", "openai_usage"]

_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}


@dataclass(frozen=True, slots=True)
class OpenAIIdentity:
    """``id``, ``created`` and ``model`` repeated in every chunk of one completion."""

    id: str
    created: int
    model: str

    @classmethod
    def of(cls, exchange: Exchange) -> OpenAIIdentity:
        """The identity of the completion answering ``exchange`` (its id derives from the request id)."""
        return cls(f"chatcmpl-{exchange.request_id}", exchange.created, exchange.model)


def finish_reason(stop_reason: str | None) -> str:
    """Bedrock stop reason -> OpenAI ``finish_reason`` (unknown reasons -> ``stop``)."""
    return _FINISH_REASONS.get(stop_reason or "end_turn", "stop")


def openai_usage(usage: Usage | None) -> dict[str, int]:
    """Bedrock usage -> OpenAI ``usage``."""
    usage = usage or Usage()
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }
