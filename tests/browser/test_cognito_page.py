"""The chat page's ``cognito`` auth mode in headless Chromium: the page signs in to a user pool with SRP, trades the
ID token for temporary credentials from an identity pool, and signs its requests with them; the emulator's SigV4
check (the stand-in for an AWS_IAM Function URL) accepts them.

Cognito is moto's server (user pool + identity pool over HTTP; the page talks to it with its real libraries through
the ``cognitoIdpEndpoint`` / ``cognitoIdentityEndpoint`` settings). moto issues one fixed set of temporary credentials
to every identity, so the test asks moto for them once and gives exactly those to the emulator's verifier.

What moto does not check, and so this test cannot: the SRP proof (moto accepts any PASSWORD_CLAIM_SIGNATURE, so a
wrong password would pass here), the ID token in ``Logins`` (moto's GetId and GetCredentialsForIdentity ignore it),
the role's policy. Not exercised: the first-sign-in ``NEW_PASSWORD_REQUIRED`` step (moto's challenge lacks the
``userAttributes`` / ``requiredAttributes`` parameters Cognito sends and the library parses), so the user here has a
permanent password; TOTP. The page's side of the rest is real: the SRP exchange (``USER_SRP_AUTH``,
``PASSWORD_VERIFIER``), the ``Logins`` map, the credential refresh, the signature.

References: Cognito user pool authentication flow
(https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow.html), identity
pool enhanced flow (https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html), Function URL
IAM auth (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from emulator.cli import build_parser, cors_from_args
from emulator.fake_bedrock import stub_text
from emulator.local import BedrockOptions, LocalLambda
from emulator.sigv4_check import SigV4Credentials, SigV4Verifier
from emulator.web_static import WebPageServer
from tests.browser.conftest import screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

REGION = "us-east-1"
NOVA = "amazon.nova-micro-v1:0"
EMAIL = "someone@example.com"
FIRST_PASSWORD = "Temporary-Passw0rd!"
PASSWORD = "Chosen-Passw0rd-2026!"
WAIT_MS = 20_000


@dataclass(frozen=True, slots=True)
class Pools:
    endpoint: str
    user_pool_id: str
    client_id: str
    identity_pool_id: str
    issued: SigV4Credentials
    """What moto's GetCredentialsForIdentity hands out (the same to every identity)."""


@pytest.fixture(scope="module")
def pools() -> Iterator[Pools]:
    """moto's Cognito on loopback: a user pool with a public SRP client, an admin-created user with a permanent
    password, an identity pool trusting that client."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    try:
        idp = session.client("cognito-idp", endpoint_url=endpoint)
        pool_id = idp.create_user_pool(PoolName="chat", UsernameAttributes=["email"])["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="page",
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool_id, Username=EMAIL, TemporaryPassword=FIRST_PASSWORD)
        idp.admin_set_user_password(UserPoolId=pool_id, Username=EMAIL, Password=PASSWORD, Permanent=True)
        identity = session.client("cognito-identity", endpoint_url=endpoint)
        identity_pool_id = identity.create_identity_pool(
            IdentityPoolName="chat",
            AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[
                {"ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool_id}", "ClientId": client_id}
            ],
        )["IdentityPoolId"]
        probe = identity.get_id(IdentityPoolId=identity_pool_id)["IdentityId"]
        issued = identity.get_credentials_for_identity(IdentityId=probe)["Credentials"]
        yield Pools(
            endpoint=endpoint,
            user_pool_id=pool_id,
            client_id=client_id,
            identity_pool_id=identity_pool_id,
            issued=SigV4Credentials(issued["AccessKeyId"], issued["SecretKey"], issued["SessionToken"]),
        )
    finally:
        server.stop()


@pytest.fixture(scope="module")
def site(pools: Pools) -> Iterator[WebPageServer]:
    """The built page with a deployment's cognito config.json (plus the local Cognito endpoints)."""
    config = {
        "endpoint": "http://127.0.0.1:9",  # replaced below, once the emulator has its port
        "auth": "cognito",
        "region": REGION,
        "userPoolId": pools.user_pool_id,
        "userPoolClientId": pools.client_id,
        "identityPoolId": pools.identity_pool_id,
        "cognitoIdpEndpoint": pools.endpoint,
        "cognitoIdentityEndpoint": pools.endpoint,
    }
    with WebPageServer(config) as server:
        yield server


