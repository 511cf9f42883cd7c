"""The native request body (``POST /`` and direct invokes) -> :class:`ChatRequest`.

Schema: ``schemas/native-request.json`` (published in the README's API section).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import InvalidRequestError
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
        messages = merge_turns([_message(m) for m in body["messages"]])
        if messages[-1].role != "user":
            raise InvalidRequestError("the last message must have role 'user'", field="messages")
    system = body.get("system", ())
    stop = body.get("stop", ())
    return NativeRequest(
        chat=ChatRequest(
            model=check_model(body.get("model"), settings),
            messages=messages,
            system=(system,) if isinstance(system, str) else tuple(system),
            max_tokens=check_max_tokens(body.get("max_tokens"), settings),
            temperature=body.get("temperature"),
            top_p=body.get("top_p"),
            stop=(stop,) if isinstance(stop, str) else tuple(stop),
        ),
        stream=bool(body.get("stream", True)),
    )


def _message(raw: dict[str, Any]) -> ChatMessage:
    content = raw["content"]
    if isinstance(content, str):
        return ChatMessage(raw["role"], ({"text": content},))
    return ChatMessage(raw["role"], tuple({"text": block["text"]} for block in content))
