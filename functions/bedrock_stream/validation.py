"""Schema validation and the checks shared by every route (model allowlist, token cap) -> typed 4xx errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bedrock_stream.chat import ChatMessage
from bedrock_stream.errors import InvalidRequestError, ModelNotAllowedError
from bedrock_stream.schemas import JsonSchemaValueException
from bedrock_stream.settings import Settings

__all__ = ["check_max_tokens", "check_model", "merge_turns", "validate_body"]


def validate_body(validator: Callable[[Any], Any], data: Any) -> dict[str, Any]:
    """Run a compiled JSON Schema validator; raise :class:`InvalidRequestError` naming the field path."""
    if not isinstance(data, dict):
        raise InvalidRequestError(f"the request body must be a JSON object, not {_json_type(data)}", field="$")
    try:
        validator(data)
    except JsonSchemaValueException as exc:
        path = exc.path
        message = exc.message.removeprefix("data.").removeprefix("data ")
        if exc.rule == "additionalProperties" and isinstance(exc.value, dict) and isinstance(exc.definition, dict):
            known = exc.definition.get("properties", {})
            unknown = sorted(str(k) for k in exc.value if k not in known)
            if unknown:
                path = f"{path}.{unknown[0]}" if path else unknown[0]
                message = f"unknown field {path!r} (not supported by this API)"
        elif exc.rule == "pattern" and isinstance(exc.definition, dict) and exc.definition.get("pattern") == r"\S":
            message = f"{path or 'body'} must not be blank (whitespace only)"
        elif not message.startswith(path or "\0"):
            message = f"{path or 'body'}: {message}"
        raise InvalidRequestError(message, field=path or "$") from None
    return data


def check_model(model: str | None, settings: Settings) -> str:
    """Return the model to use (default when ``None``); raise 403 naming the allowed ids otherwise."""
    chosen = settings.default_model if model is None else model
    if chosen not in settings.models:
        raise ModelNotAllowedError(
            f"model {chosen!r} is not allowed by this deployment; allowed: {', '.join(settings.models)}"
        )
    return chosen


def check_max_tokens(value: float | None, settings: Settings, *, field: str = "max_tokens") -> int:
    """Return ``value`` or the default; values above the cap are rejected (400), never silently clamped.

    JSON Schema's ``integer`` also admits integral floats such as ``100.0``; Bedrock needs an int.
    """
    if value is None:
        return settings.default_max_tokens
    if value > settings.max_tokens_cap:
        raise InvalidRequestError(
            f"{field}={value} exceeds this deployment's cap of {settings.max_tokens_cap}", field=field
        )
    return int(value)


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__


def merge_turns(messages: list[ChatMessage]) -> tuple[ChatMessage, ...]:
    """Join consecutive messages of the same role (Converse requires alternating user/assistant turns)."""
    merged: list[ChatMessage] = []
    for message in messages:
        if merged and merged[-1].role == message.role:
            merged[-1] = ChatMessage(message.role, merged[-1].content + message.content)
        else:
            merged.append(message)
    return tuple(merged)
