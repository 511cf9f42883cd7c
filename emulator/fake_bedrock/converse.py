"""ConverseStream for the stub model: request reading and the event sequence (union ``ConverseStreamOutput``).

Follows https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html (request; events:
``messageStart``, text ``contentBlockDelta`` without a ``contentBlockStart``, ``contentBlockStop``, ``messageStop``,
``metadata`` with ``usage`` and ``metrics``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from emulator.fake_bedrock.families import BodyError, last_user_text
from emulator.fake_bedrock.stub import StubAnswer, answer

__all__ = ["ConverseEvents", "converse_answer", "converse_events", "converse_response"]

# (event type, payload, carries a token)
ConverseEvents = Iterator[tuple[str, dict[str, Any], bool]]


def converse_answer(body: Mapping[str, Any]) -> tuple[str, StubAnswer]:
    """The prompt and stub answer of a Converse body. Raises :class:`BodyError` for unusable bodies."""
    prompt = last_user_text(body.get("messages"))
    config = body.get("inferenceConfig") or {}
    if not isinstance(config, Mapping):
        raise BodyError("inferenceConfig must be an object")
    max_tokens = config.get("maxTokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1):
        raise BodyError("inferenceConfig.maxTokens must be an integer of at least 1")
    stops = config.get("stopSequences") or []
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise BodyError("inferenceConfig.stopSequences must be a list of strings")
    return prompt, answer(prompt, max_tokens=max_tokens, stop_sequences=tuple(stops))


def _usage(stub: StubAnswer) -> dict[str, int]:
    return {
        "inputTokens": stub.input_tokens,
        "outputTokens": stub.output_tokens,
        "totalTokens": stub.input_tokens + stub.output_tokens,
    }


def converse_events(stub: StubAnswer, latency_ms: Callable[[], int]) -> ConverseEvents:
    """The ConverseStream events for ``stub``; ``latency_ms`` is read when the final ``metadata`` is built."""
    yield "messageStart", {"role": "assistant"}, False
    for delta in stub.deltas:
        yield "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": delta}}, True
    yield "contentBlockStop", {"contentBlockIndex": 0}, False
    yield "messageStop", {"stopReason": stub.stop}, False
    yield "metadata", {"usage": _usage(stub), "metrics": {"latencyMs": latency_ms()}}, False


def converse_response(stub: StubAnswer, latency_ms: int) -> dict[str, Any]:
    """The non-streaming Converse response body for ``stub`` (shape per the service model)."""
    message = {"role": "assistant", "content": [{"text": stub.text}]}
    return {
        "output": {"message": message},
        "stopReason": stub.stop,
        "usage": _usage(stub),
        "metrics": {"latencyMs": latency_ms},
    }
