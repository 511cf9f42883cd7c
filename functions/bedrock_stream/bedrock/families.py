"""The names of the native InvokeModelWithResponseStream formats, a model id taken apart, and the error for a model
no decoder handles. Which family a model id belongs to is decided by the family registry (``registry.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bedrock_stream.errors import RequestError

__all__ = ["ModelFamily", "ModelRef", "UnsupportedModelError"]


class ModelFamily(StrEnum):
    """A native InvokeModelWithResponseStream chunk format."""

    ANTHROPIC = "anthropic"
    """Anthropic Messages events, and legacy Claude text-completion chunks (told apart per chunk)."""
    META = "meta"
    MISTRAL = "mistral"
    COHERE = "cohere"
    TITAN = "titan"
    NOVA = "nova"
    AI21 = "ai21"
    DEEPSEEK = "deepseek"
    OPENAI = "openai"
    """OpenAI ``chat.completion.chunk`` (gpt-oss, Qwen and other OpenAI-compatible models)."""


class UnsupportedModelError(RequestError):
    """The model's native stream format has no decoder here (or the model cannot stream at all)."""

    status_code = 400
    error_type = "unsupported_model"

    def __init__(self, message: str, *, model_id: str) -> None:
        super().__init__(message)
        self.model_id = model_id


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model id taken apart. ``base_id`` and ``provider`` are None for opaque ARNs."""

    model_id: str
    base_id: str | None
    provider: str | None
