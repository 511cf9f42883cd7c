"""Function URL parsing: Region from the host, loopback detection, normalization."""

from __future__ import annotations

import pytest

from client.errors import ConfigError
from client.urls import canonical_query, is_local_url, join_url, normalize_base_url, region_from_url


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://abc123.lambda-url.us-east-1.on.aws/", "us-east-1"),
        ("https://ABC123.lambda-url.ap-southeast-2.on.aws", "ap-southeast-2"),
        ("https://x9.lambda-url.us-gov-west-1.on.aws/v1/chat/completions", "us-gov-west-1"),
        ("https://x9.lambda-url.eu-central-2.on.aws:443/models", "eu-central-2"),
        ("https://example.com/", None),
        ("https://abc.lambda-url.us-east-1.on.aws.evil.example/", None),
        ("http://127.0.0.1:3000", None),
    ],
)
def test_region_from_url(url: str, region: str | None) -> None:
    assert region_from_url(url) == region


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:3000", True),
        ("http://127.9.9.9:1/", True),
        ("http://localhost:3000/", True),
        ("http://[::1]:3000/", True),
        ("https://abc.lambda-url.us-east-1.on.aws", False),
        ("http://10.0.0.1:3000", False),
        ("http://localhost.example.com", False),
    ],
)
def test_is_local_url(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_normalize_and_join() -> None:
    base = normalize_base_url(" https://abc.lambda-url.us-east-1.on.aws/ ")
    assert base == "https://abc.lambda-url.us-east-1.on.aws"
    assert join_url(base, "/models") == "https://abc.lambda-url.us-east-1.on.aws/models"
    assert join_url(base + "/", "v1/chat/completions") == base + "/v1/chat/completions"


@pytest.mark.parametrize("url", ["abc.lambda-url.us-east-1.on.aws", "ftp://x/", "https://x/?a=1", "http:///p"])
def test_normalize_rejects_bad_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        normalize_base_url(url)


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("limit=5&after=a+b%2Fc", "limit=5&after=a%20b%2Fc"),
        ("q=caf%C3%A9&q=%7Etilde-_.", "q=caf%C3%A9&q=~tilde-_."),
        ("flag&empty=", "flag=&empty="),
        ("plus=%2B&star=*", "plus=%2B&star=%2A"),
    ],
)
def test_canonical_query_encodes_like_sigv4_and_keeps_the_order(query: str, canonical: str) -> None:
    assert canonical_query(query) == canonical
