"""``GET /models``: the deployment's default model and its allowlist."""

from __future__ import annotations

from bedrock_stream.plan import Document, SurfaceRequest

__all__ = ["models_document"]


def models_document(call: SurfaceRequest) -> Document:
    """``{"default_model": ..., "models": [...]}``."""
    settings = call.settings
    return Document({"default_model": settings.default_model, "models": list(settings.models)})
