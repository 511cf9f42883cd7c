"""One exception tree for the application. Every error is a value with a type, an HTTP status and a message.

::

    AppError                      status_code, error_type, message, retry_after
    ├── RequestError              the caller's request is wrong (4xx); never reaches Bedrock
    │   ├── InvalidRequestError       400 invalid_request (``field`` names the JSON path)
    │   ├── InvalidApiKeyError        401 invalid_api_key (API_KEY mode; ``challenge`` -> WWW-Authenticate)
    │   ├── KeyPolicyError            403 the API key's policy refuses this model / max_tokens
    │   ├── ModelNotAllowedError      403 model_not_allowed
    │   ├── NotFoundError             404 not_found
    │   ├── MethodNotAllowedError     405 method_not_allowed
    │   ├── NotAcceptableError        406 not_acceptable
    │   └── PayloadTooLargeError      413 payload_too_large
    ├── KeyStoreUnavailableError  503 key_store_unavailable (the API key store could not answer)
    ├── UpstreamError             Bedrock refused or failed before the first event (status mapped from
    │                             Bedrock's code: 403, 404, 400, 429 + Retry-After, 502, 503, 504)
    └── MidStreamError            the stream broke after it started (in-stream exception frame,
        │                         connection drop); reported in-band, then with the Lambda error trailers
        ├── DeadlineError             the function is about to hit its timeout
        └── UpstreamIdleError         Bedrock sent nothing for the configured idle timeout

Errors raised before the first body byte become a real HTTP status with a JSON body; after it, an in-band
error event in the response format, then the runtime's error trailers. Messages are for callers: what a
lower layer said in full (endpoint URLs, file paths) goes to ``detail``, which only the logs show.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AppError",
    "DeadlineError",
    "InvalidApiKeyError",
    "InvalidRequestError",
    "KeyPolicyError",
    "KeyStoreUnavailableError",
    "MethodNotAllowedError",
    "MidStreamError",
    "ModelNotAllowedError",
    "NotAcceptableError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RequestError",
    "UpstreamError",
    "UpstreamIdleError",
]


class AppError(Exception):
    """Base of every error the application reports to a caller."""

    status_code: int = 500
    error_type: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_type: str | None = None,
        retry_after: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if error_type is not None:
            self.error_type = error_type
        self.retry_after = retry_after
        self.detail = detail
        """For the logs only, never sent to the caller: the underlying failure in full (endpoints, paths...)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body: ``{"error": {"type", "message", ...}}``."""
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.retry_after is not None:
            error["retry_after"] = self.retry_after
        return {"error": error}


class RequestError(AppError):
    """The request is invalid; the caller must change it."""

    status_code = 400
    error_type = "invalid_request"


class InvalidRequestError(RequestError):
    """Malformed JSON, wrong types or missing fields. ``field`` is the JSON path of the culprit."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        if self.field is not None:
            body["error"]["field"] = self.field
        return body


class InvalidApiKeyError(RequestError):
    """API_KEY mode: no key, or one that is malformed, unknown, revoked or expired. ``challenge`` is the
    ``WWW-Authenticate`` value (RFC 6750 section 3)."""

    status_code = 401
    error_type = "invalid_api_key"

    def __init__(self, message: str, *, challenge: str) -> None:
        super().__init__(message)
        self.challenge = challenge


class KeyPolicyError(RequestError):
    """API_KEY mode: the key may not make this call (a model outside its allowlist, max tokens over its cap)."""

    status_code = 403

    def __init__(self, message: str, *, error_type: str, field: str) -> None:
        super().__init__(message, error_type=error_type)
        self.field = field


class KeyStoreUnavailableError(AppError):
    """API_KEY mode: the key store could not be read, so no key can be checked (never fails open)."""

    status_code = 503
    error_type = "key_store_unavailable"


class ModelNotAllowedError(RequestError):
    """The requested model is not in this deployment's allowlist."""

    status_code = 403
    error_type = "model_not_allowed"


class NotFoundError(RequestError):
    """Unknown route."""

    status_code = 404
    error_type = "not_found"


class MethodNotAllowedError(RequestError):
    """Known route, wrong HTTP method. ``allowed`` feeds the ``Allow`` header."""

    status_code = 405
    error_type = "method_not_allowed"

    def __init__(self, message: str, *, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allowed = allowed


class NotAcceptableError(RequestError):
    """No response format matches the ``Accept`` header or ``?format=``."""

    status_code = 406
    error_type = "not_acceptable"


class PayloadTooLargeError(RequestError):
    """The request body exceeds the configured limit."""

    status_code = 413
    error_type = "payload_too_large"


class UpstreamError(AppError):
    """Bedrock failed before streaming started. ``code`` is Bedrock's error code (e.g. ThrottlingException)."""

    status_code = 502
    error_type = "upstream_error"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int,
        error_type: str,
        retry_after: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, error_type=error_type, retry_after=retry_after, detail=detail
        )
        self.code = code

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["error"]["code"] = self.code
        return body


class MidStreamError(AppError):
    """The Bedrock stream failed after it started. ``code`` is the in-stream exception name.

    ``before_first_byte`` is what to answer instead when no byte of the response was sent yet (the stream broke
    before the first text of a plain-text answer, or while a JSON answer was being assembled): for an in-stream
    exception Bedrock also sends before a stream (throttling, validation, ...), the same error as that case, so the
    caller gets the same status and ``Retry-After``.
    """

    status_code = 502
    error_type = "stream_error"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        before_first_byte: AppError | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail)
        self.code = code
        self.before_first_byte = before_first_byte

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["error"]["code"] = self.code
        return body


class DeadlineError(MidStreamError):
    """The function stopped reading Bedrock because its own deadline was near."""

    status_code = 504
    error_type = "deadline_exceeded"


class UpstreamIdleError(MidStreamError):
    """Bedrock sent nothing for ``idle_timeout_seconds``: the function gave up on the stream."""

    status_code = 504
    error_type = "upstream_idle"
