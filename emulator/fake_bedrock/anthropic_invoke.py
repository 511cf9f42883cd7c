"""The stub's Anthropic Messages stream on InvokeModelWithResponseStream: text, tool calls, tool loops, thinking.

Events follow Anthropic's streaming Messages format as Bedrock relays it
(https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html and
https://docs.anthropic.com/en/docs/build-with-claude/streaming): ``message_start``; per content block
``content_block_start`` / ``content_block_delta`` (``text_delta``, ``thinking_delta`` then ``signature_delta``,
``input_json_delta``) / ``content_block_stop``; ``message_delta`` with the stop reason; ``message_stop`` with
Bedrock's ``amazon-bedrock-invocationMetrics``. The body's ``tools`` / ``tool_choice`` (``auto`` / ``any`` /
``tool`` / ``none``), ``tool_use`` / ``tool_result`` blocks and ``thinking`` follow the same rules as Converse
(:mod:`emulator.fake_bedrock.tool_use`): they are translated to Converse's shape and planned there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from emulator.fake_bedrock.stub import (
    StubAnswer,
    answer_with,
    reasoning_signature,
    reasoning_text,
    split_deltas,
)
from emulator.fake_bedrock.tool_use import ToolCall, plan_tool_call, split_json, tool_result_text, tool_results

__all__ = ["anthropic_events"]

ModelEvent = dict[str, Any]
EventIter = Iterator[tuple[ModelEvent, bool]]
MetricsFn = Callable[[StubAnswer], dict[str, int]]


def _converse_block(block: Any) -> Any:
    if not isinstance(block, Mapping):
        return block
    if block.get("type") == "tool_use":
        return {"toolUse": {"toolUseId": block.get("id"), "name": block.get("name"), "input": block.get("input")}}
    if block.get("type") == "tool_result":
        content = block.get("content")
        parts = [{"text": content}] if isinstance(content, str) else content if isinstance(content, list) else []
        result = {"toolUseId": block.get("tool_use_id"), "content": parts}
        return {"toolResult": {**result, **({"status": "error"} if block.get("is_error") else {})}}
    return block


def _as_converse(body: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of an Anthropic Messages body the tool rules read, in Converse's shape."""
    messages = [
        {**m, "content": [_converse_block(b) for b in m["content"]]}
        if isinstance(m, Mapping) and isinstance(m.get("content"), list)
        else m
        for m in body.get("messages") or []
    ]
    converse: dict[str, Any] = {"messages": messages}
    tools = body.get("tools")
    choice = body.get("tool_choice") if isinstance(body.get("tool_choice"), Mapping) else {}
    kind = choice.get("type") if isinstance(choice, Mapping) else None
    if isinstance(tools, list) and tools and kind != "none":
        specs = [
            {"toolSpec": {"name": t.get("name"), "inputSchema": {"json": t.get("input_schema")}}}
            for t in tools
            if isinstance(t, Mapping) and isinstance(t.get("name"), str)
        ]
        config: dict[str, Any] = {"tools": specs}
        if kind == "any":
            config["toolChoice"] = {"any": {}}
        elif kind == "tool" and isinstance(choice, Mapping):
            config["toolChoice"] = {"tool": {"name": choice.get("name")}}
        converse["toolConfig"] = config
    return converse


def _thinks(body: Mapping[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, Mapping) and thinking.get("type") in ("enabled", "adaptive")


def _start(index: int, block: dict[str, Any]) -> tuple[ModelEvent, bool]:
    return {"type": "content_block_start", "index": index, "content_block": block}, False


def _delta(index: int, delta: dict[str, Any]) -> tuple[ModelEvent, bool]:
    return {"type": "content_block_delta", "index": index, "delta": delta}, True


def anthropic_events(
    model_name: str, prompt: str, body: Mapping[str, Any], answer: StubAnswer, metrics: MetricsFn
) -> EventIter:
    """The stream for an Anthropic Messages body: thinking (if asked), then a tool call or text."""
    converse = _as_converse(body)
    results = tool_results(converse["messages"])
    call: ToolCall | None = plan_tool_call(converse, prompt)
    if call is None and results:
        limit = body.get("max_tokens")
        stops = body.get("stop_sequences")
        answer = answer_with(
            tool_result_text(converse["messages"], results),
            prompt,
            max_tokens=limit if isinstance(limit, int) and not isinstance(limit, bool) else None,
            stop_sequences=tuple(s for s in stops if isinstance(s, str)) if isinstance(stops, list) else (),
        )
    thought = split_deltas(reasoning_text(prompt)) if _thinks(body) else []
    pieces = split_json(call.input_json) if call is not None else []
    deltas = (*thought, *pieces) if call is not None else (*thought, *answer.deltas)
    stop = "tool_use" if call is not None else answer.stop
    counted = StubAnswer(deltas, stop, answer.stop_sequence, answer.input_tokens)
    usage = {
        "input_tokens": answer.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 1,
    }
    message: dict[str, Any] = {
        "model": model_name,
        "id": f"msg_bdrk_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    yield {"type": "message_start", "message": message}, False
    index = 0
    if thought:
        yield _start(index, {"type": "thinking", "thinking": "", "signature": ""})
        for piece in thought:
            yield _delta(index, {"type": "thinking_delta", "thinking": piece})
        signature = _delta(index, {"type": "signature_delta", "signature": reasoning_signature(prompt)})
        yield signature[0], False
        yield {"type": "content_block_stop", "index": index}, False
        index += 1
    if call is not None:
        tool_id = "toolu_bdrk_" + call.tool_use_id.removeprefix("tooluse_")
        yield _start(index, {"type": "tool_use", "id": tool_id, "name": call.name, "input": {}})
        for piece in pieces:
            yield _delta(index, {"type": "input_json_delta", "partial_json": piece})
    else:
        yield _start(index, {"type": "text", "text": ""})
        for delta in answer.deltas:
            yield _delta(index, {"type": "text_delta", "text": delta})
    yield {"type": "content_block_stop", "index": index}, False
    ending = {"stop_reason": stop, "stop_sequence": counted.stop_sequence if call is None else None}
    yield {"type": "message_delta", "delta": ending, "usage": {"output_tokens": counted.output_tokens}}, False
    yield {"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics(counted)}, False
