"""Client-facing error messages never quote transport or SDK exception text (endpoint URLs, file paths);
the full text stays in ``detail``, which only the logs show."""

from __future__ import annotations

import pytest
from botocore import exceptions as bex

from bedrock_stream.bedrock.error_mapping import mid_stream_error, upstream_error

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
URL = "https://bedrock-runtime.eu-west-3.amazonaws.com/model/x/converse-stream"
PATH = "/var/task/secret/config.ini"


@pytest.mark.parametrize(
    "exc",
    [
        bex.EndpointConnectionError(endpoint_url=URL),
        bex.ConnectionClosedError(endpoint_url=URL),
        RuntimeError(f"could not read {PATH}"),
    ],
)
def test_pre_stream_messages_keep_endpoints_and_paths_for_the_log(exc: Exception) -> None:
    error = upstream_error(exc, model_id=MODEL, operation="ConverseStream")
    assert URL not in error.message
    assert PATH not in error.message
    assert type(exc).__name__ in error.message
    assert URL in str(error.detail) or PATH in str(error.detail)


@pytest.mark.parametrize(
    "exc", [bex.ConnectionClosedError(endpoint_url=URL), ConnectionResetError(104, URL), ValueError(PATH)]
)
def test_mid_stream_messages_keep_endpoints_and_paths_for_the_log(exc: Exception) -> None:
    error = mid_stream_error(exc, model_id=MODEL, operation="ConverseStream")
    assert URL not in error.message
    assert PATH not in error.message
    assert URL in str(error.detail) or PATH in str(error.detail)
