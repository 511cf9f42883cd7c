"""Check a JSON value against an official SDK's own pydantic type: it validates, and no field is unknown.

The ``anthropic`` and ``openai`` SDK models allow extra fields (they keep them in ``model_extra``), so validating
alone would accept a misspelt field. :func:`strict_parse` validates ``data`` with ``model`` (missing required
fields and wrong types fail) and then walks the parsed value: every nested SDK model must have an empty
``model_extra``. :func:`sdk_sse_events` does that for each event of an ``event:``/``data:`` stream.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Container
from typing import Any

import pydantic


def strict_parse(model: Any, data: Any) -> Any:
    """``data`` parsed as ``model`` (a class or a type alias such as a discriminated union); raise on unknown fields."""
    value = _adapter(model).validate_python(data)
    unknown = list(_unknown_fields(value, "$"))
    if unknown:
        raise AssertionError(f"fields unknown to {model}: {unknown} in {data!r}")
    return value


def sse_frames(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The ``(event name, decoded data)`` of each ``event: NAME`` / ``data: JSON`` frame of a server-sent stream."""
    frames = []
    for frame in text.split("\n\n"):
        if frame:
            name, data = frame.split("\n")
            frames.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return frames


def sdk_sse_events(text: str, model: Any, *, unparsed: Container[str] = ()) -> list[dict[str, Any]]:
    """The events of a server-sent stream: each frame's name is its data's ``type`` and the data parses with
    :func:`strict_parse` as ``model`` (but for the types in ``unparsed``)."""
    events = []
    for name, event in sse_frames(text):
        assert name == event["type"]
        if event["type"] not in unparsed:
            strict_parse(model, event)
        events.append(event)
    return events


@functools.cache
def _adapter(model: Any) -> pydantic.TypeAdapter[Any]:
    """One adapter per type: building one for a large union (the Responses stream events) takes a while."""
    return pydantic.TypeAdapter(model)


def _unknown_fields(value: Any, path: str) -> Any:
    if isinstance(value, pydantic.BaseModel):
        for name in value.model_extra or {}:
            yield f"{path}.{name}"
        for name in type(value).model_fields:
            yield from _unknown_fields(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _unknown_fields(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknown_fields(item, f"{path}.{key}")
