"""CORS as a Lambda Function URL applies it: the URL's own configuration, never the function's code.

Follows the AWS Lambda developer guide, urls-configuration.html#urls-cors, and the Lambda API's ``Cors`` type
(https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html: AllowCredentials, AllowHeaders, AllowMethods,
AllowOrigins, ExposeHeaders, MaxAge). What AWS leaves undocumented is chosen here and listed in
docs/lambda-streaming.md ("What the emulator assumes"):

* A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered by the front, never by
  the function: ``200`` with an empty body. For an allowed origin it carries ``Access-Control-Allow-Origin``,
  ``-Allow-Methods``, ``-Allow-Headers``, ``-Max-Age`` (when set) and ``-Allow-Credentials`` (when true); for any
  other origin, none of them (the browser then refuses the real request).
* Every other response to a request with an allowed ``Origin`` gets ``Access-Control-Allow-Origin``,
  ``-Expose-Headers`` and ``-Allow-Credentials`` as configured; ``Vary: Origin`` whenever the answer depends on it.
* The allowed origin is echoed; ``*`` is sent as such only without credentials (browsers refuse ``*`` with them).
* ``access-control-*`` headers the function sets pass through next to the URL's, duplicates included (what other
  Function URL emulators report of AWS): the reason the app itself never sets any.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["CorsConfig", "is_preflight", "preflight_headers", "response_headers"]


@dataclass(frozen=True, slots=True)
class CorsConfig:
    """The Function URL's ``Cors`` settings (empty ``allow_origins`` means CORS is off)."""

    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @property
    def enabled(self) -> bool:
        """True when at least one origin is allowed."""
        return bool(self.allow_origins)

    def allowed_origin(self, origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for ``origin``, or None if it is not allowed."""
        if not origin or not self.enabled:
            return None
        if "*" in self.allow_origins:
            return origin if self.allow_credentials else "*"
        wanted = origin.rstrip("/").lower()
        if any(allowed.rstrip("/").lower() == wanted for allowed in self.allow_origins):
            return origin
        return None


def is_preflight(method: str, headers: Iterable[tuple[str, str]]) -> bool:
    """An ``OPTIONS`` request carrying both ``Origin`` and ``Access-Control-Request-Method``."""
    if method.upper() != "OPTIONS":
        return False
    names = {name.lower() for name, _ in headers}
    return "origin" in names and "access-control-request-method" in names


def _join(values: Sequence[str]) -> str:
    return ", ".join(values)


def _vary(config: CorsConfig) -> list[tuple[str, str]]:
    """``Vary: Origin`` unless every origin gets the same literal ``*``."""
    if "*" in config.allow_origins and not config.allow_credentials:
        return []
    return [("Vary", "Origin")]


def preflight_headers(config: CorsConfig, origin: str | None) -> list[tuple[str, str]]:
    """The headers of the front's answer to a preflight from ``origin``."""
    allowed = config.allowed_origin(origin)
    if allowed is None:
        return _vary(config)
    headers = [("Access-Control-Allow-Origin", allowed)]
    if config.allow_methods:
        headers.append(("Access-Control-Allow-Methods", _join(config.allow_methods)))
    if config.allow_headers:
        headers.append(("Access-Control-Allow-Headers", _join(config.allow_headers)))
    if config.max_age is not None:
        headers.append(("Access-Control-Max-Age", str(config.max_age)))
    if config.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return headers + _vary(config)


def response_headers(config: CorsConfig, origin: str | None) -> list[tuple[str, str]]:
    """The CORS headers added to a non-preflight response for a request from ``origin``."""
    if not config.enabled:
        return []
    allowed = config.allowed_origin(origin)
    if allowed is None:
        return _vary(config)
    headers = [("Access-Control-Allow-Origin", allowed)]
    if config.expose_headers:
        headers.append(("Access-Control-Expose-Headers", _join(config.expose_headers)))
    if config.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return headers + _vary(config)
