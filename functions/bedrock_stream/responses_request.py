"""An OpenAI Responses request body (``POST /v1/responses``, stateless) -> :class:`ChatRequest` for ConverseStream.

Follows the OpenAI API reference, "Responses: create a response" (https://platform.openai.com/docs/api-reference/responses/create;
field names as in the ``openai`` SDK's ``openai.types.responses.ResponseCreateParams``, ``EasyInputMessageParam``,
``ResponseFunctionToolCallParam``, ``ResponseInputItemParam.FunctionCallOutput``, ``FunctionToolParam``) and the
Bedrock Converse API reference (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html:
``Message``, ``ContentBlock``, ``ToolConfiguration``, ``OutputConfig``). The structure is checked by
``schemas/openai-responses-request.json``; this module maps it and checks what a schema cannot:

- ``input`` as a string is one user message; as items: ``message`` (``user`` / ``assistant``; ``system`` and
  ``developer`` join ``instructions`` in the Converse ``system`` prompt), ``function_call`` -> ``toolUse``,
  ``function_call_output`` -> ``toolResult``, ``reasoning`` -> ``reasoningContent`` when it carries the text and
  the signature this endpoint put in ``encrypted_content`` (else it is dropped: Bedrock could not verify it).
  ``input_image`` / ``input_file`` need base64 ``data:`` URLs (Bedrock needs the bytes); ``item_reference`` and
  ``file_id`` need stored state and are refused.
- Nothing is stored on Lambda: ``store: true``, ``previous_response_id``, ``background: true`` are a 400.
- ``tools`` (function tools) -> ``toolSpec``; ``tool_choice`` ``auto`` / ``required`` / a function ->
  ``toolChoice`` ``auto`` / ``any`` / ``tool``; ``none`` sends no tools, except when the conversation holds tool
  blocks, which Converse refuses without a ``toolConfig``.
- ``max_output_tokens`` -> ``maxTokens`` (the deployment's cap applies; with ``reasoning.effort`` and no
  ``max_output_tokens``, the cap, as reasoning shares that limit); ``temperature`` and ``top_p`` pass on. Blank
  assistant text (models produce it; clients send it back) is dropped.
- ``text.format`` ``json_schema`` -> ``outputConfig.textFormat`` (Converse structured output); ``json_object``
  has no Converse equivalent (400).
- ``reasoning.effort`` -> ``additionalModelRequestFields`` in the model family's shape, by the rule every surface
  shares (:mod:`bedrock_stream.openai_reasoning`: Claude ``thinking``, Nova 2 ``reasoningConfig``, gpt-oss
  ``reasoning_effort``); other models -> 400.

The answer repeats the request's settings (``tools``, ``instructions``, ``tool_choice``...): :attr:`echo` holds
them as the Response object's fields.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.converse_tools import tool_choice, tools_in_history
from bedrock_stream.encoders.openai_responses_items import REDACTED_PREFIX
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.json_body import load_json_text
from bedrock_stream.openai_reasoning import ReasoningAsk, reasoning_fields
from bedrock_stream.plan import Converse, SurfaceRequest
from bedrock_stream.schemas import validate_openai_responses_request
from bedrock_stream.settings import Settings
from bedrock_stream.validation import check_max_tokens, check_model, merge_turns, validate_body

__all__ = ["OpenAIResponsesRequest", "parse_responses_request", "responses_plan"]

_IMAGE_FORMATS = {"image/jpeg": "jpeg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True, slots=True)
class OpenAIResponsesRequest:
    """A parsed Responses request: the Converse request, whether to stream, and the settings the answer repeats."""

    chat: ChatRequest
    stream: bool
    echo: dict[str, Any]


def responses_plan(call: SurfaceRequest) -> Converse:
    """The surface parser of ``POST /v1/responses``."""
    parsed = parse_responses_request(call.json(), call.settings)
    return Converse(chat=parsed.chat, stream=parsed.stream, echo=parsed.echo)


def parse_responses_request(data: Any, settings: Settings) -> OpenAIResponsesRequest:
    """Validate ``data`` and map it onto Converse; raise 400/403 errors naming the field."""
    body = validate_body(validate_openai_responses_request, data)
    _refuse_state(body)
    model = check_model(body.get("model"), settings)
    reasoning = body.get("reasoning") or {}
    limit = body.get("max_output_tokens")
    if limit is None and reasoning.get("effort") not in (None, "none"):
        limit = settings.max_tokens_cap  # reasoning shares the output limit: without one, give it the most room
    max_tokens = check_max_tokens(limit, settings, field="max_output_tokens")
    system: list[str] = []
    if body.get("instructions"):
        system.append(body["instructions"])
    raw_input = body["input"]
    if isinstance(raw_input, str):
        if not raw_input.strip():
            raise InvalidRequestError("input must not be blank", field="input")
        turns = [ChatMessage("user", ({"text": raw_input},))]
    else:
        turns = _items(raw_input, system)
    messages = merge_turns(turns)
    if not messages or messages[0].role != "user":
        raise InvalidRequestError("the conversation must start with a user message", field="input")
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        _require(tool, f"tools[{i}]", "name")
    choice = body.get("tool_choice")
    text = body.get("text") or {}
    chat = ChatRequest(
        model=model,
        messages=messages,
        system=tuple(system),
        max_tokens=max_tokens,
        temperature=body.get("temperature"),
        top_p=body.get("top_p"),
        tool_config=_tool_config(tools, choice, messages),
        additional_model_request_fields=reasoning_fields(
            ReasoningAsk(
                "reasoning.effort",
                effort=reasoning.get("effort"),
                effort_field="reasoning.effort",
                limit_field="max_output_tokens",
            ),
            model,
            max_tokens,
        )
        or None,
        output_config=_output_config(text.get("format")),
    )
    echo = {
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "metadata": body.get("metadata") or {},
        "parallel_tool_calls": body.get("parallel_tool_calls", True) is not False,
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "temperature": body.get("temperature"),
        "text": {"format": text.get("format") or {"type": "text"}, "verbosity": text.get("verbosity") or "medium"},
        "tool_choice": choice if choice is not None else "auto",
        "tools": [_echo_tool(tool) for tool in tools],
        "top_p": body.get("top_p"),
        "truncation": body.get("truncation") or "disabled",
    }
    return OpenAIResponsesRequest(chat=chat, stream=bool(body.get("stream")), echo=echo)


def _refuse_state(body: dict[str, Any]) -> None:
    """Lambda keeps nothing between requests: refuse what would need stored responses."""
    if body.get("store") is True:
        raise InvalidRequestError(
            "store: true is not supported: this endpoint keeps no state (send store: false, or omit it)", field="store"
        )
    if body.get("previous_response_id") is not None:
        raise InvalidRequestError(
            "previous_response_id is not supported: this endpoint keeps no state; send the whole conversation in "
            "input (the previous output items, then the new ones)",
            field="previous_response_id",
        )
    if body.get("background") is True:
        raise InvalidRequestError(
            "background: true is not supported: this endpoint keeps no state to poll; stream instead",
            field="background",
        )


def _items(items: list[dict[str, Any]], system: list[str]) -> list[ChatMessage]:
    turns: list[ChatMessage] = []
    for i, item in enumerate(items):
        field = f"input[{i}]"
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "message":
            _require(item, field, "role", "content")
            role, content = item["role"], item["content"]
            if role in ("system", "developer"):
                text = _plain_text(content, f"{field}.content")
                if text.strip():
                    system.append(text)
            else:
                blocks = _content(content, f"{field}.content", role)
                if blocks:  # an assistant message may be empty (a model's empty text); Converse needs none
                    turns.append(ChatMessage(role, blocks))
        elif kind == "function_call":
            _require(item, field, "call_id", "name", "arguments")
            where = f"{field}.arguments"
            arguments = load_json_text(item["arguments"] or "{}", what=where, field=where)
            if not isinstance(arguments, dict):  # Converse's toolUse.input must be an object
                raise InvalidRequestError("arguments must be a JSON object string", field=where)
            use = {"toolUseId": item["call_id"], "name": item["name"], "input": arguments}
            turns.append(ChatMessage("assistant", ({"toolUse": use},)))
        elif kind == "function_call_output":
            _require(item, field, "call_id", "output")
            output = item["output"]
            parts = [{"text": output}] if isinstance(output, str) else list(_content(output, f"{field}.output", "user"))
            result = {"toolUseId": item["call_id"], "content": [p for p in parts if p.get("text") != ""]}
            turns.append(ChatMessage("user", ({"toolResult": result},)))
        elif kind == "reasoning":
            block = _reasoning_block(item, field)
            if block is not None:
                turns.append(ChatMessage("assistant", (block,)))
        elif kind == "item_reference":
            raise InvalidRequestError(
                "item_reference needs stored items: this endpoint keeps no state; send the item itself",
                field=f"{field}.type",
            )
        else:
            raise InvalidRequestError("an input item needs a type (or a role for a message)", field=f"{field}.type")
    return turns


def _require(item: dict[str, Any], field: str, *names: str) -> None:
    for name in names:
        if item.get(name) is None:
            raise InvalidRequestError(
                f"{field}.{name} is required for a {item.get('type', 'message')} item", field=f"{field}.{name}"
            )


def _plain_text(content: str | list[dict[str, Any]], field: str) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for j, part in enumerate(content):
        if part["type"] not in ("input_text", "output_text") or "text" not in part:
            raise InvalidRequestError("system and developer messages hold text only", field=f"{field}[{j}]")
        texts.append(part["text"])
    return "\n".join(texts)


def _content(content: str | list[dict[str, Any]], field: str, role: str) -> tuple[dict[str, Any], ...]:
    """Converse content blocks of a message. Blank user text is refused (Converse refuses it too); blank assistant
    text, which models do produce and clients send back, is dropped."""
    if isinstance(content, str):
        if not content.strip() and role == "assistant":
            return ()
        if not content.strip():
            raise InvalidRequestError("content must not be blank", field=field)
        return ({"text": content},)
    if not content:
        raise InvalidRequestError("content must hold at least one part", field=field)
    blocks: list[dict[str, Any]] = []
    for j, part in enumerate(content):
        where, kind = f"{field}[{j}]", part["type"]
        allowed = ("input_text", "input_image", "input_file") if role == "user" else ("output_text", "refusal")
        if kind not in allowed:
            raise InvalidRequestError(f"{kind} parts do not belong in a {role} message", field=f"{where}.type")
        if kind == "input_image":
            blocks.append({"image": _image(part, where)})
            continue
        if kind == "input_file":
            blocks.append({"document": _file(part, where, len(blocks))})
            continue
        text = part.get("refusal") if kind == "refusal" else part.get("text")
        if role == "assistant" and isinstance(text, str) and not text.strip():
            continue
        if not isinstance(text, str) or not text.strip():
            raise InvalidRequestError(f"a {kind} part needs non-blank text", field=where)
        blocks.append({"text": text})
    return tuple(blocks)


def _data_url(url: Any, field: str, what: str) -> tuple[str, bytes]:
    if not isinstance(url, str) or not url.startswith("data:") or ";base64," not in url:
        raise InvalidRequestError(
            f"{what} must be a base64 data: URL (Bedrock needs the bytes; URLs and file ids are not fetched)",
            field=field,
        )
    media_type, _, data = url[5:].partition(";base64,")
    try:
        return media_type, base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequestError(f"{what} is not valid base64", field=field) from None


def _image(part: dict[str, Any], field: str) -> dict[str, Any]:
    media_type, data = _data_url(part.get("image_url"), f"{field}.image_url", "image_url")
    if media_type not in _IMAGE_FORMATS:
        raise InvalidRequestError(
            f"image type {media_type!r} is not supported; use {', '.join(_IMAGE_FORMATS)}", field=f"{field}.image_url"
        )
    return {"format": _IMAGE_FORMATS[media_type], "source": {"bytes": data}}


def _file(part: dict[str, Any], field: str, position: int) -> dict[str, Any]:
    media_type, data = _data_url(part.get("file_data"), f"{field}.file_data", "file_data")
    if media_type != "application/pdf":
        raise InvalidRequestError("file_data must be a PDF (application/pdf)", field=f"{field}.file_data")
    name = "".join(c if c.isalnum() or c in "-()[] " else " " for c in part.get("filename") or "").split()
    return {"format": "pdf", "name": " ".join(name)[:200] or f"document-{position + 1}", "source": {"bytes": data}}


def _reasoning_block(item: dict[str, Any], field: str) -> dict[str, Any] | None:
    """The Converse reasoning block of a reasoning item this endpoint produced; None when it cannot be replayed."""
    sealed = item.get("encrypted_content")
    if not sealed:
        return None
    if sealed.startswith(REDACTED_PREFIX):
        try:
            redacted = base64.b64decode(sealed.removeprefix(REDACTED_PREFIX), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequestError("encrypted_content is not valid", field=f"{field}.encrypted_content") from None
        return {"reasoningContent": {"redactedContent": redacted}}
    text = "".join(part.get("text", "") for part in item.get("content") or ())
    if not text:
        return None
    return {"reasoningContent": {"reasoningText": {"text": text, "signature": sealed}}}


def _tool_config(
    tools: list[dict[str, Any]], choice: str | dict[str, Any] | None, messages: tuple[ChatMessage, ...]
) -> dict[str, Any] | None:
    used = tools_in_history(messages)
    if not tools:
        if choice == "required" or isinstance(choice, dict):
            raise InvalidRequestError("tool_choice requires tools", field="tool_choice")
        if not used:
            return None
        tools = [{"name": name} for name in used]  # Converse refuses tool blocks without a toolConfig
    if choice == "none":
        if not used:
            return None
        choice = None  # the history holds tool blocks, so Converse needs the tools (it has no "none")
    specs = []
    for tool in tools:
        spec: dict[str, Any] = {
            "name": tool["name"],
            "inputSchema": {"json": tool.get("parameters") or {"type": "object", "properties": {}}},
        }
        if tool.get("description"):
            spec["description"] = tool["description"]
        specs.append({"toolSpec": spec})
    config: dict[str, Any] = {"tools": specs}
    if choice == "auto":
        config["toolChoice"] = tool_choice("auto")
    elif choice == "required":
        config["toolChoice"] = tool_choice("any")
    elif isinstance(choice, dict):
        config["toolChoice"] = tool_choice("tool", choice["name"], {tool["name"] for tool in tools}, "tool_choice.name")
    return config


def _echo_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """The function tool as the Response object lists it (``openai.types.responses.FunctionTool``)."""
    return {
        "type": "function",
        "name": tool["name"],
        "description": tool.get("description"),
        "parameters": tool.get("parameters"),
        "strict": tool.get("strict", True) is not False,
    }


def _output_config(fmt: dict[str, Any] | None) -> dict[str, Any] | None:
    if fmt is None or fmt["type"] == "text":
        return None
    if fmt["type"] == "json_object":
        raise InvalidRequestError(
            "text.format json_object has no Bedrock equivalent; send json_schema with a schema",
            field="text.format.type",
        )
    for name in ("name", "schema"):
        if name not in fmt:
            raise InvalidRequestError(f"text.format json_schema needs {name}", field=f"text.format.{name}")
    schema: dict[str, Any] = {"schema": json.dumps(fmt["schema"], separators=(",", ":")), "name": fmt["name"]}
    if fmt.get("description"):
        schema["description"] = fmt["description"]
    return {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": schema}}}
