"""A UI chat request (``POST /v1/ui/chat``: the body of the AI SDK's ``useChat`` ``DefaultChatTransport``) ->
:class:`ChatRequest` for ConverseStream.

Follows the AI SDK's UI message types ("UIMessage", https://ai-sdk.dev/docs/reference/ai-sdk-core/ui-message; the
``ai`` package's ``UIMessage`` parts and ``DefaultChatTransport`` request body ``{id, messages, trigger,
messageId}``) and the Bedrock Converse API reference
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html: ``Message``,
``ContentBlock``, ``ToolConfiguration``). The structure is checked by ``schemas/ui-chat-request.json``; this module
maps it:

- ``system`` messages' text parts join the Converse ``system`` prompt (after the body's ``system``).
- ``text`` parts -> ``text`` (blank text is dropped); ``reasoning`` parts -> ``reasoningContent`` when they carry
  the signature this endpoint sent (``providerMetadata.bedrock.signature``), else they are dropped (Bedrock could
  not verify them).
- Tool parts (``tool-<name>`` and ``dynamic-tool`` with ``toolName``) in an assistant message -> ``toolUse``; with
  state ``output-available`` / ``output-error`` their ``output`` / ``errorText`` -> a ``toolResult`` in the user
  turn that follows the step. A tool part without an outcome is dropped (Converse needs a result for every call).
  ``step-start`` parts split an assistant message into steps (one assistant turn and its tool results each).
- ``file`` parts are refused (400); UI-only parts (``source-url``, ``source-document``, ``data-*``) are skipped.
- A request whose last message is an assistant message (``useChat`` sending a tool's output back) continues that
  message: the answer's ``start`` part carries its ``id`` (as the AI SDK's own ``toUIMessageStream`` does with
  ``originalMessages``), so ``useChat`` appends to it instead of adding a copy under a new id.
- Optional body fields a client adds through the transport's ``body``: ``model``, ``system``,
  ``maxOutputTokens``, ``temperature``, ``topP``, ``reasoningEffort`` (as in
  :mod:`bedrock_stream.openai_reasoning`), ``tools`` (``{name: {description, inputSchema}}``, as the AI SDK
  declares tools) and ``toolChoice`` (``auto`` / ``none`` / ``required`` / ``{type: "tool", toolName}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.openai_reasoning import ReasoningAsk, reasoning_fields
from bedrock_stream.plan import Converse, SurfaceRequest
from bedrock_stream.schemas import validate_ui_chat_request
from bedrock_stream.settings import Settings
from bedrock_stream.validation import check_max_tokens, check_model, merge_turns, validate_body

__all__ = ["UI_MESSAGE_STREAM_HEADERS", "UiChatRequest", "parse_ui_chat_request", "ui_chat_plan"]

UI_MESSAGE_STREAM_HEADERS: Mapping[str, str] = {
    "x-vercel-ai-ui-message-stream": "v1",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
}
"""The headers the AI SDK's own UI message stream responses carry (``UI_MESSAGE_STREAM_HEADERS`` in ``ai``)."""

_DONE_STATES = frozenset({"output-available", "output-error"})
_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
"""Bedrock's tool name pattern (``ToolSpecification.name``)."""
_SKIPPED = frozenset({"step-start", "source-url", "source-document"})


@dataclass(frozen=True, slots=True)
class UiChatRequest:
    """A parsed UI chat request: the Converse request."""

    chat: ChatRequest
    continues: str | None = None
    """The id of the assistant message this answer continues (the request's last message), if any."""


def ui_chat_plan(call: SurfaceRequest) -> Converse:
    """The surface parser of ``POST /v1/ui/chat``: always a stream, with the UI message stream headers."""
    parsed = parse_ui_chat_request(call.json(), call.settings)
    echo = {"messageId": parsed.continues} if parsed.continues else {}
    return Converse(chat=parsed.chat, headers=UI_MESSAGE_STREAM_HEADERS, echo=echo)


