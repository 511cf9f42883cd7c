"""JSON request bodies -> Python values, refusing what would break later (400 ``invalid_request``, never a 500).

Beyond RFC 8259 syntax (no ``NaN``/``Infinity``), a body is refused, with ``field`` naming the first culprit,
when objects and arrays nest more than :data:`MAX_NESTING` levels deep (recursive code downstream, botocore's
serializer included, would run out of stack), when a string or member name holds an unpaired UTF-16 surrogate
(``"\\ud800"`` is valid JSON syntax but no Unicode text: it cannot be encoded as UTF-8 on the way to Bedrock;
RFC 8259 §8.2), or when a number overflows to infinity (``1e999``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from bedrock_stream.errors import InvalidRequestError

__all__ = ["MAX_NESTING", "check_json_value", "decode_json_body", "load_json_text"]

MAX_NESTING = 64
"""How deep objects and arrays may nest in a request body (the body itself is level 1)."""


def decode_json_body(body: bytes) -> Any:
    """Parse a JSON request body: 400 for empty, non-UTF-8 or malformed bodies, with the position of the fault."""
    if not body.strip():
        raise InvalidRequestError("the request body is empty; send a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequestError(f"the request body is not valid UTF-8 (byte {exc.start})") from None
    return load_json_text(text, what="the request body")


def load_json_text(text: str, *, what: str, field: str | None = None) -> Any:
    """Parse JSON text found in a request (``what`` names it in messages) and :func:`check_json_value` it."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidRequestError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", field=field
        ) from None
    except ValueError as exc:  # an integer literal longer than sys.get_int_max_str_digits() allows
        raise InvalidRequestError(f"{what} holds a number that cannot be parsed: {exc}", field=field) from None
    except RecursionError:
        raise InvalidRequestError(f"{what} nests deeper than {MAX_NESTING} levels", field=field) from None
    check_json_value(value, what=what, field=field)
    return value


def check_json_value(value: Any, *, what: str = "the request body", field: str | None = None) -> None:
    """Raise :class:`InvalidRequestError` for the faults in the module docstring, in document order.

    Iterative, so it works on any depth. The error names ``field`` when given (JSON text inside a string field),
    else the JSON path of the culprit.
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, what=what, field=field or where or "$")
            continue
        if isinstance(item, float) and not math.isfinite(item):
            raise InvalidRequestError(
                f"{what} holds a number too large for a double at {where or '$'}", field=field or where or "$"
            )
        if isinstance(item, dict):
            children: list[tuple[Any, str]] = []
            for key, child in item.items():
                key_path = f"{where}.{_printable(str(key))}" if where else _printable(str(key))
                _check_text(str(key), what=what, field=field or key_path, name=True)
                children.append((child, key_path))
        elif isinstance(item, list):
            children = [(v, f"{where}[{i}]") for i, v in enumerate(item)]
        else:
            continue
        if depth >= MAX_NESTING:
            raise InvalidRequestError(
                f"{what} nests objects and arrays deeper than {MAX_NESTING} levels (at {where or '$'})",
                field=field or where or "$",
            )
        stack.extend((child, child_path, depth + 1) for child, child_path in reversed(children))


def _check_text(text: str, *, what: str, field: str, name: bool = False) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        kind = "member name" if name else "string"
        raise InvalidRequestError(
            f"{what}: the {kind} at {field} holds an unpaired UTF-16 surrogate (\\u{ord(text[exc.start]):04x} at "
            f"character {exc.start}); send valid Unicode text",
            field=field,
        ) from None


def _printable(key: str) -> str:
    """A member name fit for an error message (unpaired surrogates escaped)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN, Infinity and -Infinity; RFC 8259 JSON does not, and NaN passes every range check.
    raise InvalidRequestError(f"the request body is not valid JSON: {name} is not a JSON number")
