"""HTTP-event detection and the Content-Type of a streamed response (no sockets)."""

from __future__ import annotations

import pytest

from streaming_runtime.integration import (
    DEFAULT_CONTENT_TYPE,
    HTTP_INTEGRATION_CONTENT_TYPE,
    content_type,
    is_http_event,
)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"version": "2.0", "requestContext": {"http": {"method": "GET"}}}, True),  # Function URL, payload 2.0
        ({"httpMethod": "POST", "requestContext": {"stage": "prod"}}, True),  # API Gateway REST proxy v1
        ({"httpMethod": None}, True),
        ({"requestContext": {"stage": "prod"}}, False),
        ({"requestContext": "http"}, False),
        ({"requestContext": ["http"]}, False),
        ({"prompt": "hi"}, False),  # direct InvokeWithResponseStream payload
        ([{"requestContext": {"http": {}}}], False),
        ("httpMethod", False),
        (None, False),
    ],
)
def test_is_http_event(event: object, expected: bool) -> None:
    assert is_http_event(event) is expected


def test_http_events_use_the_integration_content_type_whatever_the_headers() -> None:
    assert content_type(True, {"content-type": "text/plain"}) == HTTP_INTEGRATION_CONTENT_TYPE
    assert HTTP_INTEGRATION_CONTENT_TYPE == "application/vnd.awslambda.http-integration-response"


def test_non_http_events_use_the_response_content_type_case_insensitively() -> None:
    assert content_type(False, {"Content-Type": "application/x-ndjson"}) == "application/x-ndjson"
    assert content_type(False, {"CONTENT-TYPE": "text/plain"}) == "text/plain"
    assert content_type(False, {"x-other": "1"}) == DEFAULT_CONTENT_TYPE == "application/octet-stream"
