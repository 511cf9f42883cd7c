"""The model lists: ``GET /models`` (default model and allowlist) and ``GET /v1/models`` (the allowlist in OpenAI's
or Anthropic's list shape).

- OpenAI (API reference, "Models: list", https://platform.openai.com/docs/api-reference/models/list):
  ``{"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}``.
- Anthropic, chosen when the request carries ``anthropic-version`` (API reference, "List Models",
  https://docs.anthropic.com/en/api/models-list; the SDK's ``ModelInfo`` and ``SyncPage``):
  ``{"data": [{"id", "type": "model", "display_name", "created_at", "lifecycle"}], "has_more", "first_id",
  "last_id"}``, paged with ``limit`` (default 20, 1 to 1000), ``after_id`` and ``before_id``.

Release dates are not known for arbitrary Bedrock ids, so ``created`` is 0 and ``created_at`` the epoch (the
Anthropic reference allows an epoch value when the date is unknown). ``owned_by`` is the id's provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bedrock_stream.bedrock.registry import parse_model_id
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.plan import Document, SurfaceRequest

__all__ = [
    "ANTHROPIC_VERSION_HEADER",
    "anthropic_model_list",
    "models_document",
    "openai_model_list",
    "v1_models_document",
]

ANTHROPIC_VERSION_HEADER = "anthropic-version"
_EPOCH = "1970-01-01T00:00:00Z"
_DEFAULT_LIMIT = 20
_MAX_LIMIT = 1000


def models_document(call: SurfaceRequest) -> Document:
    """``GET /models``: ``{"default_model": ..., "models": [...]}``."""
    settings = call.settings
    return Document({"default_model": settings.default_model, "models": list(settings.models)})


def v1_models_document(call: SurfaceRequest) -> Document:
    """``GET /v1/models``: Anthropic's list when the request carries ``anthropic-version``, else OpenAI's."""
    if ANTHROPIC_VERSION_HEADER in call.request.headers:
        return Document(anthropic_model_list(call.settings.models, call.request.query))
    return Document(openai_model_list(call.settings.models))


def openai_model_list(models: Sequence[str]) -> dict[str, Any]:
    """The OpenAI model list for ``models``."""
    data = [
        {"id": model, "object": "model", "created": 0, "owned_by": parse_model_id(model).provider or "bedrock"}
        for model in models
    ]
    return {"object": "list", "data": data}


def anthropic_model_list(models: Sequence[str], query: Mapping[str, str]) -> dict[str, Any]:
    """One page of the Anthropic model list; 400 for a bad ``limit`` or an unknown cursor id."""
    limit = _limit(query.get("limit"))
    ids = list(models)
    before, after = query.get("before_id"), query.get("after_id")
    if before is not None:
        page = ids[: _position(ids, before, "before_id")][-limit:]
        has_more = len(page) < ids.index(before)
    else:
        start = _position(ids, after, "after_id") + 1 if after is not None else 0
        page = ids[start : start + limit]
        has_more = start + limit < len(ids)
    data = [
        {"id": model, "type": "model", "display_name": model, "created_at": _EPOCH, "lifecycle": "active"}
        for model in page
    ]
    return {
        "data": data,
        "has_more": has_more,
        "first_id": page[0] if page else None,
        "last_id": page[-1] if page else None,
    }


def _limit(raw: str | None) -> int:
    if raw is None:
        return _DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_LIMIT:
        raise InvalidRequestError(f"limit must be an integer from 1 to {_MAX_LIMIT}, got {raw!r}", field="limit")
    return int(raw)


def _position(ids: list[str], model: str, name: str) -> int:
    if model not in ids:
        raise InvalidRequestError(f"{name} {model!r} is not a model of this deployment", field=name)
    return ids.index(model)