def parse_ui_chat_request(data: Any, settings: Settings) -> UiChatRequest:
    """Validate ``data`` and map it onto Converse; raise 400/403 errors naming the field."""
    body = validate_body(validate_ui_chat_request, data)
    model = check_model(body.get("model"), settings)
    effort = body.get("reasoningEffort")
    limit = body.get("maxOutputTokens")
    if limit is None and effort not in (None, "none"):
        limit = settings.max_tokens_cap  # reasoning shares the output limit: give it the most room
    max_tokens = check_max_tokens(limit, settings, field="maxOutputTokens")
    system: list[str] = [body["system"]] if body.get("system") else []
    turns: list[ChatMessage] = []
    for i, message in enumerate(body["messages"]):
        turns.extend(_message(message, f"messages[{i}]", system))
    messages = merge_turns(turns)
    if not messages or messages[0].role != "user":
        raise InvalidRequestError("the conversation must start with a user message", field="messages")
    if messages[-1].role != "user":
        raise InvalidRequestError("the last message must be a user message (or hold tool results)", field="messages")
    ask = ReasoningAsk("reasoningEffort", effort=effort, effort_field="reasoningEffort", limit_field="maxOutputTokens")
    fields = reasoning_fields(ask, model, max_tokens)
    chat = ChatRequest(
        model=model,
        messages=messages,
        system=tuple(system),
        max_tokens=max_tokens,
        temperature=body.get("temperature"),
        top_p=body.get("topP"),
        tool_config=_tool_config(body.get("tools") or {}, body.get("toolChoice"), messages),
        additional_model_request_fields=fields or None,
    )
    return UiChatRequest(chat=chat, continues=_continued_id(body["messages"]))


def _continued_id(messages: list[dict[str, Any]]) -> str | None:
    """The last message's id when it is an assistant message (a continuation), else None."""
    last = messages[-1] if messages else {}
    identifier = last.get("id")
    return identifier if last.get("role") == "assistant" and isinstance(identifier, str) and identifier else None


def _message(message: dict[str, Any], field: str, system: list[str]) -> list[ChatMessage]:
    role = message["role"]
    parts = message["parts"]
    if role == "system":
        for j, part in enumerate(parts):
            if part["type"] != "text":
                raise InvalidRequestError("system messages hold text parts only", field=f"{field}.parts[{j}].type")
            if part.get("text", "").strip():
                system.append(part["text"])
        return []
    if role == "user":
        blocks = [block for j, part in enumerate(parts) if (block := _user_part(part, f"{field}.parts[{j}]"))]
        return [ChatMessage("user", tuple(blocks))] if blocks else []
    return _assistant(parts, field)


def _text(part: dict[str, Any], where: str) -> str:
    text = part.get("text")
    if not isinstance(text, str):
        raise InvalidRequestError(f"a {part['type']} part needs text", field=f"{where}.text")
    return text


def _user_part(part: dict[str, Any], where: str) -> dict[str, Any] | None:
    kind = part["type"]
    if kind == "text":
        text = _text(part, where)
        return {"text": text} if text.strip() else None
    if kind == "file":
        raise InvalidRequestError("file parts are not supported by /v1/ui/chat", field=f"{where}.type")
    if kind in _SKIPPED or kind.startswith("data-"):
        return None
    raise InvalidRequestError(f"{kind} parts belong in assistant messages", field=f"{where}.type")


def _assistant(parts: list[dict[str, Any]], field: str) -> list[ChatMessage]:
    """Assistant parts -> one assistant turn per step, each followed by a user turn with its tool results."""
    turns: list[ChatMessage] = []
    blocks: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []

    def flush() -> None:
        if blocks:
            turns.append(ChatMessage("assistant", tuple(blocks)))
        if results:
            turns.append(ChatMessage("user", tuple(results)))
        blocks.clear()
        results.clear()

    for j, part in enumerate(parts):
        where = f"{field}.parts[{j}]"
        kind = part["type"]
        if kind == "step-start":
            flush()
        elif kind == "text":
            text = _text(part, where)
            if text.strip():
                blocks.append({"text": text})
        elif kind == "reasoning":
            block = _reasoning(part, where)
            if block is not None:
                blocks.append(block)
        elif kind == "dynamic-tool" or kind.startswith("tool-"):
            _tool_part(part, where, blocks, results)
        elif kind == "file":
            raise InvalidRequestError("file parts are not supported by /v1/ui/chat", field=f"{where}.type")
        elif not (kind in _SKIPPED or kind.startswith("data-")):
            raise InvalidRequestError(f"unknown part type {kind!r}", field=f"{where}.type")
    flush()
    return turns