@pytest.fixture(scope="module")
def signed(site: WebPageServer, pools: Pools) -> Iterator[LocalLambda]:
    """The Function URL with IAM auth that knows only the credentials the identity pool hands out."""
    cors = cors_from_args(build_parser().parse_args(["--cors-origin", site.url]))
    env = {"BEDROCK_STREAM_MODELS": NOVA, "BEDROCK_STREAM_DEFAULT_MODEL": NOVA}
    verifier = SigV4Verifier([pools.issued], region=REGION)
    with LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"), cors=cors, iam_auth=verifier) as lam:
        site.page_config["endpoint"] = lam.url
        yield lam


def _cognito_calls(requests: list[Request]) -> list[tuple[str, dict[str, Any]]]:
    """(X-Amz-Target operation, JSON body) of each POST the page sent to Cognito, in order."""
    calls = []
    for request in requests:
        target = request.headers.get("x-amz-target")
        if request.method == "POST" and target:
            calls.append((target.split(".", 1)[1], json.loads(request.post_data or "{}")))
    return calls


def _claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def test_sign_in_get_credentials_sign_requests_and_refresh_them(
    page: Page, site: WebPageServer, pools: Pools, signed: LocalLambda
) -> None:
    """SRP sign-in, GetId + GetCredentialsForIdentity with the pool's ID token, a
    signed chat the URL's IAM check accepts; after the credentials' half-life the page fetches new ones."""
    from playwright.sync_api import expect

    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.clock.install()  # the page's clock, moved forward below to reach the credentials' refresh time
    page.goto(site.url)
    form = page.get_by_test_id("sign-in")
    form.locator("input[name=username]").fill(EMAIL)
    form.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("sign-in-submit").click()
    expect(page.get_by_test_id("signed-in")).to_contain_text(EMAIL, timeout=WAIT_MS)
    expect(page.get_by_test_id("model").locator("option")).to_have_count(1, timeout=WAIT_MS)
    page.get_by_test_id("prompt").fill("Signed in with Cognito")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("message-assistant").get_by_test_id("text")).to_have_text(
        stub_text("Signed in with Cognito"), timeout=WAIT_MS
    )
    screenshot(page, "cognito-signed-in")
    stored = page.evaluate("() => [Object.keys(localStorage), Object.keys(sessionStorage), document.cookie]")
    assert stored == [[], [], ""]  # tokens stay in memory: nothing in localStorage, sessionStorage or cookies

    calls = _cognito_calls(requests)
    operations = [operation for operation, _ in calls]
    assert operations == ["InitiateAuth", "RespondToAuthChallenge", "GetId", "GetCredentialsForIdentity"]
    initiate = calls[0][1]
    assert initiate["AuthFlow"] == "USER_SRP_AUTH"
    assert set(initiate["AuthParameters"]) == {"USERNAME", "SRP_A"}  # the password never leaves the page
    verifier = calls[1][1]
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    assert {"PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP"} <= set(
        verifier["ChallengeResponses"]
    )
    assert PASSWORD not in json.dumps(calls)  # SRP: the password itself is never sent
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pools.user_pool_id}"
    get_id = calls[2][1]
    assert get_id["IdentityPoolId"] == pools.identity_pool_id
    assert list(get_id["Logins"]) == [provider]
    claims = _claims(get_id["Logins"][provider])
    assert (claims["token_use"], claims["aud"]) == ("id", pools.client_id)
    assert calls[3][1]["Logins"] == get_id["Logins"]
    to_function = [r for r in requests if r.url.startswith(signed.url) and r.method in ("GET", "POST")]
    assert {(r.method, r.url.removeprefix(signed.url)) for r in to_function} == {
        ("GET", "/v1/models"),
        ("POST", "/v1/ui/chat"),
    }
    for request in to_function:
        assert request.headers["x-amz-security-token"] == pools.issued.session_token
        assert f"Credential={pools.issued.access_key_id}/" in request.headers["authorization"]

    # moto's credentials last 90 s: the page keeps them for half of that, then asks the identity pool again.
    page.clock.fast_forward("01:00")
    page.get_by_test_id("prompt").fill("After the refresh")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("message-assistant").last.get_by_test_id("text").last).to_have_text(
        stub_text("After the refresh"), timeout=WAIT_MS
    )
    assert [operation for operation, _ in _cognito_calls(requests)][4:] == ["GetCredentialsForIdentity"]
