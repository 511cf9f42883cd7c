"""An Anthropic Messages request body (``POST /v1/messages``) -> :class:`ChatRequest` for ConverseStream.

Follows the Anthropic API reference, "Messages" (https://docs.anthropic.com/en/api/messages; field names as in the
``anthropic`` SDK's ``MessageCreateParams``) and the Bedrock Converse API reference
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html: ``Message``, ``ContentBlock``,
``SystemContentBlock``, ``Tool``, ``ToolChoice``, ``CachePointBlock``, ``ReasoningContentBlock``). The structure is
checked by ``schemas/anthropic-messages-request.json``; this module maps it and checks what a schema cannot:

- ``text`` -> ``text``; ``image`` (base64) -> ``image`` bytes; ``document`` (base64 PDF, plain text, content
  blocks) -> ``document`` bytes; ``tool_use`` -> ``toolUse``; ``tool_result`` -> ``toolResult`` (``is_error`` ->
  ``status: error``); ``thinking`` / ``redacted_thinking`` -> ``reasoningContent``. URL and file sources have no
  Converse equivalent and are refused (400).
- ``cache_control`` on a system block, a message block or a tool -> a ``cachePoint`` right after it; the top-level
  ``cache_control`` -> a ``cachePoint`` after the last message block.
- ``tools`` -> ``toolSpec``; ``tool_choice`` ``auto``/``any``/``tool`` -> ``toolChoice``; ``none`` sends no tools
  (Converse has no "none"; ``disable_parallel_tool_use`` has no equivalent and is ignored). Converse refuses
  ``toolUse``/``toolResult`` blocks without a ``toolConfig``, so a conversation holding them keeps the tools
  under ``none``, and without ``tools`` declares the tools its ``tool_use`` blocks name (empty object schema).
- ``top_k`` and ``thinking`` go to ``additionalModelRequestFields`` in the model family's own shape (Anthropic:
  ``top_k``, ``thinking``; Amazon Nova: ``inferenceConfig.topK``); for other models they are refused (400).
- ``model`` is an allowed Bedrock id, or an Anthropic model name (``claude-sonnet-4-5-20250929``, or without the
  date) that names exactly the Claude model of an allowed id (the first such id in the allowlist wins).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bedrock_stream.bedrock.registry import parse_model_id
from bedrock_stream.chat import ChatMessage, ChatRequest, SystemBlock
from bedrock_stream.converse_tools import tool_choice, tools_in_history
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.openai_reasoning import ReasoningAsk, reasoning_fields
from bedrock_stream.plan import Converse, CountTokens, SurfaceRequest
from bedrock_stream.schemas import validate_anthropic_messages_request
from bedrock_stream.settings import Settings
from bedrock_stream.validation import check_max_tokens, check_model, merge_turns, validate_body

__all__ = [
    "AnthropicMessagesRequest",
    "count_tokens_plan",
    "estimate_input_tokens",
    "messages_plan",
    "parse_anthropic_request",
    "resolve_model",
]

_IMAGE_FORMATS = {"image/jpeg": "jpeg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
_USER_ONLY = frozenset({"tool_result", "image", "document"})
_ASSISTANT_ONLY = frozenset({"tool_use", "thinking", "redacted_thinking"})
_VERSION_SUFFIX = re.compile(r"-v\d+(?::\d+)?$")
_DATE_SUFFIX = re.compile(r"^-\d{8}$")
_DOC_NAME_BAD = re.compile(r"[^A-Za-z0-9()\[\]\- ]+")


@dataclass(frozen=True, slots=True)
class AnthropicMessagesRequest:
    """A parsed Messages request: the Converse request and whether to stream."""

    chat: ChatRequest
    stream: bool


def messages_plan(call: SurfaceRequest) -> Converse:
    """The surface parser of ``POST /v1/messages``."""
    parsed = parse_anthropic_request(call.json(), call.settings)
    return Converse(chat=parsed.chat, stream=parsed.stream)


def count_tokens_plan(call: SurfaceRequest) -> CountTokens:
    """``POST /v1/messages/count_tokens``: Bedrock CountTokens, else the estimate of :func:`estimate_input_tokens`.

    The body is a Messages body whose ``max_tokens`` is optional (the Anthropic reference's count_tokens params);
    it is validated and mapped exactly like ``POST /v1/messages``, so what would be refused there is refused here.
    """
    data = call.json()
    if isinstance(data, dict) and "max_tokens" not in data:
        data = {**data, "max_tokens": call.settings.max_tokens_cap}
    parsed = parse_anthropic_request(data, call.settings)
    return CountTokens(chat=parsed.chat, estimate=estimate_input_tokens(parsed.chat))


_CHARS_PER_TOKEN = 4
_IMAGE_TOKENS = 1600


def estimate_input_tokens(chat: ChatRequest) -> int:
    """A deterministic estimate of the input tokens of ``chat``: one token per 4 characters of every text (system,
    messages, tool inputs and results, tool definitions and their JSON Schemas, document bytes), 1600 per image
    (Anthropic's figure for a full-size image), at least 1. Not a tokenizer: real counts differ by model."""
    chars, images = _size([chat.system, [m.content for m in chat.messages], chat.tool_config])
    return max(1, -(-chars // _CHARS_PER_TOKEN) + images * _IMAGE_TOKENS)


def _size(item: Any) -> tuple[int, int]:
    """(characters, images) in a Converse value; JSON documents (schemas, tool input) count as their JSON text."""
    if isinstance(item, str | bytes):
        return len(item), 0
    if isinstance(item, Mapping):
        if "image" in item:
            return 0, 1
        if "json" in item:
            return len(json.dumps(item["json"])), 0
        if "toolUseId" in item and "input" in item:
            return len(str(item.get("name", ""))) + len(json.dumps(item["input"])), 0
        item = list(item.values())
    if isinstance(item, list | tuple):
        sizes = [_size(part) for part in item]
        return sum(c for c, _ in sizes), sum(i for _, i in sizes)
    return 0, 0


def parse_anthropic_request(data: Any, settings: Settings) -> AnthropicMessagesRequest:
    """Validate ``data`` and map it onto Converse; raise 400/403 errors naming the field."""
    body = validate_body(validate_anthropic_messages_request, data)
    model = resolve_model(body["model"], settings)
    max_tokens = check_max_tokens(body["max_tokens"], settings)
    documents = _DocumentNames()
    turns = [_message(raw, i, documents) for i, raw in enumerate(body["messages"])]
    messages = merge_turns(turns)
    if messages[0].role != "user":
        raise InvalidRequestError("the first message must use the user role", field="messages[0].role")
    if body.get("cache_control"):
        last = messages[-1]
        messages = (*messages[:-1], ChatMessage(last.role, (*last.content, _cache_point(body["cache_control"]))))
    return AnthropicMessagesRequest(
        chat=ChatRequest(
            model=model,
            messages=messages,
            system=_system(body.get("system")),
            max_tokens=max_tokens,
            temperature=body.get("temperature"),
            top_p=body.get("top_p"),
            stop=tuple(body.get("stop_sequences") or ()),
            tool_config=_tool_config(body, messages),
            additional_model_request_fields=_model_fields(body, model, max_tokens) or None,
        ),
        stream=bool(body.get("stream")),
    )


def resolve_model(name: str, settings: Settings) -> str:
    """``name`` if allowed; else the first allowed id whose Claude model is ``name``; else 403 (``check_model``)."""
    if name in settings.models:
        return name
    for model_id in settings.models:
        ref = parse_model_id(model_id)
        if ref.provider != "anthropic" or ref.base_id is None:
            continue
        claude = _VERSION_SUFFIX.sub("", ref.base_id.split(".", 1)[1])
        if name == claude or (claude.startswith(name) and _DATE_SUFFIX.match(claude[len(name) :])):
            return model_id
    return check_model(name, settings)


def _cache_point(cache_control: dict[str, Any]) -> dict[str, Any]:
    point: dict[str, Any] = {"type": "default"}
    if cache_control.get("ttl"):
        point["ttl"] = cache_control["ttl"]
    return {"cachePoint": point}


def _system(system: str | list[dict[str, Any]] | None) -> tuple[SystemBlock, ...]:
    if system is None:
        return ()
    if isinstance(system, str):
        return (system,)
    out: list[SystemBlock] = []
    for block in system:
        out.append(block["text"])
        if block.get("cache_control"):
            out.append(_cache_point(block["cache_control"]))
    return tuple(out)


class _DocumentNames:
    """Converse needs a name per document (letters, digits, single spaces, hyphens, parentheses, brackets)."""

    def __init__(self) -> None:
        self._count = 0

    def name(self, title: str | None) -> str:
        self._count += 1
        cleaned = " ".join(_DOC_NAME_BAD.sub(" ", title or "").split())[:200]
        return cleaned or f"document-{self._count}"


def _message(raw: dict[str, Any], i: int, documents: _DocumentNames) -> ChatMessage:
    role = raw["role"]
    content = raw["content"]
    if isinstance(content, str):
        return ChatMessage(role, ({"text": content},))
    blocks: list[dict[str, Any]] = []
    for j, block in enumerate(content):
        field = f"messages[{i}].content[{j}]"
        kind = block["type"]
        if role == "user" and kind in _ASSISTANT_ONLY:
            raise InvalidRequestError(f"{kind} blocks belong in assistant messages", field=f"{field}.type")
        if role == "assistant" and kind in _USER_ONLY:
            raise InvalidRequestError(f"{kind} blocks belong in user messages", field=f"{field}.type")
        blocks.append(_block(block, field, documents))
        if block.get("cache_control"):
            blocks.append(_cache_point(block["cache_control"]))
    return ChatMessage(role, tuple(blocks))


def _block(block: dict[str, Any], field: str, documents: _DocumentNames) -> dict[str, Any]:
    kind = block["type"]
    if kind == "text":
        return {"text": block["text"]}
    if kind == "image":
        return {"image": _image(block["source"], f"{field}.source")}
    if kind == "document":
        return {"document": _document(block, field, documents)}
    if kind == "tool_use":
        return {"toolUse": {"toolUseId": block["id"], "name": block["name"], "input": block["input"]}}
    if kind == "tool_result":
        return {"toolResult": _tool_result(block, field, documents)}
    if kind == "thinking":
        return {"reasoningContent": {"reasoningText": {"text": block["thinking"], "signature": block["signature"]}}}
    # redacted_thinking (the schema admits no other type)
    return {"reasoningContent": {"redactedContent": _base64(block["data"], f"{field}.data")}}


def _base64(data: str, field: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequestError("data must be base64", field=field) from None


def _image(source: dict[str, Any], field: str) -> dict[str, Any]:
    if source["type"] != "base64":
        raise InvalidRequestError(
            f"{source['type']} image sources are not supported (Bedrock needs the bytes): send base64", field=field
        )
    if "media_type" not in source or "data" not in source:
        raise InvalidRequestError("a base64 image source needs media_type and data", field=field)
    return {
        "format": _IMAGE_FORMATS[source["media_type"]],
        "source": {"bytes": _base64(source["data"], f"{field}.data")},
    }


def _document(block: dict[str, Any], field: str, documents: _DocumentNames) -> dict[str, Any]:
    source, where = block["source"], f"{field}.source"
    kind = source["type"]
    if kind == "base64":
        if source.get("media_type") != "application/pdf" or "data" not in source:
            raise InvalidRequestError("a base64 document source needs media_type application/pdf and data", field=where)
        fmt, data = "pdf", _base64(source["data"], f"{where}.data")
    elif kind == "text":
        if not isinstance(source.get("data"), str):
            raise InvalidRequestError("a text document source needs data", field=where)
        fmt, data = "txt", source["data"].encode("utf-8")
    elif kind == "content":
        content = source.get("content")
        if isinstance(content, list):
            if not all(
                isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str) for b in content
            ):
                raise InvalidRequestError("content document sources support text blocks only", field=f"{where}.content")
            content = "\n".join(b["text"] for b in content)
        if not isinstance(content, str):
            raise InvalidRequestError("a content document source needs content", field=where)
        fmt, data = "txt", content.encode("utf-8")
    else:
        raise InvalidRequestError(
            f"{kind} document sources are not supported (Bedrock needs the bytes): send base64 or text", field=where
        )
    if not data:
        raise InvalidRequestError("the document is empty", field=where)
    document: dict[str, Any] = {"format": fmt, "name": documents.name(block.get("title")), "source": {"bytes": data}}
    if block.get("context"):
        document["context"] = block["context"]
    if isinstance(block.get("citations"), dict) and block["citations"].get("enabled"):
        document["citations"] = {"enabled": True}
    return document


def _tool_result(block: dict[str, Any], field: str, documents: _DocumentNames) -> dict[str, Any]:
    content = block.get("content")
    parts: list[dict[str, Any]] = []
    if isinstance(content, str):
        if content:
            parts.append({"text": content})
    elif content:
        for k, item in enumerate(content):
            parts.append(_block(item, f"{field}.content[{k}]", documents))
    result: dict[str, Any] = {"toolUseId": block["tool_use_id"], "content": parts}
    if block.get("is_error"):
        result["status"] = "error"
    return result


def _tool_config(body: dict[str, Any], messages: tuple[ChatMessage, ...]) -> dict[str, Any] | None:
    tools = body.get("tools") or []
    choice = body.get("tool_choice")
    kind = choice["type"] if choice else None
    used = tools_in_history(messages)
    if not tools:
        if kind in ("any", "tool"):
            raise InvalidRequestError(f"tool_choice {kind} requires tools", field="tool_choice")
        if not used:
            return None
        # Converse refuses toolUse/toolResult blocks without a toolConfig: declare the tools the history names.
        tools = [{"name": name, "input_schema": {"type": "object"}} for name in used]
    if kind == "none":
        if not used:
            return None
        kind = None  # the history holds tool blocks, so Converse needs the tools (it has no "none" choice)
    specs: list[dict[str, Any]] = []
    for tool in tools:
        spec: dict[str, Any] = {"name": tool["name"], "inputSchema": {"json": tool["input_schema"]}}
        if tool.get("description"):
            spec["description"] = tool["description"]
        if "strict" in tool:
            spec["strict"] = tool["strict"]
        specs.append({"toolSpec": spec})
        if tool.get("cache_control"):
            specs.append(_cache_point(tool["cache_control"]))
    config: dict[str, Any] = {"tools": specs}
    if kind in ("auto", "any", "tool"):
        name = choice.get("name") if choice else None
        config["toolChoice"] = tool_choice(kind, name, {tool["name"] for tool in tools}, "tool_choice.name")
    return config


def _model_fields(body: dict[str, Any], model: str, max_tokens: int) -> dict[str, Any]:
    """``top_k`` and ``thinking`` in the model family's ``additionalModelRequestFields`` shape."""
    provider = parse_model_id(model).provider
    fields: dict[str, Any] = {}
    top_k = body.get("top_k")
    if top_k is not None:
        if provider == "anthropic":
            fields["top_k"] = top_k
        elif provider == "amazon" and "nova" in model:
            fields["inferenceConfig"] = {"topK": top_k}
        else:
            raise InvalidRequestError(f"top_k is not supported for model {model!r}", field="top_k")
    thinking = body.get("thinking")
    if thinking is not None and thinking["type"] != "disabled":
        ask = ReasoningAsk(
            "thinking",
            thinking=thinking,
            budget_tokens=thinking.get("budget_tokens"),
            budget_field="thinking.budget_tokens",
        )
        fields.update(reasoning_fields(ask, model, max_tokens))
    return fields
