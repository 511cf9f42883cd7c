"""The route table: (method, path) -> route name and path parameters; 404 and 405 (with ``Allow``) otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from bedrock_stream.errors import MethodNotAllowedError, NotFoundError

__all__ = ["Route", "RouteMatch", "match_route"]


class Route(StrEnum):
    """The application's routes."""

    NATIVE = "POST /"
    OPENAI_CHAT = "POST /v1/chat/completions"
    INVOKE = "POST /model/{modelId}/invoke"
    MODELS = "GET /models"


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A matched route and its path parameter (the model id for ``/model/{modelId}/invoke``)."""

    route: Route
    model_id: str | None = None


_STATIC: dict[str, dict[str, Route]] = {
    "/": {"POST": Route.NATIVE},
    "/v1/chat/completions": {"POST": Route.OPENAI_CHAT},
    "/models": {"GET": Route.MODELS},
}
_INVOKE_PREFIX = "/model/"
_INVOKE_SUFFIX = "/invoke"


def match_route(method: str, path: str) -> RouteMatch:
    """Match ``method`` and ``path``; raise :class:`NotFoundError` or :class:`MethodNotAllowedError`."""
    normalized = path if path == "/" else path.rstrip("/")
    methods = _STATIC.get(normalized)
    model_id: str | None = None
    if methods is None and normalized.startswith(_INVOKE_PREFIX) and normalized.endswith(_INVOKE_SUFFIX):
        # The id may contain encoded slashes or colons (ARNs, inference profiles): take everything in between.
        model_id = unquote(normalized[len(_INVOKE_PREFIX) : -len(_INVOKE_SUFFIX)])
        if model_id:
            methods = {"POST": Route.INVOKE}
    if methods is None:
        raise NotFoundError(
            f"no route for {path!r}; routes: POST /, POST /v1/chat/completions, "
            "POST /model/{modelId}/invoke, GET /models"
        )
    method = method.upper()
    route = methods.get(method)
    if route is None:
        allowed = tuple(sorted(methods))
        raise MethodNotAllowedError(
            f"{method} is not allowed on {normalized}; use {', '.join(allowed)}", allowed=allowed
        )
    return RouteMatch(route, model_id)
