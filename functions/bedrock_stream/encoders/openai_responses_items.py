"""Normalized events -> OpenAI Responses stream events (as dicts without ``sequence_number``) and the Response
object, shared by the streaming and the non-streaming encoder.

Follows the OpenAI API reference, "Responses: streaming events"
(https://platform.openai.com/docs/api-reference/responses-streaming) and the ``openai`` SDK's types in
``openai.types.responses``: ``Response``, ``ResponseOutputMessage`` / ``ResponseOutputText``,
``ResponseFunctionToolCall``, ``ResponseReasoningItem``, ``ResponseUsage``, and the events
``response.output_item.added`` / ``.done``, ``response.content_part.added`` / ``.done``,
``response.output_text.delta`` / ``.done``, ``response.reasoning_text.delta`` / ``.done``,
``response.function_call_arguments.delta`` / ``.done``.

Converse (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html) sends text and
reasoning without a start event, so an output item opens with its first delta and closes when an event of another
content block (or the end) arrives. Reasoning text becomes a ``reasoning`` item with one ``reasoning_text`` part;
its signature goes to ``encrypted_content`` (redacted reasoning: ``redacted:`` and the base64 bytes), which the
request parser turns back into a Converse reasoning block when a client sends the item again.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from typing import Any

from bedrock_stream.encoders.base import Exchange
from bedrock_stream.events import (
    BedrockEvent,
    ReasoningDelta,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    ToolUseStop,
    Usage,
)

__all__ = ["REDACTED_PREFIX", "OutputWriter", "response_object", "response_status", "responses_usage"]

REDACTED_PREFIX = "redacted:"
"""``encrypted_content`` of a reasoning item holding Bedrock's redacted reasoning (base64 after the prefix); any
other ``encrypted_content`` is the reasoning text's signature (``bedrock_stream.responses_request`` reads both)."""

_INCOMPLETE = {
    "max_tokens": "max_output_tokens",
    "model_context_window_exceeded": "max_output_tokens",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}
"""Converse stop reasons that end a Response as ``incomplete``, with ``incomplete_details.reason``."""


def response_status(stop_reason: str | None) -> tuple[str, dict[str, str] | None]:
    """``(status, incomplete_details)`` for a stream that ended with ``stop_reason``."""
    reason = _INCOMPLETE.get(stop_reason or "end_turn")
    return ("incomplete", {"reason": reason}) if reason else ("completed", None)


def responses_usage(usage: Usage | None) -> dict[str, Any]:
    """Converse usage -> ``ResponseUsage``: ``input_tokens`` counts every input token (uncached + cache read + cache
    write, as OpenAI's includes cached ones), ``cached_tokens`` the cache read, ``cache_write_tokens`` the write.
    Bedrock reports no separate reasoning count (reasoning is inside ``output_tokens``): ``reasoning_tokens`` is 0."""
    usage = usage or Usage()
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {
            "cached_tokens": usage.cache_read_input_tokens,
            "cache_write_tokens": usage.cache_write_input_tokens,
        },
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": usage.prompt_tokens + usage.output_tokens,
    }


