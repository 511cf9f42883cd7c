"""FunctionUrlAuth against an independent SigV4 implementation (requests-aws4auth) at the same signing time.

FunctionUrlAuth signs through botocore's public ``SigV4Auth.add_auth`` (current time); the independent signer is
given the ``x-amz-date`` our request carries, so both sign the same string.
"""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest
import requests
from botocore.credentials import Credentials
from requests_aws4auth import AWS4Auth

from client.auth import FunctionUrlAuth
from client.errors import ConfigError

URL = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/v1/chat/completions?format=sse"
BODY = '{"prompt": "Grüße, 世界", "max_tokens": 64}'.encode()
CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example")


def _httpx_signed(body: bytes = BODY, url: str = URL, creds: Credentials = CREDS, **auth_kw: object) -> httpx.Request:
    request = httpx.Request(
        "POST",
        url,
        content=body,
        headers={
            "content-type": "application/json",
            "accept": "text/event-stream",
            "authorization": "Bearer unused",  # what the OpenAI SDK sends
            "x-stainless-lang": "python",
        },
    )
    auth = FunctionUrlAuth(credentials=creds, **auth_kw)  # type: ignore[arg-type]
    flow = auth.sync_auth_flow(request)
    signed = next(flow)
    assert signed is request
    return signed


def _aws4auth_signed(amz_date: str, body: bytes = BODY, region: str = "eu-west-1") -> requests.PreparedRequest:
    prepared = requests.Request(
        "POST",
        URL,
        data=body,
        headers={"content-type": "application/json", "x-amz-date": amz_date},
    ).prepare()
    auth = AWS4Auth(CREDS.access_key, CREDS.secret_key, region, "lambda", session_token=CREDS.token)
    signed: requests.PreparedRequest = auth(prepared)
    return signed


def test_authorization_matches_independent_implementation() -> None:
    ours = _httpx_signed()
    amz_date = ours.headers["x-amz-date"]
    assert re.fullmatch(r"\d{8}T\d{6}Z", amz_date)
    theirs = _aws4auth_signed(amz_date)
    assert ours.headers["x-amz-security-token"] == "session-token-example"
    assert ours.headers["authorization"] == theirs.headers["Authorization"]
    assert ours.headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{amz_date[:8]}/eu-west-1/lambda/aws4_request, "
    )


def test_bearer_header_is_replaced_by_the_signature() -> None:
    signed = _httpx_signed()
    assert signed.headers.get_list("authorization") == [signed.headers["authorization"]]
    assert "Bearer" not in signed.headers["authorization"]
    signed_headers = signed.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed_headers == "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token"


def test_payload_hash_is_signed() -> None:
    signed = _httpx_signed()
    assert signed.headers["x-amz-content-sha256"] == hashlib.sha256(BODY).hexdigest()
    other = _httpx_signed(body=BODY.replace(b"64", b"65"))
    assert other.headers["x-amz-content-sha256"] == hashlib.sha256(BODY.replace(b"64", b"65")).hexdigest()
    assert other.headers["authorization"] != signed.headers["authorization"]
    theirs = _aws4auth_signed(other.headers["x-amz-date"], body=BODY.replace(b"64", b"65"))
    assert other.headers["authorization"] == theirs.headers["Authorization"]


def test_signs_the_bytes_of_a_streamed_body() -> None:
    def chunks():
        yield BODY[:5]
        yield BODY[5:]

    request = httpx.Request("POST", URL, content=chunks(), headers={"content-type": "application/json"})
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=r.headers["x-amz-content-sha256"]))
    auth = FunctionUrlAuth(credentials=CREDS)
    with httpx.Client(transport=transport) as client:
        response = client.send(request, auth=auth)
    assert response.text == hashlib.sha256(BODY).hexdigest()


def test_explicit_region_wins_and_unknown_region_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    signed = _httpx_signed(url="https://example.com/", region="us-west-2")
    assert "/us-west-2/lambda/aws4_request" in signed.headers["authorization"]
    with pytest.raises(ConfigError, match="Region"):
        _httpx_signed(url="https://example.com/", profile="__no_such_profile_for_tests__")


def test_a_form_encoded_query_is_sent_in_the_form_it_is_signed_in() -> None:
    """botocore signs a URL's query as written; a form-encoded ``+`` would be signed as ``+`` while the service
    canonicalizes it to ``%20``. The request goes out canonically encoded and signed that way."""
    url = "https://abc123.lambda-url.eu-west-1.on.aws/v1/models?after=a+b%2Fc&limit=5&flag"
    request = httpx.Request("GET", url)
    FunctionUrlAuth(credentials=CREDS).sign(request)
    assert request.url.query == b"after=a%20b%2Fc&limit=5&flag="
    theirs = requests.Request("GET", str(request.url), headers={"x-amz-date": request.headers["x-amz-date"]}).prepare()
    AWS4Auth(CREDS.access_key, CREDS.secret_key, "eu-west-1", "lambda", session_token=CREDS.token)(theirs)
    assert request.headers["authorization"] == theirs.headers["Authorization"]
