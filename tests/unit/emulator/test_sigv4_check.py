"""``--verify-sigv4``'s checker against requests signed by botocore's own SigV4 (``SigV4Auth.add_auth``), the signer
boto3 uses for Lambda; each tampering the IAM check must refuse (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from emulator.sigv4_check import SigV4Credentials, SigV4Verifier

KEY = SigV4Credentials("ASIAEMULATOR", "secret-for-tests", "session-token")
HOST = "127.0.0.1:3000"
BODY = b'{"messages": []}'


def signed(
    *,
    secret: str = KEY.secret_access_key,
    token: str | None = KEY.session_token,
    region: str = "us-east-1",
    service: str = "lambda",
    body: bytes = BODY,
    target: str = "/v1/ui/chat?x=1",
    content_sha: bool = True,
) -> tuple[str, list[tuple[str, str]]]:
    """A POST signed by botocore; the target and the headers as the emulator would receive them."""
    headers = {"host": HOST, "content-type": "application/json"}
    if content_sha:
        headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    request = AWSRequest(method="POST", url=f"http://{HOST}{target}", data=body, headers=headers)
    SigV4Auth(Credentials(KEY.access_key_id, secret, token), service, region).add_auth(request)
    return target, [(name, str(value)) for name, value in request.headers.items()]


def check(target: str, headers: list[tuple[str, str]], body: bytes = BODY, **kwargs: datetime) -> str | None:
    return SigV4Verifier([KEY], "us-east-1").check("POST", target, headers, body, **kwargs)


def test_a_request_signed_by_botocore_passes() -> None:
    assert check(*signed()) is None


def test_an_encoded_path_and_query_pass() -> None:
    """The path as sent (``%3A`` for the model id's colon) is canonicalized the way botocore signed it."""
    assert check(*signed(target="/model/amazon.nova-micro-v1%3A0/invoke?format=sse&b=a%20b")) is None


def test_the_payload_hash_may_be_left_to_the_signature() -> None:
    assert check(*signed(content_sha=False)) is None


def test_no_authorization() -> None:
    target, headers = signed()
    assert check(target, [h for h in headers if h[0].lower() != "authorization"]) == "no Authorization header"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"secret": "wrong"}, "the signature does not match"),
        ({"region": "eu-west-1"}, "signed for region eu-west-1, not us-east-1"),
        ({"service": "execute-api"}, "signed for service execute-api, not lambda"),
        ({"token": None}, "temporary credentials need their session token, signed, in x-amz-security-token"),
    ],
)
def test_a_wrong_part_is_refused(change: dict[str, str | None], reason: str) -> None:
    assert check(*signed(**change)) == reason  # type: ignore[arg-type]


def test_a_changed_body_is_refused() -> None:
    target, headers = signed(content_sha=False)
    assert check(target, headers, body=b'{"messages": [1]}') == "the signature does not match"
    target, headers = signed()
    assert check(target, headers, body=b"{}") == "x-amz-content-sha256 is not the SHA-256 of the body"


def test_a_changed_query_or_signed_header_is_refused() -> None:
    target, headers = signed()
    assert check("/v1/ui/chat?x=2", headers) == "the signature does not match"
    swapped = [(n, "text/plain" if n.lower() == "content-type" else v) for n, v in headers]
    assert check(target, swapped) == "the signature does not match"


def test_unknown_key_and_old_dates_are_refused() -> None:
    target, headers = signed()
    assert SigV4Verifier([SigV4Credentials("OTHER", "x")], "us-east-1").check("POST", target, headers, BODY) == (
        "unknown access key id ASIAEMULATOR"
    )
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert (check(target, headers, now=later) or "").endswith("away from the clock")
