"""Defensive accessors for JSON decoded from Bedrock: a wrong type reads as absent, never as a crash."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

__all__ = ["as_bytes", "get_int", "get_map", "get_str", "maps"]


def get_map(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``obj[key]`` if it is a JSON object, else an empty mapping."""
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}


def get_str(obj: Mapping[str, Any], key: str) -> str | None:
    """``obj[key]`` if it is a string, else None."""
    value = obj.get(key)
    return value if isinstance(value, str) else None


def get_int(obj: Mapping[str, Any], key: str) -> int | None:
    """``obj[key]`` if it is an integer (not a bool) or an integral float (``6.0`` -> 6), else None.

    Some families send counts as JSON floats (Titan's ``inputTextTokenCount: 6.0`` on a guardrail intervention).
    """
    value = obj.get(key)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def maps(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The JSON objects in the list ``obj[key]`` (other items and non-lists are skipped)."""
    value = obj.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def as_bytes(value: object) -> bytes:
    """A blob: bytes as they are (boto3 already decoded it), a string base64-decoded when valid, else UTF-8."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return value.encode("utf-8")
    return b""
