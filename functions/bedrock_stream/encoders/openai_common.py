"""Pieces shared by the OpenAI-compatible encoders (OpenAI API reference: the chat completion object, the chat
completion chunk object, and "Error codes": ``{"error": {"message", "type", "param", "code"}}``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bedrock_stream.encoders.base import Exchange
from bedrock_stream.errors import AppError
from bedrock_stream.events import Usage

__all__ = ["OpenAIIdentity", "finish_reason", "openai_error_body", "openai_error_type", "openai_usage"]

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


def openai_usage(usage: Usage | None) -> dict[str, Any]:
    """Bedrock usage -> OpenAI ``usage`` (OpenAI API reference, "The chat completion object").

    OpenAI's ``prompt_tokens`` counts every input token, cached or not, so it is Bedrock's input + cache read +
    cache write; ``prompt_tokens_details.cached_tokens`` is the cache read and ``cache_write_tokens`` the cache
    write (Bedrock ``TokenUsage``: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html).
    """
    usage = usage or Usage()
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.prompt_tokens + usage.output_tokens,
        "prompt_tokens_details": {
            "cached_tokens": usage.cache_read_input_tokens,
            "cache_write_tokens": usage.cache_write_input_tokens,
        },
    }


_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "invalid_request_error",  # OpenAI's own 401 (code invalid_api_key)
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    406: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "rate_limit_error",
}
"""HTTP status -> OpenAI error type (anything else, 5xx included: ``server_error``)."""


def openai_error_type(exc: AppError) -> str:
    """The OpenAI error type for ``exc``, by its HTTP status."""
    return _ERROR_TYPES.get(exc.status_code, "server_error")


def openai_error_body(exc: AppError) -> dict[str, Any]:
    """``{"error": {"message", "type", "param", "code"}}``: ``param`` is the JSON path of the culprit field (or
    null), ``code`` Bedrock's error code when Bedrock refused, else our own error type (``model_not_allowed``...).
    The OpenAI SDKs read these four fields into ``APIError.message/type/param/code``."""
    field = getattr(exc, "field", None)
    code = getattr(exc, "code", None)
    error: dict[str, Any] = {
        "message": exc.message,
        "type": openai_error_type(exc),
        "param": field if isinstance(field, str) else None,
        "code": code if isinstance(code, str) else exc.error_type,
    }
    return {"error": error}
