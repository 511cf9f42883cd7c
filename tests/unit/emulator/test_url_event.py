"""The Function URL payload 2.0 event builder: pure."""

from __future__ import annotations

import base64

import pytest

from emulator.url_event import UrlConfig, build_url_event, is_text_content_type

NOW = 1583348638.390


def _event(**kwargs: object) -> dict[str, object]:
    args: dict[str, object] = {
        "method": "POST",
        "target": "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
        "headers": [
            ("Host", "abc.lambda-url.us-east-1.on.aws"),
            ("User-Agent", "agent"),
            ("Header1", "value1"),
            ("header2", "value1"),
            ("Header2", "value2"),
            ("Cookie", "cookie1; cookie2"),
            ("Cookie", "cookie3=x"),
            ("Content-Type", "text/plain"),
        ],
        "body": b"Hello from client!",
        "source_ip": "123.123.123.123",
        "config": UrlConfig(url_id="urlid", region="us-west-2"),
        "request_id": "id",
        "now": NOW,
    }
    args.update(kwargs)
    return build_url_event(**args)  # type: ignore[arg-type]


def test_documented_sample_shape() -> None:
    event = _event()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/my/path"
    assert event["rawQueryString"] == "parameter1=value1&parameter1=value2&parameter2=value"
    assert event["cookies"] == ["cookie1", "cookie2", "cookie3=x"]
    headers = event["headers"]
    assert isinstance(headers, dict)
    assert headers["header1"] == "value1"
    assert headers["header2"] == "value1,value2"
    assert "cookie" not in headers
    assert all(name == name.lower() for name in headers)
    assert event["queryStringParameters"] == {"parameter1": "value1,value2", "parameter2": "value"}
    assert event["body"] == "Hello from client!"
    assert event["isBase64Encoded"] is False
    assert event["requestContext"] == {
        "accountId": "anonymous",
        "apiId": "urlid",
        "domainName": "urlid.lambda-url.us-west-2.on.aws",
        "domainPrefix": "urlid",
        "http": {
            "method": "POST",
            "path": "/my/path",
            "protocol": "HTTP/1.1",
            "sourceIp": "123.123.123.123",
            "userAgent": "agent",
        },
        "requestId": "id",
        "routeKey": "$default",
        "stage": "$default",
        "time": "04/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390,
    }


def test_binary_body_is_base64() -> None:
    body = bytes(range(256))
    event = _event(headers=[("Content-Type", "application/octet-stream")], body=body)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(str(event["body"])) == body


def test_text_type_with_invalid_utf8_falls_back_to_base64() -> None:
    event = _event(headers=[("Content-Type", "application/json")], body=b"\xff{}")
    assert event["isBase64Encoded"] is True


def test_empty_body_and_query_are_absent() -> None:
    event = _event(method="GET", target="/", headers=[], body=b"")
    assert "body" not in event
    assert "queryStringParameters" not in event
    assert "cookies" not in event
    assert event["rawQueryString"] == ""


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/plain; charset=utf-8", True),
        ("application/json", True),
        ("application/problem+json", True),
        ("application/x-www-form-urlencoded", True),
        ("image/png", False),
        ("application/octet-stream", False),
        (None, False),
    ],
)
def test_text_content_types(content_type: str | None, text: bool) -> None:
    assert is_text_content_type(content_type) is text
