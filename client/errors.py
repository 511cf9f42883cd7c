"""Client-side errors. Each one carries the process exit code the CLI uses for it.

::

    ClientError                 exit_code, message
    ├── UsageError              2   bad arguments, empty prompt
    ├── ConfigError             3   no URL, region unknown, stack or output missing
    ├── CredentialsError        4   no AWS credentials for a signed request
    ├── ConnectError            5   connection refused, DNS failure, timeout
    ├── HTTPStatusError             the endpoint answered with an error status before streaming
    │                           6   4xx (invalid request, model not allowed, not found, ...) except 429
    │                           7   429 throttled (``retry_after`` set when the server sent Retry-After)
    │                           8   5xx upstream or function error
    ├── StreamError             9   the server reported an error in-band after the stream started
    └── TruncatedStreamError    10  the stream ended without its completion marker, or broke the protocol

Ctrl-C exits with 130 (128 + SIGINT), stdout closed early with 141 (128 + SIGPIPE), any other failure with 1.
"""

from __future__ import annotations

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_CODES",
    "EXIT_INTERRUPTED",
    "ClientError",
    "ConfigError",
    "ConnectError",
    "CredentialsError",
    "HTTPStatusError",
    "StreamError",
    "TruncatedStreamError",
    "UsageError",
    "exit_code_for_status",
]

EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

#: exit code -> meaning (``--help`` prints it); tests check that the README's table lists the same codes.
EXIT_CODES: dict[int, str] = {
    0: "success: the stream completed",
    1: "unexpected internal error",
    2: "usage error (bad arguments, empty prompt)",
    3: "configuration error (no URL, unknown region, stack or stack output missing)",
    4: "no AWS credentials found for a signed request",
    5: "connection failed (refused, DNS, timeout)",
    6: "request rejected with a 4xx status (invalid request, model not allowed, not found, ...)",
    7: "throttled (HTTP 429)",
    8: "server or upstream error (HTTP 5xx)",
    9: "the server reported an error in the stream after it started",
    10: "stream truncated (no completion marker) or protocol error",
    130: "interrupted (Ctrl-C)",
    141: "stdout closed early (e.g. | head)",
}


class ClientError(Exception):
    """Base of every error the client reports. ``exit_code`` is the CLI's process exit status."""

    exit_code: int = EXIT_INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(ClientError):
    """The command line or the prompt is unusable."""

    exit_code = 2


class ConfigError(ClientError):
    """The endpoint cannot be determined: no URL, unknown region, stack or output missing."""

    exit_code = 3


class CredentialsError(ClientError):
    """No AWS credentials were found for a request that must be signed."""

    exit_code = 4


class ConnectError(ClientError):
    """The endpoint could not be reached."""

    exit_code = 5


class HTTPStatusError(ClientError):
    """The endpoint answered with an error status before the first body byte.

    ``error_type`` and ``message`` come from the JSON error body ``{"error": {"type", "message"}}`` when present.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_type = error_type
        self.retry_after = retry_after
        self.exit_code = exit_code_for_status(status_code)

    def __str__(self) -> str:
        kind = f" {self.error_type}" if self.error_type else ""
        retry = f" (retry after {self.retry_after} s)" if self.retry_after is not None else ""
        return f"HTTP {self.status_code}{kind}: {self.message}{retry}"


def exit_code_for_status(status_code: int) -> int:
    """The CLI exit code for an HTTP error status: 7 for 429, 6 for other 4xx, 8 for the rest."""
    if status_code == 429:
        return 7
    if 400 <= status_code < 500:
        return 6
    return 8


class StreamError(ClientError):
    """The server sent an in-band error event after the stream had started."""

    exit_code = 9

    def __init__(self, message: str, *, error_type: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.code = code

    def __str__(self) -> str:
        kind = self.error_type or "stream_error"
        code = f" [{self.code}]" if self.code else ""
        return f"stream failed after it started: {kind}{code}: {self.message}"


class TruncatedStreamError(ClientError):
    """The stream ended without its completion marker, or its bytes did not follow the format."""

    exit_code = 10