def response_object(
    exchange: Exchange,
    *,
    status: str,
    output: list[dict[str, Any]],
    usage: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    incomplete_details: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The ``Response`` object (``openai.types.responses.Response``) with the request's settings repeated."""
    echo = exchange.echo
    return {
        "id": f"resp_{exchange.request_id}",
        "object": "response",
        "created_at": exchange.created,
        "status": status,
        "background": False,
        "error": error,
        "incomplete_details": incomplete_details,
        "instructions": echo.get("instructions"),
        "max_output_tokens": echo.get("max_output_tokens"),
        "metadata": dict(echo.get("metadata") or {}),
        "model": exchange.model,
        "output": copy.deepcopy(output),
        "parallel_tool_calls": echo.get("parallel_tool_calls", True),
        "previous_response_id": None,
        "reasoning": copy.deepcopy(echo.get("reasoning") or {"effort": None, "summary": None}),
        "temperature": echo.get("temperature"),
        "text": copy.deepcopy(echo.get("text") or {"format": {"type": "text"}}),
        "tool_choice": copy.deepcopy(echo.get("tool_choice", "auto")),
        "tools": copy.deepcopy(list(echo.get("tools") or [])),
        "top_p": echo.get("top_p"),
        "truncation": echo.get("truncation", "disabled"),
        "usage": usage,
    }


@dataclass(slots=True)
class _Item:
    kind: str
    source_index: int
    output_index: int
    item: dict[str, Any]
    text: list[str] = field(default_factory=list)
    part_open: bool = False
    signature: list[str] = field(default_factory=list)


class OutputWriter:
    """Turns content events into output item events; :attr:`output` holds every finished item."""

    def __init__(self, request_id: str) -> None:
        self._request_id = request_id
        self._open: _Item | None = None
        self.output: list[dict[str, Any]] = []

    def feed(self, event: BedrockEvent) -> list[dict[str, Any]]:
        """The stream events for one normalized event (none for usage, stop and metrics)."""
        if isinstance(event, TextDelta):
            if not event.text and not self._is_open("message", event.index):
                return []  # an empty delta (some models send one) opens no message
            out = self._ensure("message", event.index)
            return [*out, *self._text_delta(event.text, "response.output_text.delta")]
        if isinstance(event, ReasoningDelta):
            if event.redacted:
                sealed = REDACTED_PREFIX + base64.b64encode(event.redacted).decode("ascii")
                return [*self.close(), *self._start("reasoning", event.index), *self.close(sealed=sealed)]
            out = self._ensure("reasoning", event.index)
            if event.signature:
                assert self._open is not None
                self._open.signature.append(event.signature)
                return out
            return [*out, *self._text_delta(event.text, "response.reasoning_text.delta")]
        if isinstance(event, ToolUseStart):
            return [
                *self.close(),
                *self._start("function_call", event.index, call_id=event.tool_use_id, name=event.name),
            ]
        if isinstance(event, ToolUseDelta) and self._is_open("function_call", event.index):
            assert self._open is not None
            self._open.text.append(event.input)
            return [self._event("response.function_call_arguments.delta", delta=event.input)]
        if isinstance(event, ToolUseStop) and self._is_open("function_call", event.index):
            return self.close()
        return []

    def close(self, *, status: str = "completed", sealed: str | None = None) -> list[dict[str, Any]]:
        """The closing events of the open item, if any (its final form is appended to :attr:`output`)."""
        item = self._open
        if item is None:
            return []
        self._open = None
        text = "".join(item.text)
        events: list[dict[str, Any]] = []
        final = dict(item.item)
        if item.kind == "message":
            part = _text_part(text)
            events += [
                self._event("response.output_text.done", item, content_index=0, text=text, logprobs=[]),
                self._event("response.content_part.done", item, content_index=0, part=part),
            ]
            final["content"] = [part]
        elif item.kind == "reasoning":
            if item.part_open:
                part = {"type": "reasoning_text", "text": text}
                events += [
                    self._event("response.reasoning_text.done", item, content_index=0, text=text),
                    self._event("response.content_part.done", item, content_index=0, part=part),
                ]
                final["content"] = [part]
            final["encrypted_content"] = sealed or "".join(item.signature) or None
        else:  # function_call
            events.append(self._event("response.function_call_arguments.done", item, arguments=text))
            final["arguments"] = text
        final["status"] = status
        self.output.append(final)
        events.append({"type": "response.output_item.done", "output_index": item.output_index, "item": final})
        return events

    def _is_open(self, kind: str, source_index: int) -> bool:
        return self._open is not None and (self._open.kind, self._open.source_index) == (kind, source_index)

    def _ensure(self, kind: str, source_index: int) -> list[dict[str, Any]]:
        if self._is_open(kind, source_index):
            return []
        return [*self.close(), *self._start(kind, source_index)]

    def _start(self, kind: str, source_index: int, **fields: str) -> list[dict[str, Any]]:
        output_index = len(self.output)
        item_id = f"{_ID_PREFIX[kind]}_{self._request_id}_{output_index}"
        item: dict[str, Any]
        if kind == "message":
            item = {"id": item_id, "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        elif kind == "reasoning":
            item = {"id": item_id, "type": "reasoning", "summary": [], "status": "in_progress"}
        else:
            item = {"id": item_id, "type": "function_call", "status": "in_progress", "arguments": "", **fields}
        self._open = _Item(kind, source_index, output_index, item)
        return [{"type": "response.output_item.added", "output_index": output_index, "item": dict(item)}]

    def _text_delta(self, text: str, event_type: str) -> list[dict[str, Any]]:
        item = self._open
        assert item is not None  # opened by _ensure just before
        out: list[dict[str, Any]] = []
        if not item.part_open:
            item.part_open = True
            part = _text_part("") if item.kind == "message" else {"type": "reasoning_text", "text": ""}
            out.append(self._event("response.content_part.added", item, content_index=0, part=part))
        item.text.append(text)
        extra: dict[str, Any] = {"logprobs": []} if item.kind == "message" else {}
        out.append(self._event(event_type, item, content_index=0, delta=text, **extra))
        return out

    def _event(self, event_type: str, item: _Item | None = None, **fields: Any) -> dict[str, Any]:
        item = item or self._open
        if item is None:
            raise RuntimeError("an item event without an open item")  # a bug here, never caused by input
        return {"type": event_type, "item_id": item.item["id"], "output_index": item.output_index, **fields}


_ID_PREFIX = {"message": "msg", "reasoning": "rs", "function_call": "fc"}


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
