"""The browser presets' context keys (``browserAuth``, ``cloudFront``, ``webHosting``): defaults, ``-c`` text, and
the cross-checks against the rest of the configuration (pure, no synth)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.browser_config import SIGV4_CORS_HEADERS, BrowserAuthConfig, CloudFrontConfig
from infra.config import CONTEXT_KEYS, ConfigError, StackConfig

BASE: dict[str, Any] = {"models": ["amazon.nova-micro-v1:0"]}
CORS = {"allowOrigins": ["https://chat.example.com"]}
PUBLIC = {"allowPublicUrl": True, "reservedConcurrency": 5}
CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"


def load(**context: Any) -> StackConfig:
    values = {**BASE, **context}
    return StackConfig.from_context(values.get)


def problems(**context: Any) -> str:
    with pytest.raises(ConfigError) as info:
        load(**context)
    return "\n".join(info.value.problems)


def test_presets_are_off_by_default_and_documented() -> None:
    presets = load().browser
    assert (presets.browser_auth, presets.cloud_front, presets.web_hosting) == (None, None, False)
    assert {"browserAuth", "cloudFront", "webHosting"} <= set(CONTEXT_KEYS)


def test_browser_auth_cognito_defaults_to_closed_sign_up_optional_mfa_and_the_plus_plan() -> None:
    assert load(browserAuth="cognito", cors=CORS).browser.browser_auth == BrowserAuthConfig(
        mfa="optional", self_sign_up=False, feature_plan="PLUS"
    )


def test_browser_auth_options_and_json_text_from_the_command_line() -> None:
    text = (
        '{"mfa": "required", "selfSignUp": true, "callbackUrls": ["https://chat.example.com/cb", '
        '"http://localhost:5173/"], "logoutUrls": ["https://chat.example.com/"], "domainPrefix": "my-chat-1"}'
    )
    auth = load(browserAuth=text, cors='{"allowOrigins": ["https://chat.example.com"]}').browser.browser_auth
    assert auth == BrowserAuthConfig(
        mfa="required",
        self_sign_up=True,
        callback_urls=("https://chat.example.com/cb", "http://localhost:5173/"),
        logout_urls=("https://chat.example.com/",),
        domain_prefix="my-chat-1",
    )


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"browserAuth": "cognito"}, "browserAuth: set cors"),
        (
            {
                "browserAuth": "cognito",
                "cors": CORS,
                "authType": "NONE",
                "allowPublicUrl": True,
                "reservedConcurrency": 1,
            },
            "authType must be AWS_IAM",
        ),
        ({"browserAuth": "oidc", "cors": CORS}, "browserAuth.type: 'oidc'"),
        ({"browserAuth": {"mfa": "sms"}, "cors": CORS}, "browserAuth.mfa: 'sms'"),
        ({"browserAuth": {"featurePlan": "LITE"}, "cors": CORS}, "browserAuth.featurePlan: 'LITE'"),
        ({"browserAuth": {"selfSignUp": "yes"}, "cors": CORS}, "browserAuth.selfSignUp"),
        ({"browserAuth": {"colour": "red"}, "cors": CORS}, "browserAuth: expected"),
        (
            {"browserAuth": {"callbackUrls": ["http://chat.example.com/"], "domainPrefix": "chat"}, "cors": CORS},
            "browserAuth.callbackUrls: 'http://chat.example.com/' is not an https URL",
        ),
        (
            {"browserAuth": {"callbackUrls": ["https://chat.example.com/#x"], "domainPrefix": "chat"}, "cors": CORS},
            "without a fragment",
        ),
        (
            {"browserAuth": {"callbackUrls": ["https://chat.example.com/"]}, "cors": CORS},
            "browserAuth.domainPrefix: the hosted UI",
        ),
        ({"browserAuth": {"domainPrefix": "my-aws-chat"}, "cors": CORS}, "browserAuth.domainPrefix: 'my-aws-chat'"),
        ({"browserAuth": {"domainPrefix": "Chat"}, "cors": CORS}, "browserAuth.domainPrefix: 'Chat'"),
        (
            {"browserAuth": {"logoutUrls": ["https://chat.example.com/"], "domainPrefix": "chat"}, "cors": CORS},
            "browserAuth.logoutUrls: only with callbackUrls",
        ),
    ],
)
def test_browser_auth_mistakes_are_named(context: dict[str, Any], message: str) -> None:
    assert message in problems(**context)


def test_browser_auth_needs_every_sigv4_header_in_the_urls_cors() -> None:
    headers = [h for h in SIGV4_CORS_HEADERS if h != "x-amz-security-token"]
    found = problems(browserAuth="cognito", cors={**CORS, "allowHeaders": headers})
    assert "cors.allowHeaders: browserAuth needs x-amz-security-token too" in found
    upper = [h.upper() for h in SIGV4_CORS_HEADERS]  # header names are case-insensitive
    assert load(browserAuth="cognito", cors={**CORS, "allowHeaders": upper}).browser.browser_auth is not None


def test_cloud_front_true_takes_the_defaults() -> None:
    assert load(cloudFront="true", **PUBLIC).browser.cloud_front == CloudFrontConfig()
    front = load(cloudFront={"domainName": "chat.example.com", "certificateArn": CERTIFICATE}, **PUBLIC).browser
    assert front.cloud_front == CloudFrontConfig(domain_name="chat.example.com", certificate_arn=CERTIFICATE)


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"cloudFront": True, "authType": "NONE", **PUBLIC}, "origin access control needs the Function URL's authType"),
        ({"cloudFront": True, "reservedConcurrency": 5}, "cloudFront: with authType AWS_IAM the distribution itself"),
        ({"cloudFront": True, "allowPublicUrl": True}, "reservedConcurrency: a public CloudFront distribution"),
        ({"cloudFront": True, "heartbeatSeconds": 0, **PUBLIC}, "heartbeatSeconds: behind CloudFront"),
        ({"cloudFront": {"readTimeoutSeconds": 10}, "heartbeatSeconds": 15, **PUBLIC}, "below cloudFront.readTimeout"),
        ({"cloudFront": {"readTimeoutSeconds": 0}, **PUBLIC}, "cloudFront.readTimeoutSeconds: expected whole seconds"),
        ({"cloudFront": {"keepaliveSeconds": 181}, **PUBLIC}, "cloudFront.keepaliveSeconds"),
        ({"cloudFront": {"domainName": "chat.example.com"}, **PUBLIC}, "domainName and certificateArn go together"),
        (
            {
                "cloudFront": {
                    "domainName": "chat.example.com",
                    "certificateArn": CERTIFICATE.replace("us-east-1", "eu-west-1"),
                },
                **PUBLIC,
            },
            "is not an ACM certificate ARN in us-east-1",
        ),
        (
            {"cloudFront": {"domainName": "Chat_Example", "certificateArn": CERTIFICATE}, **PUBLIC},
            "cloudFront.domainName: 'Chat_Example'",
        ),
        ({"cloudFront": {"priceClass": "PriceClass_1"}, **PUBLIC}, "cloudFront.priceClass"),
        (
            {"cloudFront": {"webAclArn": "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/a/b"}, **PUBLIC},
            "cloudFront.webAclArn",
        ),
        ({"cloudFront": {"cache": True}, **PUBLIC}, "cloudFront: expected true or an object"),
        (
            {"browserAuth": "cognito", "cors": CORS, "cloudFront": True, **PUBLIC},
            "browserAuth and cloudFront exclude each other",
        ),
        (
            {"webHosting": True},
            "webHosting: the page needs either cloudFront (page and API on one distribution) or browserAuth",
        ),
        ({"webHosting": "maybe"}, "webHosting: expected true or false"),
    ],
)
def test_cloud_front_and_web_hosting_mistakes_are_named(context: dict[str, Any], message: str) -> None:
    assert message in problems(**context)


def test_web_hosting_with_browser_auth_needs_no_cors_and_no_cloud_front() -> None:
    """The stack hosts the page on its own distribution and allows that origin in the URL's CORS itself."""
    presets = load(browserAuth="cognito", webHosting="true").browser
    assert (presets.web_hosting, presets.cloud_front) == (True, None)
    assert presets.browser_auth == BrowserAuthConfig()
    assert "webHosting true" in problems(browserAuth="cognito")  # the message names the way out
    assert "cors.allowHeaders: browserAuth needs x-amz-date" in problems(
        browserAuth="cognito",
        webHosting=True,
        cors={"allowOrigins": ["https://a.example.com"], "allowHeaders": ["accept", "authorization", "content-type"]},
    )


def test_web_hosting_with_cloud_front_from_command_line_text() -> None:
    presets = load(cloudFront="true", webHosting="true", **PUBLIC).browser
    assert presets.web_hosting is True
    assert presets.cloud_front == CloudFrontConfig()


def test_every_problem_is_reported_together() -> None:
    found = problems(browserAuth={"mfa": "sms"}, cloudFront={"priceClass": "x"}, webHosting="maybe")
    for message in ("browserAuth.mfa", "cloudFront.priceClass", "webHosting: expected", "browserAuth: set cors"):
        assert message in found
