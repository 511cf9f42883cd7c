"""The native request body (``POST /`` and direct invokes) -> :class:`ChatRequest`.

Schema: ``schemas/native-request.json`` (published in the README's API section). Tools follow Converse's
``toolConfig`` (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolConfiguration.html):
``tools`` -> ``toolSpec {name, description, inputSchema.json}``, ``tool_choice`` ``auto`` / ``any`` / ``{name}`` ->
``toolChoice``; ``tool_use`` -> ``toolUse``, ``tool_result`` -> ``toolResult`` (``is_error`` -> ``status: error``).
Converse refuses tool blocks without a ``toolConfig``, so they need ``tools``. ``cache_point`` blocks (system,
message content, tools) -> ``cachePoint: {type: default}`` where Converse allows them
(https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html). ``reasoning``
(``budget_tokens`` and/or ``effort``) goes to ``additionalModelRequestFields`` in the model family's shape, by the
rule every surface shares (:mod:`bedrock_stream.openai_reasoning`); other models refuse it (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bedrock_stream.chat import ChatMessage, ChatRequest, SystemBlock
from bedrock_stream.converse_tools import tool_choice
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.openai_reasoning import ReasoningAsk, reasoning_fields
from bedrock_stream.plan import Converse, SurfaceRequest
from bedrock_stream.schemas import validate_native_request
from bedrock_stream.settings import Settings
from bedrock_stream.validation import check_max_tokens, check_model, merge_turns, validate_body

__all__ = ["NativeRequest", "native_plan", "parse_native_request"]


@dataclass(frozen=True, slots=True)
class NativeRequest:
    """A parsed native request: the Bedrock request and whether the caller wants a stream."""

    chat: ChatRequest
    stream: bool


def native_plan(call: SurfaceRequest) -> Converse:
    """The surface parser of ``POST /`` and direct invokes."""
    native = parse_native_request(call.json(), call.settings)
    return Converse(chat=native.chat, stream=native.stream)


def parse_native_request(data: Any, settings: Settings) -> NativeRequest:
    """Validate ``data`` (decoded JSON) and build the Bedrock request; raise 400/403 errors."""
    body = validate_body(validate_native_request, data)
    has_prompt, has_messages = "prompt" in body, "messages" in body
    if has_prompt == has_messages:
        raise InvalidRequestError("send exactly one of 'prompt' or 'messages'", field="prompt")
    if has_prompt:
        messages: tuple[ChatMessage, ...] = (ChatMessage("user", ({"text": body["prompt"]},)),)
    else:
        messages = merge_turns([_message(m, i) for i, m in enumerate(body["messages"])])
        if messages[-1].role != "user":
            raise InvalidRequestError("the last message must have role 'user'", field="messages")
    system = body.get("system", ())
    stop = body.get("stop", ())
    tool_config = _tool_config(body, messages)
    model = check_model(body.get("model"), settings)
    max_tokens = check_max_tokens(body.get("max_tokens"), settings)
    return NativeRequest(
        chat=ChatRequest(
            model=model,
            messages=messages,
            system=(system,) if isinstance(system, str) else tuple(_system_block(b) for b in system),
            max_tokens=max_tokens,
            temperature=body.get("temperature"),
            top_p=body.get("top_p"),
            stop=(stop,) if isinstance(stop, str) else tuple(stop),
            tool_config=tool_config,
            additional_model_request_fields=_reasoning(body.get("reasoning") or {}, model, max_tokens),
        ),
        stream=bool(body.get("stream", True)),
    )


_CACHE_POINT: dict[str, Any] = {"cachePoint": {"type": "default"}}
_ROLE_OF_BLOCK = {"tool_use": "assistant", "tool_result": "user"}


def _system_block(block: str | dict[str, Any]) -> SystemBlock:
    if isinstance(block, str):
        return block
    return dict(_CACHE_POINT) if block.get("type") == "cache_point" else str(block["text"])


def _message(raw: dict[str, Any], i: int) -> ChatMessage:
    content = raw["content"]
    if isinstance(content, str):
        return ChatMessage(raw["role"], ({"text": content},))
    blocks = []
    for j, block in enumerate(content):
        kind = block.get("type", "text")
        wanted = _ROLE_OF_BLOCK.get(kind)
        if wanted is not None and raw["role"] != wanted:
            raise InvalidRequestError(
                f"a {kind} block belongs in a {wanted} message", field=f"messages[{i}].content[{j}]"
            )
        blocks.append(_block(kind, block))
    return ChatMessage(raw["role"], tuple(blocks))


def _block(kind: str, block: dict[str, Any]) -> dict[str, Any]:
    if kind == "tool_use":
        return {"toolUse": {"toolUseId": block["id"], "name": block["name"], "input": block["input"]}}
    if kind == "tool_result":
        content = block["content"]
        texts = [content] if isinstance(content, str) else [part["text"] for part in content]
        result: dict[str, Any] = {"toolUseId": block["tool_use_id"], "content": [{"text": t} for t in texts]}
        if block.get("is_error"):
            result["status"] = "error"
        return {"toolResult": result}
    if kind == "cache_point":
        return dict(_CACHE_POINT)
    return {"text": block["text"]}


def _tool_config(body: dict[str, Any], messages: tuple[ChatMessage, ...]) -> dict[str, Any] | None:
    tools = body.get("tools")
    choice = body.get("tool_choice")
    if not tools:
        if choice is not None:
            raise InvalidRequestError("tool_choice requires tools", field="tool_choice")
        if any("toolUse" in b or "toolResult" in b for m in messages for b in m.content):
            raise InvalidRequestError("tool_use and tool_result blocks require tools", field="tools")
        return None
    specs: list[dict[str, Any]] = []
    names: set[str] = set()
    for tool in tools:
        if tool.get("type") == "cache_point":
            specs.append(dict(_CACHE_POINT))
            continue
        if tool["name"] in names:
            raise InvalidRequestError(f"tool {tool['name']!r} is declared twice", field="tools")
        names.add(tool["name"])
        spec: dict[str, Any] = {"name": tool["name"], "inputSchema": {"json": tool["input_schema"]}}
        if tool.get("description"):
            spec["description"] = tool["description"]
        specs.append({"toolSpec": spec})
    if not names:
        raise InvalidRequestError("tools needs at least one tool besides cache points", field="tools")
    config: dict[str, Any] = {"tools": specs}
    if choice in ("auto", "any"):
        config["toolChoice"] = tool_choice(choice)
    elif isinstance(choice, dict):
        config["toolChoice"] = tool_choice("tool", choice["name"], names, "tool_choice.name")
    return config


def _reasoning(reasoning: dict[str, Any], model: str, max_tokens: int) -> dict[str, Any] | None:
    """``reasoning`` in the model family's ``additionalModelRequestFields`` shape (None when not asked)."""
    ask = ReasoningAsk(
        "reasoning",
        effort=reasoning.get("effort"),
        effort_field="reasoning.effort",
        budget_tokens=reasoning.get("budget_tokens"),
        budget_field="reasoning.budget_tokens",
    )
    return reasoning_fields(ask, model, max_tokens) or None
