"""An OpenAI Chat Completions request body -> :class:`ChatRequest` (ConverseStream) plus OpenAI-only options.

Follows the OpenAI API reference for ``POST /v1/chat/completions`` (request body; field names as in the ``openai``
SDK's ``CompletionCreateParams``); the supported subset and the fields that are ignored or rejected are in
``schemas/openai-chat-request.json`` and the README table. Beyond text and tools:

- ``image_url`` and ``file`` parts -> Converse ``image`` / ``document`` blocks (:mod:`bedrock_stream.openai_content`);
- ``response_format`` ``json_schema`` -> Converse structured output, ``outputConfig.textFormat`` with the schema as a
  JSON string (https://docs.aws.amazon.com/bedrock/latest/userguide/structured-output.html); ``json_object`` -> a
  system instruction asking for one JSON object (Converse has no schema-less JSON mode);
- ``reasoning_effort`` -> the family's reasoning fields (:mod:`bedrock_stream.openai_reasoning`);
- ``service_tier`` -> ``serviceTier`` (https://docs.aws.amazon.com/bedrock/latest/userguide/service-tiers-inference.html):
  ``default``/``flex``/``priority`` as named, ``scale`` -> ``reserved``, ``fast`` -> ``priority``, ``auto`` -> none;
- what clients send by default and Bedrock has no use for (:data:`IGNORED_PARAMS`) is accepted, has no effect,
  and is named in the ``x-ignored-params`` response header.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bedrock_stream.chat import ChatMessage, ChatRequest, SystemBlock
from bedrock_stream.converse_tools import tool_choice
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.json_body import load_json_text
from bedrock_stream.openai_content import Attachments
from bedrock_stream.openai_reasoning import ReasoningAsk, reasoning_fields
from bedrock_stream.plan import Converse, SurfaceRequest
from bedrock_stream.schemas import validate_openai_chat_request
from bedrock_stream.settings import Settings
from bedrock_stream.validation import check_max_tokens, check_model, merge_turns, validate_body

__all__ = [
    "IGNORED_HEADER",
    "IGNORED_PARAMS",
    "JSON_OBJECT_INSTRUCTION",
    "OpenAIChatRequest",
    "openai_plan",
    "parse_openai_request",
]

IGNORED_PARAMS = (
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "top_logprobs",
    "seed",
    "user",
    "metadata",
    "store",
    "parallel_tool_calls",
    "prompt_cache_key",
    "prompt_cache_retention",
    "safety_identifier",
    "verbosity",
    "modalities",
)
"""Accepted and ignored: Converse has no equivalent (a value other than null is named in :data:`IGNORED_HEADER`)."""

IGNORED_HEADER = "x-ignored-params"

JSON_OBJECT_INSTRUCTION = "Answer with one valid JSON object and nothing else: no prose, no code fences."
"""The system text that ``response_format: {"type": "json_object"}`` adds."""

_SERVICE_TIERS = {"default": "default", "flex": "flex", "priority": "priority", "scale": "reserved", "fast": "priority"}


@dataclass(frozen=True, slots=True)
class OpenAIChatRequest:
    """A parsed Chat Completions request."""

    chat: ChatRequest
    stream: bool
    include_usage: bool
    ignored: tuple[str, ...] = field(default=())
    """The ignored parameters the body set (not null), in :data:`IGNORED_PARAMS` order."""


def openai_plan(call: SurfaceRequest) -> Converse:
    """The surface parser of ``POST /v1/chat/completions``."""
    openai = parse_openai_request(call.json(), call.settings)
    headers = {IGNORED_HEADER: ", ".join(openai.ignored)} if openai.ignored else {}
    return Converse(chat=openai.chat, stream=openai.stream, include_usage=openai.include_usage, headers=headers)


def parse_openai_request(data: Any, settings: Settings) -> OpenAIChatRequest:
    """Validate ``data`` and map it onto Converse; raise 400/403 errors with the field path."""
    body = validate_body(validate_openai_chat_request, data)
    if body.get("max_tokens") is not None and body.get("max_completion_tokens") is not None:
        raise InvalidRequestError("send max_tokens or max_completion_tokens, not both", field="max_tokens")
    limit_field = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    system: list[SystemBlock] = []
    turns: list[ChatMessage] = []
    attachments = Attachments()
    for i, raw in enumerate(body["messages"]):
        role = raw["role"]
        if role in ("system", "developer"):
            text = _text(raw.get("content"), role, f"messages[{i}].content")
            if text:
                system.append(text)
        elif role == "user":
            turns.append(ChatMessage("user", _user_blocks(raw.get("content"), f"messages[{i}].content", attachments)))
        elif role == "assistant":
            turns.append(_assistant(raw, i))
        else:  # tool
            if "tool_call_id" not in raw:
                raise InvalidRequestError("a tool message needs tool_call_id", field=f"messages[{i}].tool_call_id")
            text = _text(raw.get("content"), role, f"messages[{i}].content")
            result = {"toolUseId": raw["tool_call_id"], "content": [{"text": text}]}
            turns.append(ChatMessage("user", ({"toolResult": result},)))
    messages = merge_turns(turns)
    if not messages or messages[0].role != "user":
        raise InvalidRequestError("the conversation must start with a user message", field="messages")
    stop = body.get("stop") or ()
    stream_options = body.get("stream_options") or {}
    model = check_model(body.get("model"), settings)
    max_tokens = check_max_tokens(body.get(limit_field), settings, field=limit_field)
    output_config = _output_config(body.get("response_format"))
    if (body.get("response_format") or {}).get("type") == "json_object":
        system.append(JSON_OBJECT_INSTRUCTION)
    tier = body.get("service_tier")
    return OpenAIChatRequest(
        chat=ChatRequest(
            model=model,
            messages=messages,
            system=tuple(system),
            max_tokens=max_tokens,
            temperature=body.get("temperature"),
            top_p=body.get("top_p"),
            stop=(stop,) if isinstance(stop, str) else tuple(stop),
            tool_config=_tool_config(body),
            additional_model_request_fields=reasoning_fields(_reasoning(body, limit_field), model, max_tokens) or None,
            output_config=output_config,
            service_tier=_SERVICE_TIERS.get(tier) if isinstance(tier, str) else None,
        ),
        stream=bool(body.get("stream")),
        include_usage=bool(stream_options.get("include_usage")),
        ignored=tuple(name for name in IGNORED_PARAMS if body.get(name) is not None),
    )


def _reasoning(body: dict[str, Any], limit_field: str) -> ReasoningAsk:
    effort = body.get("reasoning_effort")
    return ReasoningAsk("reasoning_effort", effort=effort, effort_field="reasoning_effort", limit_field=limit_field)


def _text(content: Any, role: str, field: str) -> str:
    """The text of a message that holds text only (system, developer, assistant, tool)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    for j, part in enumerate(content):
        if part["type"] != "text":
            raise InvalidRequestError(
                f"{part['type']} parts belong in user messages, not {role} messages", field=f"{field}[{j}].type"
            )
    return "".join(part["text"] for part in content)


