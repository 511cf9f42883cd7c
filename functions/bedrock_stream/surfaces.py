"""The surfaces table: each route's method and path, its request parser and the encoders it offers.

One row per route. The app matches a request against :data:`SURFACES` (404 when no path matches, 405 with
``Allow`` when the path matches but the method does not; both messages list the table), negotiates the format
among the row's ``formats`` when ``negotiated`` (``?format=``, then ``Accept``; else ``default``), calls the
row's ``parse`` and acts on the :data:`~bedrock_stream.plan.Plan` it returns:

- :class:`~bedrock_stream.plan.Document`: 200 with that JSON document (no Bedrock call);
- :class:`~bedrock_stream.plan.Converse` / :class:`~bedrock_stream.plan.Invoke`: open the Bedrock stream, then
  answer with ``formats[fmt].create(exchange)``, where ``fmt`` is :attr:`Format.JSON` when the plan says
  ``stream=False``. What the encoder class declares decides the response's shape: ``content_type``,
  ``buffers`` (drain the stream, answer one document or a real error status) and ``holds_prelude`` (send the
  status only with the first text).

Adding a surface, e.g. ``POST /v1/messages``:

1. write one module (``bedrock_stream/<name>_request.py``) with a parser
   ``def <name>_plan(call: SurfaceRequest) -> Converse`` that validates ``call.json()`` (a JSON Schema in
   ``schemas/`` compiled by ``make schemas``, run through :func:`bedrock_stream.validation.validate_body`) and
   builds the :class:`~bedrock_stream.chat.ChatRequest` (``check_model``/``check_max_tokens`` for the shared
   limits);
2. if the wire format is new, one encoder module per format under ``encoders/``: a class that subclasses
   :class:`~bedrock_stream.encoders.Encoder`, declares ``content_type`` (and ``buffers = True`` for a single
   document, or subclass :class:`~bedrock_stream.encoders.base.BufferedEncoder`), and implements
   ``create(exchange)``, ``start``, ``encode``, ``heartbeat`` (its keep-alive between two events, or ``""``),
   ``finish`` and ``error`` (the in-band error event);
3. add one row to :data:`SURFACES`, e.g.
   ``Surface("POST", "/v1/messages", messages_plan, {Format.SSE: MessagesEventEncoder,
   Format.JSON: MessageEncoder}, default=Format.SSE, negotiated=False)``.

Path patterns are literal except ``{name}`` segments, which match one or more characters (slashes included, as
model ids and ARNs may hold encoded ones) and reach the parser percent-decoded in ``call.params``. A trailing
slash is ignored. Errors raised before the first byte use the row's ``error_body`` (default: the app's JSON error
body, :mod:`bedrock_stream.responses`); after it, the encoder's ``error``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from bedrock_stream.anthropic_request import count_tokens_plan, messages_plan
from bedrock_stream.encoders.anthropic_errors import anthropic_error_body
from bedrock_stream.encoders.anthropic_message import AnthropicMessageEncoder
from bedrock_stream.encoders.anthropic_stream import AnthropicStreamEncoder
from bedrock_stream.encoders.base import Encoder
from bedrock_stream.encoders.json_document import JsonDocumentEncoder
from bedrock_stream.encoders.ndjson import NdjsonEncoder
from bedrock_stream.encoders.openai_chunks import OpenAIChunkEncoder
from bedrock_stream.encoders.openai_common import openai_error_body
from bedrock_stream.encoders.openai_completion import OpenAICompletionEncoder
from bedrock_stream.encoders.openai_responses_object import OpenAIResponseObjectEncoder
from bedrock_stream.encoders.openai_responses_stream import OpenAIResponsesStreamEncoder
from bedrock_stream.encoders.sse import SseEncoder
from bedrock_stream.encoders.text import TextEncoder
from bedrock_stream.encoders.ui_message_stream import UiMessageStreamEncoder
from bedrock_stream.errors import AppError, MethodNotAllowedError, NotFoundError
from bedrock_stream.http_event import HttpRequest
from bedrock_stream.invoke_request import invoke_plan
from bedrock_stream.model_list import ANTHROPIC_VERSION_HEADER, models_document, v1_models_document
from bedrock_stream.native_request import native_plan
from bedrock_stream.negotiation import Format
from bedrock_stream.openai_request import openai_plan
from bedrock_stream.plan import Plan, SurfaceRequest
from bedrock_stream.responses_request import responses_plan
from bedrock_stream.ui_chat_request import ui_chat_plan

__all__ = ["DIRECT_INVOKE", "SURFACES", "ErrorBody", "Surface", "match_surface", "path_surface"]

Parser = Callable[[SurfaceRequest], Plan]
"""A surface's request parser: validate, then say what to do (raise a RequestError for bad input)."""

ErrorBody = Callable[[AppError, HttpRequest, str], Mapping[str, Any]]
"""A surface's error document for an error before the first byte: (error, request, request id) -> JSON body."""


def default_error_body(exc: AppError, request: HttpRequest, request_id: str) -> Mapping[str, Any]:
    """The app's own error body: ``{"error": {"type", "message", ...}}``."""
    return exc.to_dict()


def anthropic_errors(exc: AppError, request: HttpRequest, request_id: str) -> Mapping[str, Any]:
    """Anthropic's error body (``{"type": "error", "error": {...}, "request_id"}``)."""
    return anthropic_error_body(exc, request_id=request_id)


