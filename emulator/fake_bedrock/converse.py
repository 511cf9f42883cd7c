"""ConverseStream for the stub model: request reading, the turn it plays, its events (``ConverseStreamOutput``).

Follows https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html (request; events:
``messageStart``; text ``contentBlockDelta`` without a ``contentBlockStart``; a tool call as ``contentBlockStart``
``start.toolUse {toolUseId, name}``, ``contentBlockDelta`` ``delta.toolUse.input`` JSON pieces and
``contentBlockStop``; reasoning as ``delta.reasoningContent`` ``text`` pieces then one ``signature``;
``messageStop``; ``metadata`` with ``usage`` (``cacheReadInputTokens`` / ``cacheWriteInputTokens`` when the request
has cache points) and ``metrics``).

The turn: reasoning first when ``additionalModelRequestFields`` asks for it (Anthropic ``thinking`` of type
``enabled`` or ``adaptive``: text then a signature; Amazon Nova 2 ``reasoningConfig.type: enabled``: the text
``[REDACTED]``, as Nova 2 Lite shows it; gpt-oss ``reasoning_effort``: text only), then either a tool call
(rules in :mod:`emulator.fake_bedrock.tool_use`, ``stopReason: tool_use``) or the stub text; the reply to
``toolResult`` blocks is a text quoting them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.fake_bedrock.families import BodyError, last_user_text
from emulator.fake_bedrock.prompt_cache import CacheUsage, PromptCache
from emulator.fake_bedrock.stub import (
    StubAnswer,
    answer_with,
    reasoning_signature,
    reasoning_text,
    split_deltas,
    stub_text,
)
from emulator.fake_bedrock.tool_use import ToolCall, plan_tool_call, split_json, tool_result_text, tool_results

__all__ = [
    "NOVA_REDACTED",
    "ConverseEvents",
    "ConverseTurn",
    "converse_answer",
    "converse_events",
    "converse_response",
    "reasoning",
]

# (event type, payload, carries a token)
ConverseEvents = Iterator[tuple[str, dict[str, Any], bool]]


@dataclass(frozen=True)
class ConverseTurn:
    """What the stub plays for one Converse request."""

    answer: StubAnswer
    """The text part (no deltas when the stub calls a tool)."""
    reasoning: tuple[str, ...] = ()
    signature: str | None = None
    tool_call: ToolCall | None = None
    cache: CacheUsage | None = None

    @property
    def stop(self) -> str:
        return "tool_use" if self.tool_call is not None else self.answer.stop

    @property
    def tool_input_pieces(self) -> list[str]:
        return split_json(self.tool_call.input_json) if self.tool_call is not None else []

    @property
    def output_tokens(self) -> int:
        return len(self.reasoning) + len(self.tool_input_pieces) + self.answer.output_tokens


NOVA_REDACTED = "[REDACTED]"
"""What Amazon Nova 2 Lite shows as its reasoning text
(https://docs.aws.amazon.com/nova/latest/nova2-userguide/reasoning-capabilities.html)."""


def reasoning(fields: Any, prompt: str) -> tuple[tuple[str, ...], str | None]:
    """``(reasoning text pieces, signature)`` the stub streams for ``additionalModelRequestFields``."""
    if not isinstance(fields, Mapping):
        return (), None
    thinking = fields.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") in ("enabled", "adaptive"):
        return tuple(split_deltas(reasoning_text(prompt))), reasoning_signature(prompt)
    config = fields.get("reasoningConfig")
    if isinstance(config, Mapping) and config.get("type") == "enabled":
        return (NOVA_REDACTED,), None
    effort = fields.get("reasoning_effort")
    if isinstance(effort, str) and effort not in ("", "none"):
        return tuple(split_deltas(reasoning_text(prompt))), None
    return (), None


def converse_answer(body: Mapping[str, Any], cache: PromptCache | None = None) -> tuple[str, ConverseTurn]:
    """The prompt and stub turn of a Converse body. Raises :class:`BodyError` for unusable bodies."""
    messages = body.get("messages")
    results = tool_results(messages)
    prompt = "" if results else last_user_text(messages)
    config = body.get("inferenceConfig") or {}
    if not isinstance(config, Mapping):
        raise BodyError("inferenceConfig must be an object")
    max_tokens = config.get("maxTokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1):
        raise BodyError("inferenceConfig.maxTokens must be an integer of at least 1")
    stops = config.get("stopSequences") or []
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise BodyError("inferenceConfig.stopSequences must be a list of strings")
    call = plan_tool_call(body, prompt)
    if call is not None:
        text = ""
    elif results:
        text = tool_result_text(messages if isinstance(messages, list) else [], results)
    else:
        text = stub_text(prompt)
    stub = answer_with(text, prompt, max_tokens=max_tokens, stop_sequences=tuple(stops))
    thought, signature = reasoning(body.get("additionalModelRequestFields"), prompt)
    usage = cache.use(body) if cache is not None else None
    turn = ConverseTurn(stub, thought, signature, call, usage)
    return prompt, turn


def _usage(turn: ConverseTurn) -> dict[str, int]:
    usage = {
        "inputTokens": turn.answer.input_tokens,
        "outputTokens": turn.output_tokens,
        "totalTokens": turn.answer.input_tokens + turn.output_tokens,
    }
    if turn.cache is not None:
        usage["cacheReadInputTokens"] = turn.cache.read
        usage["cacheWriteInputTokens"] = turn.cache.write
        usage["totalTokens"] += turn.cache.read + turn.cache.write
    return usage


def converse_events(turn: ConverseTurn, latency_ms: Callable[[], int]) -> ConverseEvents:
    """The ConverseStream events for ``turn``; ``latency_ms`` is read when the final ``metadata`` is built."""
    yield "messageStart", {"role": "assistant"}, False
    index = 0
    if turn.reasoning:
        for piece in turn.reasoning:
            yield "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": piece}}}, True
        if turn.signature is not None:
            signed = {"reasoningContent": {"signature": turn.signature}}
            yield "contentBlockDelta", {"contentBlockIndex": 0, "delta": signed}, False
        yield "contentBlockStop", {"contentBlockIndex": 0}, False
        index = 1
    call = turn.tool_call
    if call is not None:
        start = {"toolUse": {"toolUseId": call.tool_use_id, "name": call.name}}
        yield "contentBlockStart", {"contentBlockIndex": index, "start": start}, False
        for piece in turn.tool_input_pieces:
            yield "contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}}, True
        yield "contentBlockStop", {"contentBlockIndex": index}, False
    else:
        for delta in turn.answer.deltas:
            yield "contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": delta}}, True
        yield "contentBlockStop", {"contentBlockIndex": index}, False
    yield "messageStop", {"stopReason": turn.stop}, False
    yield "metadata", {"usage": _usage(turn), "metrics": {"latencyMs": latency_ms()}}, False


def converse_response(turn: ConverseTurn, latency_ms: int) -> dict[str, Any]:
    """The non-streaming Converse response body for ``turn`` (shape per the service model)."""
    content: list[dict[str, Any]] = []
    if turn.reasoning:
        text: dict[str, Any] = {"text": "".join(turn.reasoning)}
        if turn.signature is not None:
            text["signature"] = turn.signature
        content.append({"reasoningContent": {"reasoningText": text}})
    if turn.tool_call is not None:
        call = turn.tool_call
        content.append({"toolUse": {"toolUseId": call.tool_use_id, "name": call.name, "input": call.input}})
    else:
        content.append({"text": turn.answer.text})
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": turn.stop,
        "usage": _usage(turn),
        "metrics": {"latencyMs": latency_ms},
    }
