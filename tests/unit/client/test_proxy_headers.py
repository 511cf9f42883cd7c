"""What the signing proxy passes on in each direction (hop-by-hop: RFC 9110, section 7.6.1) and whom it serves."""

from __future__ import annotations

import pytest

from client.proxy_headers import forwarded_request_headers, forwarded_response_headers, refusal


def test_credentials_hop_by_hop_and_connection_listed_headers_stay_behind() -> None:
    headers = [
        ("Host", "127.0.0.1:8787"),
        ("Authorization", "Bearer sk-dummy"),
        ("X-Api-Key", "sk-dummy"),
        ("Connection", "keep-alive, X-Hop"),
        ("X-Hop", "only for this link"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "12"),
        ("X-Amz-Date", "20000101T000000Z"),
        ("X-Amz-Security-Token", "stale"),
        ("Expect", "100-continue"),
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream"),
        ("anthropic-version", "2023-06-01"),
        ("X-Stainless-Lang", "python"),
    ]
    assert forwarded_request_headers(headers) == [
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream"),
        ("anthropic-version", "2023-06-01"),
        ("X-Stainless-Lang", "python"),
    ]


def test_response_headers_keep_everything_end_to_end_and_repeated() -> None:
    headers = [
        ("Content-Type", "text/event-stream"),
        ("Transfer-Encoding", "chunked"),
        ("Connection", "close"),
        ("x-amzn-RequestId", "r-1"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Content-Length", "5"),
    ]
    assert forwarded_response_headers(headers) == [
        ("Content-Type", "text/event-stream"),
        ("x-amzn-RequestId", "r-1"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Content-Length", "5"),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"host": "127.0.0.1:8787"},
        {"host": "localhost:8787"},
        {"host": "[::1]:8787"},
        {"host": "127.0.0.1:8787", "origin": "http://localhost:5173"},
    ],
)
def test_loopback_callers_are_served(headers: dict[str, str]) -> None:
    assert refusal(headers) is None


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"host": "attacker.example:8787"}, "Host"),
        ({"host": "10.0.0.2:8787"}, "Host"),
        ({"host": "127.0.0.1:8787", "origin": "https://attacker.example"}, "Origin"),
        ({"host": "127.0.0.1:8787", "origin": "null"}, "Origin"),
    ],
)
def test_callers_from_elsewhere_are_refused_with_the_reason(headers: dict[str, str], named: str) -> None:
    reason = refusal(headers)
    assert reason is not None
    assert reason.startswith(named)
