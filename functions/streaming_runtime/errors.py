"""Errors of the runtime and how any exception becomes a Lambda error report.

::

    RuntimeFault                    a problem in the function's setup or output, with a Lambda error type
    ├── MalformedHandlerError           Runtime.MalformedHandlerName  (``_HANDLER`` is not ``module.func``)
    ├── BuiltInModuleConflictError      Runtime.BuiltInModuleConflict (the handler module is a built-in one)
    ├── ImportModuleError               Runtime.ImportModuleError     (the handler module failed to import)
    ├── UserCodeSyntaxError             Runtime.UserCodeSyntaxError   (the handler module has a syntax error)
    ├── HandlerNotFoundError            Runtime.HandlerNotFound       (no such callable in the module)
    ├── InvalidResponseError            Runtime.InvalidResponse       (the handler did not return a StreamingResponse)
    ├── InvalidBodyItemError            Runtime.InvalidBodyItem       (a body item is not bytes-like; also a TypeError)
    ├── ResponseWriteTimeoutError       Runtime.ResponseWriteTimeout  (a write stayed blocked until the deadline)
    └── InvalidEventError               Runtime.UnmarshalError        (the event or an invocation header is malformed)
    RuntimeApiError                 the Runtime API answered something unexpected (status and body kept)
    ├── FatalRuntimeApiError            the Runtime API is gone or reported a container error: exit the process
    └── ConnectionLostError             the connection of a streamed response broke: abandon that invocation

Error types follow ``Category.Reason`` (AWS Lambda developer guide, runtimes-api.html, "Invocation error"; RAPID keeps
``(Runtime|Function)\\.[A-Z][a-zA-Z]+``): see docs/lambda-streaming.md, "Errors before and after the first byte".
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BuiltInModuleConflictError",
    "ConnectionLostError",
    "ErrorReport",
    "FatalRuntimeApiError",
    "HandlerNotFoundError",
    "ImportModuleError",
    "InvalidBodyItemError",
    "InvalidEventError",
    "InvalidResponseError",
    "MalformedHandlerError",
    "ResponseWriteTimeoutError",
    "RuntimeApiError",
    "RuntimeFault",
    "UserCodeSyntaxError",
    "error_report",
    "function_error_type",
]


class RuntimeFault(Exception):
    """A problem the runtime detects in the function's setup or output; ``error_type`` is its Lambda error type."""

    error_type: str = "Runtime.Unknown"


class MalformedHandlerError(RuntimeFault):
    """``_HANDLER`` is missing or not of the form ``module.function``."""

    error_type = "Runtime.MalformedHandlerName"


class BuiltInModuleConflictError(RuntimeFault):
    """The handler's module (its first dotted part) is compiled into the interpreter (``sys.builtin_module_names``):
    importing it would silently return the built-in module, never the function's own file."""

    error_type = "Runtime.BuiltInModuleConflict"


class ImportModuleError(RuntimeFault):
    """Importing the handler's module raised."""

    error_type = "Runtime.ImportModuleError"


class UserCodeSyntaxError(RuntimeFault):
    """The handler's module (or one it imports) has a syntax error."""

    error_type = "Runtime.UserCodeSyntaxError"


class HandlerNotFoundError(RuntimeFault):
    """The module has no callable of the handler's name."""

    error_type = "Runtime.HandlerNotFound"


class InvalidResponseError(RuntimeFault, TypeError):
    """The handler returned something other than a usable ``StreamingResponse``."""

    error_type = "Runtime.InvalidResponse"


class InvalidBodyItemError(RuntimeFault, TypeError):
    """A body item is not bytes-like (for example a ``str``)."""

    error_type = "Runtime.InvalidBodyItem"


class ResponseWriteTimeoutError(RuntimeFault):
    """The response was read so slowly that a write to the Runtime API was still blocked shortly before the
    invocation's deadline; the body is ended early (error trailers, or a closed connection)."""

    error_type = "Runtime.ResponseWriteTimeout"


class InvalidEventError(RuntimeFault):
    """The event payload or an invocation header from ``/next`` cannot be decoded."""

    error_type = "Runtime.UnmarshalError"


class RuntimeApiError(Exception):
    """The Runtime API answered with an unexpected status."""

    def __init__(self, message: str, *, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class FatalRuntimeApiError(RuntimeApiError):
    """The Runtime API cannot be reached or reported a container error (HTTP 500): the process must exit."""


class ConnectionLostError(RuntimeApiError):
    """The connection carrying a streamed response failed; the invocation is abandoned."""


def _type_name(exc: BaseException) -> str:
    """The exception's class name reduced to ASCII letters and digits, first letter upper-case."""
    name = "".join(ch for ch in type(exc).__name__ if ch.isascii() and ch.isalnum())
    if not name or not name[0].isalpha():
        return "Unknown"
    return name[0].upper() + name[1:]


def function_error_type(exc: BaseException) -> str:
    """The Lambda error type for ``exc``: its own ``Runtime.*`` type for runtime faults, else ``Function.<Class>``."""
    if isinstance(exc, RuntimeFault):
        return exc.error_type
    return "Function." + _type_name(exc)


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What the runtime tells Lambda about an error: the error-type header and the JSON document."""

    error_type: str
    message: str
    body_type: str
    stack_trace: tuple[str, ...]

    def payload(self, request_id: str | None = None) -> dict[str, Any]:
        """The JSON document ``{errorMessage, errorType, stackTrace[, requestId]}`` (Python RIC field names)."""
        doc: dict[str, Any] = {
            "errorMessage": self.message,
            "errorType": self.body_type,
            "stackTrace": list(self.stack_trace),
        }
        if request_id is not None:
            doc["requestId"] = request_id
        return doc


def error_report(exc: BaseException) -> ErrorReport:
    """Describe ``exc`` for ``/error``, ``/init/error`` or the error trailers.

    Runtime faults report their ``Runtime.*`` type in both places; other exceptions report ``Function.<Class>`` in
    the header and the plain class name in the body, as the managed Python runtime shows it to callers.
    """
    header_type = function_error_type(exc)
    body_type = header_type if isinstance(exc, RuntimeFault) else type(exc).__name__
    stack = tuple(line.rstrip("\n") for line in traceback.format_tb(exc.__traceback__))
    return ErrorReport(error_type=header_type, message=_message(exc), body_type=body_type, stack_trace=stack)


def _message(exc: BaseException) -> str:
    """``str(exc)``, or a stand-in naming the failure when the exception's own ``__str__`` raises (the report must
    still be posted: an error while describing an error would otherwise leave the invocation unanswered)."""
    try:
        return str(exc)
    except Exception as inner:
        return f"<{type(exc).__name__}: str() raised {type(inner).__name__}>"
