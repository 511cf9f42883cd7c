"""The invocation read from ``GET /runtime/invocation/next`` and the context object handed to the handler.

Header names follow the AWS Lambda developer guide, runtimes-api.html ("Next invocation") and the July 2026
``Lambda-Runtime-Invocation-Id`` nonce; see docs/lambda-streaming.md, "Runtime API calls". Context attribute
names match the managed Python runtime's ``LambdaContext`` so decorators written for it (Powertools) work unchanged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from streaming_runtime.errors import FatalRuntimeApiError, InvalidEventError

__all__ = [
    "Client",
    "ClientContext",
    "CognitoIdentity",
    "FunctionInfo",
    "Invocation",
    "LambdaContext",
    "lower_headers",
    "parse_invocation",
]

REQUEST_ID: Final = "Lambda-Runtime-Aws-Request-Id"
DEADLINE_MS: Final = "Lambda-Runtime-Deadline-Ms"
FUNCTION_ARN: Final = "Lambda-Runtime-Invoked-Function-Arn"
TRACE_ID: Final = "Lambda-Runtime-Trace-Id"
CLIENT_CONTEXT: Final = "Lambda-Runtime-Client-Context"
COGNITO_IDENTITY: Final = "Lambda-Runtime-Cognito-Identity"
TENANT_ID: Final = "Lambda-Runtime-Aws-Tenant-Id"
INVOCATION_ID: Final = "Lambda-Runtime-Invocation-Id"


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    """Per-process facts Lambda puts in the environment; read once at start."""

    function_name: str | None = None
    function_version: str | None = None
    memory_limit_in_mb: str | None = None
    log_group_name: str | None = None
    log_stream_name: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> FunctionInfo:
        """Read ``AWS_LAMBDA_FUNCTION_NAME/VERSION/MEMORY_SIZE`` and ``AWS_LAMBDA_LOG_GROUP_NAME/LOG_STREAM_NAME``."""
        return cls(
            function_name=environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            function_version=environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
            memory_limit_in_mb=environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
            log_group_name=environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
            log_stream_name=environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
        )


@dataclass(frozen=True, slots=True)
class Client:
    """The mobile client of a ``ClientContext`` (AWS Mobile SDK field names, snake_case)."""

    installation_id: str | None = None
    app_title: str | None = None
    app_version_name: str | None = None
    app_version_code: str | None = None
    app_package_name: str | None = None


@dataclass(frozen=True, slots=True)
class ClientContext:
    """``Lambda-Runtime-Client-Context``: the caller's client, custom values and environment."""

    client: Client | None = None
    custom: Any = None
    env: Any = None


@dataclass(frozen=True, slots=True)
class CognitoIdentity:
    """``Lambda-Runtime-Cognito-Identity``; both fields are ``None`` when the header is absent."""

    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None


@dataclass(frozen=True, slots=True)
class Invocation:
    """One event from ``/next``: the raw payload and every invocation header the runtime uses."""

    request_id: str
    deadline_ms: int
    invoked_function_arn: str
    payload: bytes
    trace_id: str | None = None
    client_context: ClientContext | None = None
    identity: CognitoIdentity = field(default_factory=CognitoIdentity)
    tenant_id: str | None = None
    invocation_id: str | None = None


class LambdaContext:
    """The ``context`` argument of a handler (attribute names of the managed Python runtime's ``LambdaContext``)."""

    __slots__ = (
        "aws_request_id",
        "client_context",
        "deadline_ms",
        "function_name",
        "function_version",
        "identity",
        "invocation_id",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
        "tenant_id",
        "trace_id",
    )

    def __init__(self, invocation: Invocation, function: FunctionInfo) -> None:
        self.aws_request_id: str = invocation.request_id
        self.deadline_ms: int = invocation.deadline_ms
        self.invoked_function_arn: str = invocation.invoked_function_arn
        self.client_context: ClientContext | None = invocation.client_context
        self.identity: CognitoIdentity = invocation.identity
        self.tenant_id: str | None = invocation.tenant_id
        self.invocation_id: str | None = invocation.invocation_id
        self.trace_id: str | None = invocation.trace_id
        self.function_name: str | None = function.function_name
        self.function_version: str | None = function.function_version
        self.memory_limit_in_mb: str | None = function.memory_limit_in_mb
        self.log_group_name: str | None = function.log_group_name
        self.log_stream_name: str | None = function.log_stream_name

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation's deadline (never negative)."""
        return max(self.deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self) -> str:
        return (
            f"LambdaContext(aws_request_id={self.aws_request_id!r}, function_name={self.function_name!r}, "
            f"invoked_function_arn={self.invoked_function_arn!r}, deadline_ms={self.deadline_ms})"
        )


def lower_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header pairs as a dict keyed by lower-cased name (a repeated header keeps its last value)."""
    return {name.lower(): value for name, value in items}


def _json_object(name: str, raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except Exception as exc:  # ValueError, and RecursionError/MemoryError for absurd nesting or size
        raise InvalidEventError(f"header {name} is not valid JSON: {type(exc).__name__}: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidEventError(f"header {name} must hold a JSON object, got {type(value).__name__}")
    return value


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _client_context(raw: str) -> ClientContext:
    doc = _json_object(CLIENT_CONTEXT, raw)
    client_doc = doc.get("client")
    client = None
    if isinstance(client_doc, dict):
        client = Client(
            installation_id=_str_or_none(client_doc.get("installation_id")),
            app_title=_str_or_none(client_doc.get("app_title")),
            app_version_name=_str_or_none(client_doc.get("app_version_name")),
            app_version_code=_str_or_none(client_doc.get("app_version_code")),
            app_package_name=_str_or_none(client_doc.get("app_package_name")),
        )
    return ClientContext(client=client, custom=doc.get("custom"), env=doc.get("env"))


def _identity(raw: str) -> CognitoIdentity:
    doc = _json_object(COGNITO_IDENTITY, raw)
    return CognitoIdentity(
        cognito_identity_id=_str_or_none(doc.get("cognitoIdentityId")),
        cognito_identity_pool_id=_str_or_none(doc.get("cognitoIdentityPoolId")),
    )


def parse_invocation(headers: Mapping[str, str], payload: bytes) -> Invocation:
    """Build an ``Invocation`` from the ``/next`` response headers (any name case) and body.

    Raises ``FatalRuntimeApiError`` without a request id (nothing can be reported), ``InvalidEventError`` when an
    optional header is malformed (the caller reports it to ``/error`` for that request id).
    """
    h = lower_headers(headers.items())
    request_id = h.get(REQUEST_ID.lower())
    if not request_id:
        raise FatalRuntimeApiError(f"/next response has no {REQUEST_ID} header")
    raw_deadline = h.get(DEADLINE_MS.lower())
    try:
        deadline_ms = int(raw_deadline) if raw_deadline else 0
    except ValueError as exc:
        raise InvalidEventError(f"header {DEADLINE_MS} is not an integer: {raw_deadline!r}") from exc
    raw_client_context = h.get(CLIENT_CONTEXT.lower())
    raw_identity = h.get(COGNITO_IDENTITY.lower())
    return Invocation(
        request_id=request_id,
        deadline_ms=deadline_ms,
        invoked_function_arn=h.get(FUNCTION_ARN.lower()) or "",
        payload=payload,
        trace_id=h.get(TRACE_ID.lower()) or None,
        client_context=_client_context(raw_client_context) if raw_client_context else None,
        identity=_identity(raw_identity) if raw_identity else CognitoIdentity(),
        tenant_id=h.get(TENANT_ID.lower()) or None,
        invocation_id=h.get(INVOCATION_ID.lower()) or None,
    )
