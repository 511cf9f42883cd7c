"""Our errors in the OpenAI API's shape: ``{"error": {"message", "type", "param", "code"}}``.

Follows the OpenAI API reference, "Error codes" (https://platform.openai.com/docs/guides/error-codes) and the
``openai`` SDK, which reads ``error.message`` / ``type`` / ``param`` / ``code`` from the body of any non-2xx answer
(``openai._exceptions.APIError``). The HTTP status stays ours (429 keeps its ``Retry-After``); ``param`` is the JSON
path of the culprit field, ``code`` Bedrock's error code when there is one, else our own error type.
"""

from __future__ import annotations

from typing import Any

from bedrock_stream.errors import AppError

__all__ = ["openai_error_body", "openai_error_type", "response_error"]

_BY_STATUS: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    406: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "rate_limit_error",
}
"""HTTP status -> OpenAI error type (anything else, 5xx included: ``server_error``)."""


def openai_error_type(exc: AppError) -> str:
    """The OpenAI error type for ``exc``, by HTTP status."""
    return _BY_STATUS.get(exc.status_code, "server_error")


def _code(exc: AppError) -> str:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and code else exc.error_type


def openai_error_body(exc: AppError) -> dict[str, Any]:
    """The error document of an answer with an error status."""
    field = getattr(exc, "field", None)
    return {
        "error": {
            "message": exc.message,
            "type": openai_error_type(exc),
            "param": field if isinstance(field, str) else None,
            "code": _code(exc),
        }
    }


def response_error(exc: AppError) -> dict[str, Any]:
    """The Response object's ``error`` (``openai.types.responses.ResponseError``, whose ``code`` is a closed list)."""
    code = "rate_limit_exceeded" if exc.status_code == 429 else "server_error"
    return {"code": code, "message": exc.message}