def _reasoning(part: dict[str, Any], where: str) -> dict[str, Any] | None:
    text = _text(part, where)
    bedrock = (part.get("providerMetadata") or {}).get("bedrock")
    signature = bedrock.get("signature") if isinstance(bedrock, dict) else None
    if not isinstance(signature, str) or not signature or not text:
        return None
    return {"reasoningContent": {"reasoningText": {"text": text, "signature": signature}}}


def _tool_part(part: dict[str, Any], where: str, blocks: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
    kind = part["type"]
    name = part.get("toolName") if kind == "dynamic-tool" else kind.removeprefix("tool-")
    if not isinstance(name, str) or not _TOOL_NAME.fullmatch(name):
        raise InvalidRequestError(
            "a tool part needs a tool name of 1-64 letters, digits, _ or - (tool-<name>, or toolName)",
            field=f"{where}.type" if kind != "dynamic-tool" else f"{where}.toolName",
        )
    call_id = part.get("toolCallId")
    if not isinstance(call_id, str):
        raise InvalidRequestError("a tool part needs toolCallId", field=f"{where}.toolCallId")
    state = part.get("state")
    if state not in _DONE_STATES:
        return  # no outcome to send back: Converse refuses a toolUse without its toolResult
    tool_input = part.get("input")
    if not isinstance(tool_input, dict):
        raise InvalidRequestError("a tool part's input must be a JSON object", field=f"{where}.input")
    blocks.append({"toolUse": {"toolUseId": call_id, "name": name, "input": tool_input}})
    if state == "output-error":
        error = part.get("errorText")
        text = error if isinstance(error, str) and error else "the tool failed"
        results.append({"toolResult": {"toolUseId": call_id, "content": [{"text": text}], "status": "error"}})
        return
    if "output" not in part:
        raise InvalidRequestError("an output-available tool part needs output", field=f"{where}.output")
    output = part["output"]
    content = (
        {"text": output}
        if isinstance(output, str)
        else {"json": output if isinstance(output, dict) else {"value": output}}
    )
    results.append({"toolResult": {"toolUseId": call_id, "content": [content]}})


def _tool_config(tools: dict[str, Any], choice: Any, messages: tuple[ChatMessage, ...]) -> dict[str, Any] | None:
    used = [block["toolUse"]["name"] for message in messages for block in message.content if "toolUse" in block]
    declared = dict(tools)
    if choice == "none" or not declared:
        if isinstance(choice, dict) or choice == "required":
            raise InvalidRequestError("toolChoice needs tools", field="toolChoice")
        if not used:
            return None
        declared = {}  # Converse refuses tool blocks without a toolConfig: declare what the history names
        choice = None
    for name in used:
        declared.setdefault(name, {})
    specs = []
    for name, tool in declared.items():
        spec: dict[str, Any] = {"name": name, "inputSchema": {"json": tool.get("inputSchema") or {"type": "object"}}}
        if tool.get("description"):
            spec["description"] = tool["description"]
        specs.append({"toolSpec": spec})
    config: dict[str, Any] = {"tools": specs}
    if choice == "auto":
        config["toolChoice"] = {"auto": {}}
    elif choice == "required":
        config["toolChoice"] = {"any": {}}
    elif isinstance(choice, dict):
        if choice["toolName"] not in declared:
            raise InvalidRequestError(f"toolChoice names unknown tool {choice['toolName']!r}", field="toolChoice")
        config["toolChoice"] = {"tool": {"name": choice["toolName"]}}
    return config