def openai_errors(exc: AppError, request: HttpRequest, request_id: str) -> Mapping[str, Any]:
    """OpenAI's error body (``{"error": {"message", "type", "param", "code"}}``)."""
    return openai_error_body(exc)


def anthropic_errors_if_asked(exc: AppError, request: HttpRequest, request_id: str) -> Mapping[str, Any]:
    """Anthropic's error body when the request carries ``anthropic-version``, else the app's."""
    if ANTHROPIC_VERSION_HEADER in request.headers:
        return anthropic_errors(exc, request, request_id)
    return default_error_body(exc, request, request_id)


@dataclass(frozen=True, slots=True)
class Surface:
    """One row of the table."""

    method: str
    path: str
    """The path pattern, e.g. ``/model/{modelId}/invoke``."""
    parse: Parser
    formats: Mapping[Format, type[Encoder]] = field(default_factory=dict)
    """The formats offered, in the order ``Accept`` wildcards and error messages list them."""
    default: Format = Format.JSON
    """The format without ``?format=``/``Accept`` (or always, when not ``negotiated``)."""
    negotiated: bool = False
    """Whether ``?format=`` and ``Accept`` choose among ``formats``."""
    name: str = ""
    """The route name in logs; ``"<method> <path>"`` unless given."""
    error_body: ErrorBody = default_error_body
    """The error document for errors before the first byte (the status and headers are the app's)."""
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"{self.method} {self.path}")
        if self.formats and self.default not in self.formats:
            raise ValueError(f"{self.name}: the default format {self.default} is not offered")
        parts = re.split(r"\{(\w+)\}", self.path)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts))
        object.__setattr__(self, "_regex", re.compile(regex))

    def match(self, path: str) -> dict[str, str] | None:
        """The percent-decoded path parameters if ``path`` (already without a trailing slash) fits, else None."""
        found = self._regex.fullmatch(path)
        return None if found is None else {key: unquote(value) for key, value in found.groupdict().items()}


NATIVE_FORMATS: Mapping[Format, type[Encoder]] = {
    Format.TEXT: TextEncoder,
    Format.SSE: SseEncoder,
    Format.NDJSON: NdjsonEncoder,
    Format.JSON: JsonDocumentEncoder,
}
"""The native formats (README "Output formats")."""

SURFACES: tuple[Surface, ...] = (
    Surface("POST", "/", native_plan, NATIVE_FORMATS, default=Format.TEXT, negotiated=True),
    Surface(
        "POST",
        "/v1/chat/completions",
        openai_plan,
        {Format.SSE: OpenAIChunkEncoder, Format.JSON: OpenAICompletionEncoder},
        default=Format.SSE,
        error_body=openai_errors,
    ),
    Surface("POST", "/model/{modelId}/invoke", invoke_plan, NATIVE_FORMATS, default=Format.TEXT, negotiated=True),
    Surface("GET", "/models", models_document),
    Surface("GET", "/v1/models", v1_models_document, error_body=anthropic_errors_if_asked),
    Surface(
        "POST",
        "/v1/messages",
        messages_plan,
        {Format.SSE: AnthropicStreamEncoder, Format.JSON: AnthropicMessageEncoder},
        default=Format.SSE,
        error_body=anthropic_errors,
    ),
    Surface("POST", "/v1/messages/count_tokens", count_tokens_plan, error_body=anthropic_errors),
    Surface(
        "POST",
        "/v1/responses",
        responses_plan,
        {Format.SSE: OpenAIResponsesStreamEncoder, Format.JSON: OpenAIResponseObjectEncoder},
        default=Format.SSE,
        error_body=openai_errors,
    ),
    Surface("POST", "/v1/ui/chat", ui_chat_plan, {Format.SSE: UiMessageStreamEncoder}, default=Format.SSE),
)
"""Every HTTP route, in the order the 404 message lists them."""

DIRECT_INVOKE = Surface("POST", "/", native_plan, NATIVE_FORMATS, default=Format.NDJSON, name="direct")
"""Direct ``InvokeWithResponseStream`` calls (no method or path): the native body, answered in NDJSON."""


def match_surface(method: str, path: str, surfaces: Sequence[Surface] = SURFACES) -> tuple[Surface, dict[str, str]]:
    """The row for ``method`` and ``path`` and its path parameters; raise 404 or 405 (with the allowed methods)."""
    normalized = path if path == "/" else path.rstrip("/")
    allowed: dict[str, tuple[Surface, dict[str, str]]] = {}
    for surface in surfaces:
        params = surface.match(normalized)
        if params is not None:
            allowed.setdefault(surface.method, (surface, params))
    if not allowed:
        routes = ", ".join(surface.name for surface in surfaces)
        raise NotFoundError(f"no route for {path!r}; routes: {routes}")
    method = method.upper()
    if method not in allowed:
        methods = tuple(sorted(allowed))
        raise MethodNotAllowedError(
            f"{method} is not allowed on {normalized}; use {', '.join(methods)}", allowed=methods
        )
    return allowed[method]


def path_surface(path: str, surfaces: Sequence[Surface] = SURFACES) -> Surface | None:
    """The first row whose path pattern fits ``path``, whatever its method (for the shape of a 405), else None."""
    normalized = path if path == "/" else path.rstrip("/")
    return next((surface for surface in surfaces if surface.match(normalized) is not None), None)
