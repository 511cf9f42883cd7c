"""What a surface's request parser gets (:class:`SurfaceRequest`) and what it returns (a :data:`Plan`).

A parser validates the request and says what to do: :class:`Converse` (a model-agnostic ConverseStream call),
:class:`Invoke` (InvokeModelWithResponseStream with a model-native body), :class:`Document` (a JSON answer
that needs no Bedrock call) or :class:`CountTokens` (a Bedrock token count). It raises
:class:`~bedrock_stream.errors.RequestError` subclasses for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bedrock_stream.chat import ChatRequest
from bedrock_stream.http_event import HttpRequest
from bedrock_stream.json_body import check_json_value, decode_json_body
from bedrock_stream.settings import Settings

__all__ = ["Converse", "CountTokens", "Document", "Invoke", "Plan", "SurfaceRequest"]


@dataclass(frozen=True, slots=True)
class SurfaceRequest:
    """One request as a parser sees it: the normalized event, the path parameters and the settings."""

    request: HttpRequest
    settings: Settings
    params: Mapping[str, str] = field(default_factory=dict)
    """Path parameters by name, already percent-decoded (``{"modelId": ...}`` for ``/model/{modelId}/invoke``)."""

    def json(self) -> Any:
        """The decoded JSON body (400 for empty, malformed or too deep bodies); for direct invokes, the event."""
        if not self.request.is_http:
            check_json_value(self.request.direct_payload, what="the event")
            return self.request.direct_payload
        return decode_json_body(self.request.body)


@dataclass(frozen=True, slots=True, kw_only=True)
class Converse:
    """Answer with a ConverseStream call."""

    chat: ChatRequest
    stream: bool = True
    """False: answer with the surface's ``json`` format (one document) whatever was negotiated."""
    include_usage: bool = False
    """Passed to the encoder (:class:`~bedrock_stream.encoders.Exchange`)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra response headers (e.g. ``x-ignored-params``), sent with a 200 answer."""
    echo: Mapping[str, Any] = field(default_factory=dict)
    """Request settings the answer repeats (the Responses API's ``tools``, ``instructions``...), passed to the
    encoder as :attr:`~bedrock_stream.encoders.Exchange.echo`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoke:
    """Answer with InvokeModelWithResponseStream; ``body`` goes to Bedrock as is."""

    model: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Document:
    """Answer 200 with this JSON document; Bedrock is not called."""

    body: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class CountTokens:
    """Answer ``{"input_tokens": n}`` with Bedrock CountTokens for ``chat``; ``estimate`` when Bedrock cannot count
    for the model (or the function may not call CountTokens). The ``x-token-count`` header says which."""

    chat: ChatRequest
    estimate: int


Plan = Converse | Invoke | Document | CountTokens
"""What a parser returns."""
