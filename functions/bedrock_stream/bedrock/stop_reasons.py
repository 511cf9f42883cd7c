"""Native stop/finish reasons of every model family, normalized to ConverseStream's ``stopReason`` names.

Sources: the per-family model-parameters pages (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html)
and Converse's ``stopReason`` (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html).
A reason without a mapping passes through unchanged, so nothing the model said is lost.
"""

from __future__ import annotations

__all__ = ["normalize_stop_reason"]

_MAP: dict[str, str] = {
    # OpenAI-style (gpt-oss, Jamba, DeepSeek, Mistral, Llama)
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filtered",
    "model_length": "model_context_window_exceeded",
    # Titan
    "FINISH": "end_turn",
    "FINISHED": "end_turn",
    "LENGTH": "max_tokens",
    "STOP_CRITERIA_MET": "stop_sequence",
    "CONTENT_FILTERED": "content_filtered",
    # Cohere
    "COMPLETE": "end_turn",
    "MAX_TOKENS": "max_tokens",
    "STOP_SEQUENCE": "stop_sequence",
    "ERROR_TOXIC": "content_filtered",
    "TOOL_CALL": "tool_use",
    # Bedrock guardrail action on invoke streams
    "INTERVENED": "guardrail_intervened",
}


def normalize_stop_reason(reason: str) -> str:
    """Map a native stop reason to Converse's name (``stop`` -> ``end_turn``); unknown reasons pass through."""
    return _MAP.get(reason, reason)
