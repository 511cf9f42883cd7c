"""botocore failures -> the application's typed errors.

Follows shared/docs/bedrock-streaming-formats.md §7.2 (pre-stream HTTP errors and their codes), §7.1 and §4
(in-stream exception frames surface as ``EventStreamError`` with a lowerCamel code; ConverseStream reports a model
timeout with an empty code; framing failures are not ClientErrors) and §7.3 (when waiting helps: Retry-After).

- Before the stream (the call itself raised): :func:`upstream_error` -> :class:`UpstreamError` with an HTTP
  status, a Retry-After hint where waiting helps, and a message that says what to do.
- While iterating: :func:`mid_stream_error` -> :class:`MidStreamError` with a stable ``code``:
  the in-stream exception name (``throttlingException``, ``modelStreamErrorException``, ...) or one of
  ``connection_lost``, ``read_timeout``, ``checksum_mismatch``, ``malformed_frame``, ``malformed_chunk``,
  ``truncated``. An in-stream exception that Bedrock also raises before a stream carries that pre-stream
  error as ``before_first_byte``, for the app to answer with when nothing was sent yet.

Client-facing messages never quote a transport or SDK exception's text (it names the endpoint URL, sometimes a
file path); that text goes to the error's ``detail``, which only the logs show.

urllib3 is botocore's transport, but this package may not import it (layering rule), so transport errors raised by
urllib3 while a stream is read are recognised by class name along their MRO.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bedrock_stream.errors import AppError, InvalidRequestError, MidStreamError, UpstreamError

__all__ = [
    "DEFAULT_RETRY_AFTER_S",
    "IAM_ACTION",
    "TRUNCATED",
    "mid_stream_error",
    "truncated_error",
    "upstream_error",
]

IAM_ACTION = "bedrock:InvokeModelWithResponseStream"
"""The one IAM action both streaming operations (ConverseStream included) are authorized with."""

DEFAULT_RETRY_AFTER_S: dict[str, int] = {"ThrottlingException": 5, "ModelNotReadyException": 10}
"""Retry-After (seconds) when Bedrock sends no ``Retry-After`` header itself."""

TRUNCATED = "truncated"


@dataclass(frozen=True, slots=True)
class _Kind:
    status: int
    error_type: str


_PRE_STREAM: dict[str, _Kind] = {
    "AccessDeniedException": _Kind(403, "access_denied"),
    "ResourceNotFoundException": _Kind(404, "model_not_found"),
    "ValidationException": _Kind(400, "invalid_request"),
    "ThrottlingException": _Kind(429, "throttled"),
    "ServiceQuotaExceededException": _Kind(429, "quota_exceeded"),
    "ModelNotReadyException": _Kind(503, "model_not_ready"),
    "ModelTimeoutException": _Kind(504, "model_timeout"),
    "ModelErrorException": _Kind(502, "model_error"),
    "ModelStreamErrorException": _Kind(502, "model_error"),
    "InternalServerException": _Kind(502, "upstream_error"),
    "ServiceUnavailableException": _Kind(503, "service_unavailable"),
}
_UNKNOWN = _Kind(502, "upstream_error")
_CODE_BY_STATUS: dict[int, str] = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


def upstream_error(exc: Exception, *, model_id: str, operation: str) -> AppError:
    """Map an exception raised by a boto3 streaming call (before any event) to a typed error.

    Exceptions that are not botocore's are returned unchanged inside an ``UpstreamError`` 502 too, so the caller
    always gets an AppError; the original stays attached as ``__cause__`` when the caller raises ``from exc``.
    """
    from botocore import exceptions as bex

    if isinstance(exc, bex.ClientError):
        return _from_client_error(exc.response, model_id=model_id, operation=operation)
    if isinstance(exc, bex.ParamValidationError):
        return InvalidRequestError(
            f"The request for model {model_id!r} does not fit Bedrock's {operation} shape: {exc}"
        )
    if isinstance(exc, bex.ReadTimeoutError):
        return UpstreamError(
            f"Bedrock did not start answering ({operation}, model {model_id!r}) within the read timeout",
            code="ReadTimeout",
            status_code=504,
            error_type="upstream_timeout",
        )
    if isinstance(exc, bex.ConnectTimeoutError):
        return UpstreamError(
            f"Connecting to Bedrock timed out ({operation}, model {model_id!r})",
            code="ConnectTimeout",
            status_code=504,
            error_type="upstream_timeout",
        )
    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return UpstreamError(
            f"The function has no usable AWS credentials to call Bedrock: {exc}",
            code=type(exc).__name__,
            status_code=500,
            error_type="configuration_error",
        )
    if isinstance(exc, bex.ConnectionError | bex.HTTPClientError):
        return UpstreamError(
            f"Could not reach Bedrock ({operation}, model {model_id!r}): {type(exc).__name__}",
            code=type(exc).__name__,
            status_code=502,
            error_type="upstream_unreachable",
            detail=str(exc),
        )
    return UpstreamError(
        f"Calling Bedrock failed ({operation}, model {model_id!r}): {type(exc).__name__}",
        code=type(exc).__name__,
        status_code=502,
        error_type="upstream_error",
        detail=str(exc),
    )


def _from_client_error(response: Mapping[str, Any], *, model_id: str, operation: str) -> UpstreamError:
    error = response.get("Error") or {}
    code = str(error.get("Code") or "")
    bedrock_message = str(error.get("Message") or "").strip()
    meta = response.get("ResponseMetadata") or {}
    headers = meta.get("HTTPHeaders") or {}
    status = meta.get("HTTPStatusCode")
    if (not code or code.isdigit()) and isinstance(status, int):
        # No x-amzn-ErrorType and no code in the body: botocore reports the HTTP status as the code.
        code = _CODE_BY_STATUS.get(status, "")
    kind = _PRE_STREAM.get(code, _UNKNOWN)
    retry_after = _retry_after(headers.get("retry-after"))
    if retry_after is None and code in DEFAULT_RETRY_AFTER_S:
        retry_after = DEFAULT_RETRY_AFTER_S[code]
    return UpstreamError(
        _message(code, bedrock_message, model_id=model_id, operation=operation, retry_after=retry_after),
        code=code or f"HTTP{status}",
        status_code=kind.status,
        error_type=kind.error_type,
        retry_after=retry_after,
    )


def _retry_after(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _message(code: str, said: str, *, model_id: str, operation: str, retry_after: int | None) -> str:
    quoted = f"Bedrock said: {said}" if said else f"Bedrock returned {code or 'an error'} without a message"
    model = repr(model_id)
    if code == "AccessDeniedException":
        return (
            f"Access to model {model} was denied ({quoted}). Allow the function's role the IAM action {IAM_ACTION} "
            "on this model (for an inference profile: on the profile and on the foundation models it routes to), "
            "and make sure model access is enabled in this account and Region: an administrator enables each model "
            "once in the Bedrock console (Anthropic models also need the one-time first-time-use form)."
        )
    if code == "ResourceNotFoundException":
        return f"Model {model} was not found in this Region ({quoted}). Check the model id and the Region."
    if code == "ValidationException":
        text = f"Bedrock rejected the {operation} request for model {model} ({quoted})."
        if "on-demand throughput" in said.lower() or "inference profile" in said.lower():
            text += (
                " This model can only be invoked through an inference profile: use the profile id, e.g. "
                f"'us.{model_id}' or 'global.{model_id}' (the prefix depends on the Region), and allow it in the "
                "deployment's model list."
            )
        return text
    if code == "ThrottlingException":
        return f"Bedrock throttled the request to model {model} ({quoted}). Retry after {retry_after} seconds."
    if code == "ServiceQuotaExceededException":
        return (
            f"A Bedrock service quota for model {model} is exhausted ({quoted}). "
            "Wait for the quota window to reset or request a quota increase."
        )
    if code == "ModelNotReadyException":
        return f"Model {model} is not ready to serve yet ({quoted}). Retry after {retry_after} seconds."
    if code == "ModelTimeoutException":
        return f"Model {model} took too long to respond ({quoted}). Retry, or shorten the prompt or max_tokens."
    if code in ("ModelErrorException", "ModelStreamErrorException"):
        return f"Model {model} failed while processing the request ({quoted})."
    if code in ("InternalServerException", "ServiceUnavailableException"):
        return f"Bedrock is temporarily unavailable for model {model} ({quoted}). Retry shortly."
    return f"Bedrock failed the {operation} request for model {model} with {code or 'an unknown error'} ({quoted})."


def mid_stream_error(exc: BaseException, *, model_id: str, operation: str) -> MidStreamError:
    """Map an exception raised while iterating a Bedrock event stream to a typed :class:`MidStreamError`."""
    from botocore import eventstream as bev
    from botocore import exceptions as bex

    where = f"the {operation} stream of model {model_id!r}"
    if isinstance(exc, bex.EventStreamError):
        error = exc.response.get("Error") or {}
        code = str(error.get("Code") or "")
        said = str(error.get("Message") or "")
        if not code and operation == "ConverseStream":
            # §4: ConverseStream's union has no modelTimeoutException, botocore reports it with an empty code.
            return MidStreamError(
                f"Bedrock aborted {where} with an unmodelled in-stream exception (a model timeout)",
                code="modelTimeoutException",
                before_first_byte=_as_pre_stream("modelTimeoutException", said, model_id, operation),
            )
        detail = f": {said}" if said else ""
        return MidStreamError(
            f"Bedrock aborted {where} with {code or 'an unnamed error'}{detail}",
            code=code or "unknownStreamException",
            before_first_byte=_as_pre_stream(code, said, model_id, operation),
        )
    if isinstance(exc, bev.ChecksumMismatch):
        return MidStreamError(f"A frame of {where} failed its CRC check", code="checksum_mismatch")
    if isinstance(exc, bev.ParserError):
        return MidStreamError(f"A frame of {where} is malformed", code="malformed_frame", detail=str(exc))
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"ReadTimeoutError", "TimeoutError", "timeout"}:
        return MidStreamError(f"Bedrock sent nothing on {where} for longer than the read timeout", code="read_timeout")
    if names & {"ProtocolError", "IncompleteRead", "ConnectionClosedError", "HTTPClientError", "OSError"}:
        return MidStreamError(
            f"The connection broke during {where} ({type(exc).__name__})",
            code="connection_lost",
            detail=str(exc),
        )
    return MidStreamError(f"Reading {where} failed: {type(exc).__name__}", code="stream_failed", detail=str(exc))


def _as_pre_stream(code: str, said: str, model_id: str, operation: str) -> UpstreamError | None:
    """The pre-stream error of the same exception (``throttlingException`` -> ``ThrottlingException`` 429, ...).

    The in-stream exception members of ``ConverseStreamOutput`` and ``ResponseStream`` are the lowerCamel names of
    the operation's error shapes (boto/botocore ``botocore/data/bedrock-runtime/2023-09-30/service-2.json``).
    """
    name = code[:1].upper() + code[1:]
    kind = _PRE_STREAM.get(name)
    if kind is None:
        return None
    retry_after = DEFAULT_RETRY_AFTER_S.get(name)
    return UpstreamError(
        _message(name, said.strip(), model_id=model_id, operation=operation, retry_after=retry_after),
        code=name,
        status_code=kind.status,
        error_type=kind.error_type,
        retry_after=retry_after,
    )


def truncated_error(*, model_id: str, operation: str, expected: str) -> MidStreamError:
    """The stream ended cleanly but without its terminal event (botocore ignores a truncated final frame)."""
    return MidStreamError(
        f"The {operation} stream of model {model_id!r} ended before its final {expected} event; "
        "the answer is incomplete",
        code=TRUNCATED,
    )