def _user_blocks(content: Any, field: str, attachments: Attachments) -> tuple[Mapping[str, Any], ...]:
    """A user message's content -> Converse blocks; 400 when it holds no non-blank text, image or file."""
    parts = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or ())
    blocks: list[Mapping[str, Any]] = []
    for j, part in enumerate(parts):
        where = field if isinstance(content, str) else f"{field}[{j}]"
        if part["type"] == "image_url":
            blocks.append(attachments.image(part, role="user", field=where))
        elif part["type"] == "file":
            blocks.append(attachments.document(part, role="user", field=where))
        elif part["text"].strip():  # Converse refuses blank text blocks: skip them, answer 400 if nothing is left
            blocks.append({"text": part["text"]})
    if not blocks:
        raise InvalidRequestError("a user message needs non-blank content", field=field)
    return tuple(blocks)


def _output_config(response_format: Any) -> dict[str, Any] | None:
    """``json_schema`` -> ``outputConfig.textFormat`` (Converse takes the schema as a JSON string)."""
    if not response_format or response_format["type"] != "json_schema":
        return None
    spec = response_format["json_schema"]
    if "schema" not in spec:
        raise InvalidRequestError("json_schema needs a schema", field="response_format.json_schema.schema")
    definition: dict[str, Any] = {"name": spec["name"], "schema": json.dumps(spec["schema"])}
    if spec.get("description"):
        definition["description"] = spec["description"]
    return {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": definition}}}


def _assistant(raw: dict[str, Any], i: int) -> ChatMessage:
    blocks: list[dict[str, Any]] = []
    text = _text(raw.get("content"), "assistant", f"messages[{i}].content")
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
        config["toolChoice"] = tool_choice("any")
    elif isinstance(choice, dict):
        declared = {tool["function"]["name"] for tool in tools}
        config["toolChoice"] = tool_choice("tool", choice["function"]["name"], declared, "tool_choice.function.name")
    elif choice == "auto":
        config["toolChoice"] = tool_choice("auto")
    return config
