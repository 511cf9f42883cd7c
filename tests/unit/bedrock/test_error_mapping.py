"""Error mapping tables: botocore's own exception values -> UpstreamError / MidStreamError."""

from __future__ import annotations

import pytest
from botocore import eventstream as bev
from botocore import exceptions as bex

from bedrock_stream.bedrock import mid_stream_error, upstream_error
from bedrock_stream.errors import InvalidRequestError, MidStreamError, UpstreamError

MODEL = "us.anthropic.claude-opus-4-6-v1"


def client_error(
    code: str, status: int, message: str = "msg", headers: dict[str, str] | None = None
) -> bex.ClientError:
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers or {}},
    }
    return bex.ClientError(response, "ConverseStream")


TABLE = [
    ("AccessDeniedException", 403, 403, None),
    ("ResourceNotFoundException", 404, 404, None),
    ("ValidationException", 400, 400, None),
    ("ThrottlingException", 429, 429, 5),
    ("ServiceQuotaExceededException", 400, 429, None),
    ("ModelNotReadyException", 429, 503, 10),
    ("ModelTimeoutException", 408, 504, None),
    ("ModelErrorException", 424, 502, None),
    ("InternalServerException", 500, 502, None),
    ("ServiceUnavailableException", 503, 503, None),
    ("BrandNewException", 499, 502, None),
    ("400", 400, 400, None),  # no x-amzn-ErrorType: botocore reports the status as the code
    ("502", 502, 502, None),
]


@pytest.mark.parametrize(("code", "http", "status", "retry_after"), TABLE)
def test_pre_stream_table(code: str, http: int, status: int, retry_after: int | None) -> None:
    error = upstream_error(client_error(code, http), model_id=MODEL, operation="ConverseStream")
    assert isinstance(error, UpstreamError)
    assert (error.status_code, error.retry_after) == (status, retry_after)
    assert MODEL in error.message


def test_access_denied_message_is_actionable() -> None:
    error = upstream_error(client_error("AccessDeniedException", 403), model_id=MODEL, operation="ConverseStream")
    for words in (
        "bedrock:InvokeModelWithResponseStream",
        MODEL,
        "model access",
        "first-time-use",
        "inference profile",
    ):
        assert words in error.message


@pytest.mark.parametrize(
    ("exc", "status", "error_type"),
    [
        (bex.ReadTimeoutError(endpoint_url="http://x"), 504, "upstream_timeout"),
        (bex.ConnectTimeoutError(endpoint_url="http://x"), 504, "upstream_timeout"),
        (bex.EndpointConnectionError(endpoint_url="http://x"), 502, "upstream_unreachable"),
        (bex.ConnectionClosedError(endpoint_url="http://x"), 502, "upstream_unreachable"),
        (bex.NoCredentialsError(), 500, "configuration_error"),
        (RuntimeError("odd"), 502, "upstream_error"),
    ],
)
def test_pre_stream_transport_errors(exc: Exception, status: int, error_type: str) -> None:
    error = upstream_error(exc, model_id=MODEL, operation="InvokeModelWithResponseStream")
    assert (error.status_code, error.error_type) == (status, error_type)


def test_param_validation_is_a_request_error() -> None:
    error = upstream_error(bex.ParamValidationError(report="bad"), model_id=MODEL, operation="ConverseStream")
    assert isinstance(error, InvalidRequestError)


def stream_error(code: str, message: str, operation: str) -> bex.EventStreamError:
    return bex.EventStreamError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("code", "operation", "expected", "status_if_unsent"),
    [
        ("modelStreamErrorException", "ConverseStream", "modelStreamErrorException", 502),
        ("throttlingException", "ConverseStream", "throttlingException", 429),
        ("validationException", "ConverseStream", "validationException", 400),
        ("internalServerException", "InvokeModelWithResponseStream", "internalServerException", 502),
        ("serviceUnavailableException", "InvokeModelWithResponseStream", "serviceUnavailableException", 503),
        ("modelTimeoutException", "InvokeModelWithResponseStream", "modelTimeoutException", 504),
        ("", "ConverseStream", "modelTimeoutException", 504),  # doc §4 quirk
        ("", "InvokeModelWithResponseStream", "unknownStreamException", None),
        ("InternalFailure", "ConverseStream", "InternalFailure", None),
    ],
)
def test_in_stream_table(code: str, operation: str, expected: str, status_if_unsent: int | None) -> None:
    error = mid_stream_error(stream_error(code, "m", operation), model_id=MODEL, operation=operation)
    unsent = error.before_first_byte
    assert (error.code, unsent and unsent.status_code) == (expected, status_if_unsent)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (bev.ChecksumMismatch(1, 2), "checksum_mismatch"),
        (bev.InvalidPayloadLength(99999999), "malformed_frame"),
        (TimeoutError("timed out"), "read_timeout"),
        (ConnectionResetError(104, "reset"), "connection_lost"),
        (ValueError("x"), "stream_failed"),
    ],
)
def test_in_stream_transport_errors(exc: BaseException, code: str) -> None:
    error = mid_stream_error(exc, model_id=MODEL, operation="ConverseStream")
    assert isinstance(error, MidStreamError)
    assert error.code == code
