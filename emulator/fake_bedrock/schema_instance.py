"""A minimal, deterministic JSON value valid for a JSON Schema: what the stub passes as a tool call's input.

Covers what tool schemas use (https://json-schema.org/understanding-json-schema/reference): ``type`` (one or a
list), ``const``, ``enum``, ``required`` properties (and ``minProperties``), nested objects and arrays
(``items``, ``prefixItems``, ``minItems``), string ``minLength`` / ``maxLength`` / common ``format`` values,
number bounds (``minimum``, ``maximum``, exclusive bounds, ``multipleOf``), ``anyOf`` / ``oneOf`` (first
branch), ``allOf`` (merged) and local ``$ref`` (``#/definitions/...``, ``#/$defs/...``). Optional properties are
left out. ``pattern`` is not solved: the stub's strings are plain words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["minimal_instance"]

_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "email": "stub@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "hostname": "example.com",
}
_TYPE_ORDER = ("object", "string", "integer", "number", "boolean", "array", "null")
_DEPTH_LIMIT = 32


def minimal_instance(schema: Any) -> Any:
    """A minimal instance of ``schema`` (a JSON Schema as decoded JSON); ``{}`` for an empty or unusable schema."""
    if not isinstance(schema, Mapping):
        return {}
    return _instance(schema, schema, 0)


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/"):
        if not part:
            continue
        if not isinstance(node, Mapping):
            return {}
        node = node.get(part.replace("~1", "/").replace("~0", "~"))
    return node if isinstance(node, Mapping) else {}


def _merged(schema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$ref`` and ``allOf`` folded in (required lists and properties united)."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k not in ("$ref", "allOf")}
    parts: list[Any] = []
    if isinstance(schema.get("$ref"), str):
        parts.append(_resolve(schema["$ref"], root))
    if isinstance(schema.get("allOf"), list):
        parts.extend(schema["allOf"])
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        part = _merged(part, root)
        for key, value in part.items():
            if key == "properties" and isinstance(value, Mapping):
                merged["properties"] = {**value, **merged.get("properties", {})}
            elif key == "required" and isinstance(value, list):
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            else:
                merged.setdefault(key, value)
    return merged


def _instance(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> Any:
    if depth > _DEPTH_LIMIT:
        return None
    schema = _merged(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches and isinstance(branches[0], Mapping):
            rest = {k: v for k, v in schema.items() if k != key}
            return _instance({**rest, **branches[0]}, root, depth + 1)
    kind = _kind(schema)
    if kind == "object":
        return _object(schema, root, depth)
    if kind == "array":
        return _array(schema, root, depth)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return False
    return None


def _kind(schema: Mapping[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list) and declared:
        return min((t for t in declared if t in _TYPE_ORDER), key=_TYPE_ORDER.index, default="null")
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "object"


def _object(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = [name for name in schema.get("required") or [] if isinstance(name, str)]
    wanted = schema.get("minProperties")
    if isinstance(wanted, int):
        required += [name for name in properties if name not in required][: max(0, wanted - len(required))]
    result: dict[str, Any] = {}
    for name in required:
        sub = properties.get(name)
        if not isinstance(sub, Mapping):
            extra = schema.get("additionalProperties")
            sub = extra if isinstance(extra, Mapping) else {"type": "string"}
        result[name] = _instance(sub, root, depth + 1)
    return result


def _array(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> list[Any]:
    prefix = schema.get("prefixItems")
    items = schema.get("items")
    if isinstance(items, list):  # draft 4-7 tuple form
        prefix, items = items, schema.get("additionalItems")
    prefix = [p for p in prefix if isinstance(p, Mapping)] if isinstance(prefix, list) else []
    wanted = schema.get("minItems")
    count = wanted if isinstance(wanted, int) else 0
    result = [_instance(p, root, depth + 1) for p in prefix]
    item_schema = items if isinstance(items, Mapping) else {}
    while len(result) < count:
        result.append(_instance(item_schema, root, depth + 1))
    return result


def _string(schema: Mapping[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format")), "stub")
    low = schema.get("minLength")
    high = schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text = (text * (low // len(text) + 1))[:low]
    if isinstance(high, int) and len(text) > high:
        text = text[: max(high, 0)]
    return text


def _number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    low, high = _num(schema.get("minimum")), _num(schema.get("maximum"))
    ex_low, ex_high = _num(schema.get("exclusiveMinimum")), _num(schema.get("exclusiveMaximum"))
    step = 1 if integer else 0.5
    value: float = 0
    if low is not None and value < low:
        value = low
    if ex_low is not None and value <= ex_low:
        value = ex_low + step
    elif schema.get("exclusiveMinimum") is True and low is not None and value <= low:  # draft 4 boolean form
        value = low + step
    if high is not None and value > high:
        value = high
    if ex_high is not None and value >= ex_high:
        value = ex_high - step
    multiple = _num(schema.get("multipleOf"))
    if multiple is not None and multiple > 0:
        up = math.ceil(value / multiple) * multiple
        too_high = (high is not None and up > high) or (ex_high is not None and up >= ex_high)
        value = math.floor(value / multiple) * multiple if too_high else up
    if integer:
        return math.ceil(value)
    return int(value) if float(value).is_integer() else value


def _num(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None
