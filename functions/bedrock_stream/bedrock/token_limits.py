"""The deployment's output-token cap on ``/model/{id}/invoke`` bodies, per model family.

The native body names its limit in the family's own field (registry :attr:`~registry.FamilySpec.limit_fields`:
Anthropic ``max_tokens``, Nova ``inferenceConfig.maxTokens``, Titan ``textGenerationConfig.maxTokenCount``, Llama
``max_gen_len``, ...; see the model-parameters pages cited in ``registry.py``). Like ``max_tokens`` on the chat
routes, a value above ``maxTokensCap`` is refused with 400 naming the field and the cap, never clamped. A body
without a limit gets the deployment's default in the family's first field, except where the model itself requires
the field (Anthropic), so Bedrock refuses the body as it would anyway. For opaque model ARNs the family is not
known before the stream starts: every known limit field present in the body is checked, and none is added.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bedrock_stream.bedrock.registry import FAMILIES, resolve_family, spec_for
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.settings import Settings

__all__ = ["capped_invoke_body", "limit_values"]

_ALL_FIELDS = tuple(dict.fromkeys(path for spec in FAMILIES for path in spec.limit_fields))


def capped_invoke_body(model_id: str, document: Mapping[str, Any], body: bytes, settings: Settings) -> bytes:
    """``body`` (whose decoded JSON object is ``document``) with the token cap enforced and the default applied.

    Raises :class:`InvalidRequestError` (400) naming the first limit field above the cap, and
    ``UnsupportedModelError`` (400) for a readable model id without a decoder. Returns ``body`` itself unless the
    default was added.
    """
    family = resolve_family(model_id)
    spec = None if family is None else spec_for(family)
    fields = _ALL_FIELDS if spec is None else spec.limit_fields
    present = False
    for path in fields:
        value = _lookup(document, path)
        if value is None:
            continue
        present = True
        if isinstance(value, int | float) and not isinstance(value, bool) and value > settings.max_tokens_cap:
            raise InvalidRequestError(
                f"{path}={value} exceeds this deployment's cap of {settings.max_tokens_cap}", field=path
            )
    if present or spec is None or spec.limit_required:
        return body
    updated = _with_value(document, spec.limit_fields[0], settings.default_max_tokens)
    return body if updated is None else json.dumps(updated, ensure_ascii=False, separators=(",", ":")).encode()


def _lookup(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _with_value(document: Mapping[str, Any], path: str, value: int) -> dict[str, Any] | None:
    """A copy of ``document`` with ``value`` at the dotted ``path`` (missing objects created); None when a parent
    on the path is not an object (the body is Bedrock's to refuse)."""
    head, _, rest = path.partition(".")
    copy = dict(document)
    if not rest:
        copy[head] = value
        return copy
    child = copy.get(head, {})
    if not isinstance(child, Mapping):
        return None
    nested = _with_value(child, rest, value)
    if nested is None:
        return None
    copy[head] = nested
    return copy


def limit_values(model_id: str, document: Mapping[str, Any]) -> list[tuple[str, int | float]]:
    """The output-token limits ``document`` (a native body for ``model_id``) asks for: ``(field path, value)`` for
    each of the family's limit fields present with a number (every known field for an unknown family)."""
    family = resolve_family(model_id)
    spec = None if family is None else spec_for(family)
    fields = _ALL_FIELDS if spec is None else spec.limit_fields
    values: list[tuple[str, int | float]] = []
    for path in fields:
        value = _lookup(document, path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            values.append((path, value))
    return values
