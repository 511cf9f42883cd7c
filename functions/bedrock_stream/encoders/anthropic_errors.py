"""Our errors in the Anthropic API's shape: ``{"type": "error", "error": {"type", "message"}}``.

Follows the Anthropic API reference, "Errors" (https://docs.anthropic.com/en/api/errors) and the SDK's
``anthropic.types.shared.ErrorResponse`` / ``ErrorObject`` union: the HTTP status stays ours (429 keeps its
``Retry-After``), only the body's error type is Anthropic's. Mid-stream errors use the same object as the SSE
``error`` event.
"""

from __future__ import annotations

from typing import Any

from bedrock_stream.errors import AppError

__all__ = ["anthropic_error_body", "anthropic_error_type"]

_BY_STATUS: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    406: "invalid_request_error",
    413: "invalid_request_error",  # the SDK's ErrorObject union has no request_too_large member
    415: "invalid_request_error",
    429: "rate_limit_error",
    503: "overloaded_error",
    504: "timeout_error",
}
"""HTTP status -> Anthropic error type (anything else, 5xx included: ``api_error``)."""

_BY_CODE: dict[str, str] = {
    "ThrottlingException": "rate_limit_error",
    "ServiceQuotaExceededException": "rate_limit_error",
    "ServiceUnavailableException": "overloaded_error",
    "ModelNotReadyException": "overloaded_error",
    "ModelTimeoutException": "timeout_error",
}
"""Bedrock error code -> Anthropic error type, for the in-stream exceptions whose status does not tell."""


def anthropic_error_type(exc: AppError) -> str:
    """The Anthropic error type for ``exc``: by Bedrock code where it has one, else by HTTP status."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in _BY_CODE:
        return _BY_CODE[code]
    return _BY_STATUS.get(exc.status_code, "api_error")


def anthropic_error_body(exc: AppError, *, request_id: str | None = None) -> dict[str, Any]:
    """The error document; our own ``field`` (400s) is kept in the message, where clients show it."""
    message = exc.message
    field = getattr(exc, "field", None)
    if isinstance(field, str) and field not in message:
        message = f"{field}: {message}"
    body: dict[str, Any] = {"type": "error", "error": {"type": anthropic_error_type(exc), "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    return body
