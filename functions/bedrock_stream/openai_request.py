"""An OpenAI Chat Completions request body -> :class:`ChatRequest` (ConverseStream) plus OpenAI-only options.

Follows the OpenAI API reference for ``POST /v1/chat/completions`` (request body); the supported subset and
the fields that are ignored or rejected are in ``schemas/openai-chat-request.json`` and the README table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.json_body import load_json_text
from bedrock_stream.plan import Converse, SurfaceRequest
from bedrock_stream.schemas import validate_openai_chat_request
from bedrock_stream.settings import Settings
from bedrock_stream.validation import check_max_tokens, check_model, merge_turns, validate_body

__all__ = ["OpenAIChatRequest", "openai_plan", "parse_openai_request"]


@dataclass(frozen=True, slots=True)
class OpenAIChatRequest:
    """A parsed Chat Completions request."""

    chat: ChatRequest
    stream: bool
    include_usage: bool


def openai_plan(call: SurfaceRequest) -> Converse:
    """The surface parser of ``POST /v1/chat/completions``."""
    openai = parse_openai_request(call.json(), call.settings)
    return Converse(chat=openai.chat, stream=openai.stream, include_usage=openai.include_usage)


def parse_openai_request(data: Any, settings: Settings) -> OpenAIChatRequest:
    """Validate ``data`` and map it onto Converse; raise 400/403 errors with the field path."""
    body = validate_body(validate_openai_chat_request, data)
    if body.get("max_tokens") is not None and body.get("max_completion_tokens") is not None:
        raise InvalidRequestError("send max_tokens or max_completion_tokens, not both", field="max_tokens")
    limit_field = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    system: list[str] = []
    turns: list[ChatMessage] = []
    for i, raw in enumerate(body["messages"]):
        role = raw["role"]
        if role in ("system", "developer"):
            text = _text(raw.get("content"))
            if text:
                system.append(text)
        elif role == "user":
            text = _text(raw.get("content"))
            if not text.strip():  # Converse refuses blank text blocks: answer 400 here instead of sending it
                raise InvalidRequestError("a user message needs non-blank content", field=f"messages[{i}].content")
            turns.append(ChatMessage("user", ({"text": text},)))
        elif role == "assistant":
            turns.append(_assistant(raw, i))
        else:  # tool
            if "tool_call_id" not in raw:
                raise InvalidRequestError("a tool message needs tool_call_id", field=f"messages[{i}].tool_call_id")
            result = {"toolUseId": raw["tool_call_id"], "content": [{"text": _text(raw.get("content"))}]}
            turns.append(ChatMessage("user", ({"toolResult": result},)))
    messages = merge_turns(turns)
    if not messages or messages[0].role != "user":
        raise InvalidRequestError("the conversation must start with a user message", field="messages")
    stop = body.get("stop") or ()
    stream_options = body.get("stream_options") or {}
    return OpenAIChatRequest(
        chat=ChatRequest(
            model=check_model(body.get("model"), settings),
            messages=messages,
            system=tuple(system),
            max_tokens=check_max_tokens(body.get(limit_field), settings, field=limit_field),
            temperature=body.get("temperature"),
            top_p=body.get("top_p"),
            stop=(stop,) if isinstance(stop, str) else tuple(stop),
            tool_config=_tool_config(body),
        ),
        stream=bool(body.get("stream")),
        include_usage=bool(stream_options.get("include_usage")),
    )


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part["text"] for part in content)


def _assistant(raw: dict[str, Any], i: int) -> ChatMessage:
    blocks: list[dict[str, Any]] = []
    text = _text(raw.get("content"))
    if text:
        blocks.append({"text": text})
    for j, call in enumerate(raw.get("tool_calls") or ()):
        field = f"messages[{i}].tool_calls[{j}].function.arguments"
        tool_input = load_json_text(call["function"]["arguments"] or "{}", what=field, field=field)
        if not isinstance(tool_input, dict):  # Converse's toolUse.input must be an object
            raise InvalidRequestError("tool call arguments must be a JSON object string", field=field)
        blocks.append({"toolUse": {"toolUseId": call["id"], "name": call["function"]["name"], "input": tool_input}})
    if not blocks:
        raise InvalidRequestError("an assistant message needs content or tool_calls", field=f"messages[{i}]")
    return ChatMessage("assistant", tuple(blocks))


def _tool_config(body: dict[str, Any]) -> dict[str, Any] | None:
    tools = body.get("tools") or []
    choice = body.get("tool_choice")
    if not tools:
        if choice not in (None, "none", "auto"):
            raise InvalidRequestError("tool_choice requires tools", field="tool_choice")
        return None
    if choice == "none":
        return None
    specs = [
        {
            "toolSpec": {
                "name": tool["function"]["name"],
                **({"description": tool["function"]["description"]} if tool["function"].get("description") else {}),
                "inputSchema": {"json": tool["function"].get("parameters") or {"type": "object", "properties": {}}},
            }
        }
        for tool in tools
    ]
    config: dict[str, Any] = {"tools": specs}
    if choice == "required":
        config["toolChoice"] = {"any": {}}
    elif isinstance(choice, dict):
        name = choice["function"]["name"]
        if name not in {tool["function"]["name"] for tool in tools}:
            raise InvalidRequestError(f"tool_choice names unknown tool {name!r}", field="tool_choice.function.name")
        config["toolChoice"] = {"tool": {"name": name}}
    elif choice == "auto":
        config["toolChoice"] = {"auto": {}}
    return config
