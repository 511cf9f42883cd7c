"""Scripted faults for the fake Bedrock, set in process by tests (never by request headers).

How each surfaces in boto3 (docs/bedrock-formats.md, "How botocore reads a stream" and the two error sections):

- :class:`HttpError`: pre-stream HTTP error, ``x-amzn-ErrorType`` + ``{"message"}``; boto3 raises ``ClientError``
  (``client.exceptions.<Code>``) from the API call itself. Retryable codes are retried by botocore.
- :class:`ExceptionAfter`: modelled exception frame after N frames; ``EventStreamError`` with Code = the member name.
- :class:`ErrorFrameAfter`: unmodelled ``:message-type error`` frame; ``EventStreamError`` with Code = error code.
- :class:`DropAfter`: connection closed after N frames (between frames or inside frame N+1); urllib3
  ``ProtocolError`` while iterating.
- :class:`StallAfter`: stop sending after N frames for some seconds (then continue), until its ``release`` event is
  set (then continue), or until ``FakeBedrock.stop()`` (then drop); boto3's ``read_timeout`` fires as
  ``ReadTimeoutError``.
- :class:`TruncateFinalFrame`: the last frame is cut short and the body ends cleanly; botocore silently stops.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = [
    "DEFAULT_STATUS",
    "DropAfter",
    "ErrorFrameAfter",
    "ExceptionAfter",
    "Fault",
    "HttpError",
    "StallAfter",
    "TruncateFinalFrame",
]

# Modelled HTTP status per pre-stream error code (docs/bedrock-formats.md, "Errors before the stream").
DEFAULT_STATUS: dict[str, int] = {
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ValidationException": 400,
    "ThrottlingException": 429,
    "ModelNotReadyException": 429,
    "ServiceQuotaExceededException": 400,
    "ModelTimeoutException": 408,
    "ModelErrorException": 424,
    "ModelStreamErrorException": 424,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}

_DEFAULT_MESSAGES: dict[str, str] = {
    "ThrottlingException": "Too many requests, please wait before trying again.",
    "ServiceQuotaExceededException": "Too many tokens per day, please wait before trying again.",
    "AccessDeniedException": "You don't have access to the model with the specified model ID.",
    "ResourceNotFoundException": "The requested resource could not be found.",
    "ValidationException": "The provided model identifier is invalid.",
}


@dataclass(frozen=True)
class HttpError:
    """Answer with an HTTP error before any event. ``status`` defaults to the modelled one (500 if unknown)."""

    code: str
    status: int | None = None
    message: str | None = None

    @property
    def http_status(self) -> int:
        return self.status if self.status is not None else DEFAULT_STATUS.get(self.code, 500)

    @property
    def text(self) -> str:
        return self.message if self.message is not None else _DEFAULT_MESSAGES.get(self.code, f"{self.code} (fake)")


@dataclass(frozen=True)
class ExceptionAfter:
    """Send ``after`` frames, then a modelled exception frame (lowerCamel member name), then end the body.

    For ``modelStreamErrorException`` the payload also carries ``originalStatusCode``/``originalMessage`` when set.
    """

    after: int
    exception_type: str
    message: str = "The fake Bedrock injected an in-stream exception."
    original_status_code: int | None = None
    original_message: str | None = None


@dataclass(frozen=True)
class ErrorFrameAfter:
    """Send ``after`` frames, then an unmodelled ``:message-type error`` frame, then end the body."""

    after: int
    code: str = "InternalFailure"
    message: str = "The fake Bedrock injected an unmodelled error."


@dataclass(frozen=True)
class DropAfter:
    """Send ``after`` frames, then close the connection (``mid_frame``: after half of the next frame)."""

    after: int
    mid_frame: bool = False


@dataclass(frozen=True)
class StallAfter:
    """Send ``after`` frames, then send nothing for ``seconds`` (None: until the server stops, then drop).

    With ``release`` the stall lasts until the test sets that event instead (then the stream goes on), or until the
    server stops (then drop): a stream held open exactly as long as a test needs it.
    """

    after: int
    seconds: float | None = None
    release: threading.Event | None = None


@dataclass(frozen=True)
class TruncateFinalFrame:
    """Send every frame, but only the first ``keep`` bytes of the last one (default: half), then end cleanly."""

    keep: int | None = None


Fault = HttpError | ExceptionAfter | ErrorFrameAfter | DropAfter | StallAfter | TruncateFinalFrame
