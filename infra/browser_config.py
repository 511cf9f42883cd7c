"""Typed, validated settings of the browser presets: ``browserAuth`` (Cognito), ``cloudFront`` and ``webHosting``.

Pure data and checks (no CDK): :mod:`infra.config` calls :func:`read_browser_presets` with the raw context values
and its problem collector, so every mistake is reported with the others in one ``ConfigError``.

Limits followed: Cognito user pool domain prefixes (lower-case letters, digits and hyphens, 1..63, no ``aws``,
``amazon`` or ``cognito``): https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html;
app client callback URLs (https, or http only for localhost; at most 100):
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html; CloudFront needs
its ACM certificate in us-east-1:
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html; origin
response and keep-alive timeouts (1..60 s without a quota increase, up to 180 with one):
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "BROWSER_AUTH_TYPES",
    "FEATURE_PLANS",
    "MFA_MODES",
    "SIGV4_CORS_HEADERS",
    "BrowserAuthConfig",
    "BrowserPresets",
    "CloudFrontConfig",
    "read_browser_presets",
]

BROWSER_AUTH_TYPES: Final = ("cognito",)
MFA_MODES: Final = ("off", "optional", "required")
FEATURE_PLANS: Final = ("PLUS", "ESSENTIALS")
# What a browser that signs with SigV4 sends: the Function URL's CORS must allow every one of them.
SIGV4_CORS_HEADERS: Final = (
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "content-type",
    "accept",
)
PRICE_CLASSES: Final = ("PriceClass_100", "PriceClass_200", "PriceClass_All")

_BROWSER_AUTH_KEYS: Final = ("type", "mfa", "selfSignUp", "featurePlan", "callbackUrls", "logoutUrls", "domainPrefix")
_CLOUD_FRONT_KEYS: Final = (
    "domainName",
    "certificateArn",
    "readTimeoutSeconds",
    "keepaliveSeconds",
    "priceClass",
    "webAclArn",
)
_DOMAIN_PREFIX = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_APP_URL = re.compile(r"(https://[A-Za-z0-9.\-]+(:\d+)?|http://localhost(:\d+)?)(/[^\s#]*)?")
_DOMAIN_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_US_EAST_1_CERTIFICATE = re.compile(r"arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}")
_GLOBAL_WEB_ACL = re.compile(r"arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/[A-Za-z0-9_-]{1,128}/[0-9a-f-]{36}")


@dataclass(frozen=True, slots=True, kw_only=True)
class BrowserAuthConfig:
    """``browserAuth``: a Cognito user pool + identity pool whose signed-in users may call only this Function URL."""

    mfa: str = "optional"
    self_sign_up: bool = False
    feature_plan: str = "PLUS"
    callback_urls: tuple[str, ...] = ()
    """Hosted UI (authorization code + PKCE) redirect targets; empty: SRP sign-in from the page only."""
    logout_urls: tuple[str, ...] = ()
    domain_prefix: str | None = None
    """The hosted UI's ``https://<prefix>.auth.<region>.amazoncognito.com``; required with callback URLs."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudFrontConfig:
    """``cloudFront``: a distribution in front of the Function URL, signed to it with origin access control."""

    domain_name: str | None = None
    certificate_arn: str | None = None
    read_timeout_s: int = 60
    keepalive_s: int = 5
    price_class: str = "PriceClass_100"
    web_acl_arn: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BrowserPresets:
    """The three optional presets, as read from the context."""

    browser_auth: BrowserAuthConfig | None = None
    cloud_front: CloudFrontConfig | None = None
    web_hosting: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class _Deployment:
    """The rest of the configuration the presets must agree with."""

    auth_type: str
    cors_origins: tuple[str, ...] | None
    cors_headers: tuple[str, ...]
    allow_public_url: bool
    reserved_concurrency: int | None
    allow_unreserved_concurrency: bool
    heartbeat_s: float


def read_browser_presets(
    *,
    browser_auth: Any,
    cloud_front: Any,
    web_hosting: Any,
    fail: Callable[[str], None],
    auth_type: str,
    cors_origins: tuple[str, ...] | None,
    cors_headers: tuple[str, ...],
    allow_public_url: bool,
    reserved_concurrency: int | None,
    allow_unreserved_concurrency: bool,
    heartbeat_s: float,
) -> BrowserPresets:
    """Parse the three raw context values (JSON already decoded) and check them against the rest of the config."""
    presets = BrowserPresets(
        browser_auth=_browser_auth(browser_auth, fail),
        cloud_front=_cloud_front(cloud_front, fail),
        web_hosting=_web_hosting(web_hosting, fail),
    )
    _check_together(
        presets,
        _Deployment(
            auth_type=auth_type,
            cors_origins=cors_origins,
            cors_headers=cors_headers,
            allow_public_url=allow_public_url,
            reserved_concurrency=reserved_concurrency,
            allow_unreserved_concurrency=allow_unreserved_concurrency,
            heartbeat_s=heartbeat_s,
        ),
        fail,
    )
    return presets


def _browser_auth(value: Any, fail: Callable[[str], None]) -> BrowserAuthConfig | None:
    if value is None or value in ("", "none", False):
        return None
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict) or not set(value) <= set(_BROWSER_AUTH_KEYS):
        keys = ", ".join(_BROWSER_AUTH_KEYS)
        fail(f'browserAuth: expected "cognito" or an object with some of {keys}, got {value!r}')
        return None
    if value.get("type", "cognito") not in BROWSER_AUTH_TYPES:
        fail(f"browserAuth.type: {value.get('type')!r} is not one of {', '.join(BROWSER_AUTH_TYPES)}")
    defaults = BrowserAuthConfig()
    mfa = value.get("mfa", defaults.mfa)
    if mfa not in MFA_MODES:
        fail(f"browserAuth.mfa: {mfa!r} is not one of {', '.join(MFA_MODES)}")
        mfa = defaults.mfa
    plan = value.get("featurePlan", defaults.feature_plan)
    if plan not in FEATURE_PLANS:
        fail(f"browserAuth.featurePlan: {plan!r} is not one of {', '.join(FEATURE_PLANS)} (PLUS: threat protection)")
        plan = defaults.feature_plan
    self_sign_up = value.get("selfSignUp", False)
    if not isinstance(self_sign_up, bool):
        fail(f"browserAuth.selfSignUp: expected true or false, got {self_sign_up!r}")
        self_sign_up = False
    callback_urls = _urls(value, "callbackUrls", fail)
    logout_urls = _urls(value, "logoutUrls", fail)
    prefix = value.get("domainPrefix")
    if prefix is not None and (
        not isinstance(prefix, str)
        or not _DOMAIN_PREFIX.fullmatch(prefix)
        or any(word in prefix for word in ("aws", "amazon", "cognito"))
    ):
        fail(
            f"browserAuth.domainPrefix: {prefix!r} is not a Cognito domain prefix (lower-case letters, digits, "
            "hyphens, at most 63, without aws, amazon or cognito)"
        )
        prefix = None
    if (callback_urls or logout_urls) and value.get("domainPrefix") is None:
        fail("browserAuth.domainPrefix: the hosted UI (callbackUrls, logoutUrls) needs a domain prefix")
    if logout_urls and not callback_urls:
        fail("browserAuth.logoutUrls: only with callbackUrls (the hosted UI)")
    return BrowserAuthConfig(
        mfa=mfa,
        self_sign_up=self_sign_up,
        feature_plan=plan,
        callback_urls=callback_urls,
        logout_urls=logout_urls,
        domain_prefix=prefix,
    )


def _urls(value: Mapping[str, Any], key: str, fail: Callable[[str], None]) -> tuple[str, ...]:
    items = value.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        fail(f"browserAuth.{key}: expected a list of URLs, got {items!r}")
        return ()
    if len(items) > 100:
        fail(f"browserAuth.{key}: at most 100 URLs (Cognito's limit), got {len(items)}")
    for url in items:
        if not _APP_URL.fullmatch(url):
            fail(f"browserAuth.{key}: {url!r} is not an https URL (http only for localhost), without a fragment")
    return tuple(items)


def _cloud_front(value: Any, fail: Callable[[str], None]) -> CloudFrontConfig | None:
    if value is None or value in (False, "false", ""):
        return None
    if value in (True, "true"):
        value = {}
    if not isinstance(value, dict) or not set(value) <= set(_CLOUD_FRONT_KEYS):
        fail(f"cloudFront: expected true or an object with some of {', '.join(_CLOUD_FRONT_KEYS)}, got {value!r}")
        return None
    defaults = CloudFrontConfig()
    domain = value.get("domainName")
    certificate = value.get("certificateArn")
    if (domain is None) != (certificate is None):
        fail("cloudFront: domainName and certificateArn go together (the certificate must cover the domain)")
    if domain is not None and (not isinstance(domain, str) or not _DOMAIN_NAME.fullmatch(domain)):
        fail(f"cloudFront.domainName: {domain!r} is not a lower-case DNS name such as chat.example.com")
    if certificate is not None and not (isinstance(certificate, str) and _US_EAST_1_CERTIFICATE.fullmatch(certificate)):
        fail(f"cloudFront.certificateArn: {certificate!r} is not an ACM certificate ARN in us-east-1")
    web_acl = value.get("webAclArn")
    if web_acl is not None and (not isinstance(web_acl, str) or not _GLOBAL_WEB_ACL.fullmatch(web_acl)):
        fail(f"cloudFront.webAclArn: {web_acl!r} is not a WAFv2 web ACL ARN with CLOUDFRONT scope (us-east-1, global/)")
    price_class = value.get("priceClass", defaults.price_class)
    if price_class not in PRICE_CLASSES:
        fail(f"cloudFront.priceClass: {price_class!r} is not one of {', '.join(PRICE_CLASSES)}")
        price_class = defaults.price_class
    return CloudFrontConfig(
        domain_name=domain if isinstance(domain, str) else None,
        certificate_arn=certificate if isinstance(certificate, str) else None,
        read_timeout_s=_seconds(value, "readTimeoutSeconds", defaults.read_timeout_s, fail),
        keepalive_s=_seconds(value, "keepaliveSeconds", defaults.keepalive_s, fail),
        price_class=price_class,
        web_acl_arn=web_acl if isinstance(web_acl, str) else None,
    )


def _seconds(value: Mapping[str, Any], key: str, default: int, fail: Callable[[str], None]) -> int:
    seconds = value.get(key, default)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= 180:
        fail(f"cloudFront.{key}: expected whole seconds in 1..180 (above 60 needs a CloudFront quota increase)")
        return default
    return seconds


def _web_hosting(value: Any, fail: Callable[[str], None]) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    fail(f"webHosting: expected true or false, got {value!r}")
    return False


def _check_together(presets: BrowserPresets, deployment: _Deployment, fail: Callable[[str], None]) -> None:
    auth, front = presets.browser_auth, presets.cloud_front
    if auth is not None:
        if deployment.auth_type != "AWS_IAM":
            fail(f"browserAuth: the browser signs with SigV4, so authType must be AWS_IAM (is {deployment.auth_type})")
        if deployment.cors_origins is None and not presets.web_hosting:
            fail(
                'browserAuth: set cors, e.g. {"allowOrigins": ["https://chat.example.com"]}: the page\'s origins '
                "(or webHosting true: the stack hosts the page and allows its origin)"
            )
        elif deployment.cors_origins is not None:
            missing = [h for h in SIGV4_CORS_HEADERS if h not in {x.lower() for x in deployment.cors_headers}]
            if missing:
                fail(f"cors.allowHeaders: browserAuth needs {', '.join(missing)} too (SigV4 headers from the browser)")
        if front is not None:
            fail(
                "browserAuth and cloudFront exclude each other: CloudFront's origin access control signs every origin "
                "request itself and overwrites the browser's SigV4 Authorization header"
            )
    if front is not None:
        if deployment.auth_type == "NONE":
            fail("cloudFront: origin access control needs the Function URL's authType AWS_IAM (not NONE)")
        if deployment.auth_type == "AWS_IAM" and not deployment.allow_public_url:
            fail(
                "cloudFront: with authType AWS_IAM the distribution itself has no client auth, so anyone can call "
                "it (and Bedrock) at your expense; set allowPublicUrl=true if that is intended, or use API-key auth"
            )
        if (
            deployment.auth_type == "AWS_IAM"
            and deployment.reserved_concurrency is None
            and not deployment.allow_unreserved_concurrency
        ):
            fail(
                "reservedConcurrency: a public CloudFront distribution lets anyone start streams billed to you; set "
                "reservedConcurrency, or allowUnreservedConcurrency=true to go without a cap"
            )
        if not 0 < deployment.heartbeat_s < front.read_timeout_s:
            fail(
                f"heartbeatSeconds: behind CloudFront it must be above 0 and below cloudFront.readTimeoutSeconds "
                f"({front.read_timeout_s}): CloudFront ends a response that is silent for that long"
            )
    if presets.web_hosting and front is None and auth is None:
        fail(
            "webHosting: the page needs either cloudFront (page and API on one distribution) or browserAuth (a "
            "page-only distribution; the page signs in with Cognito and calls the Function URL itself)"
        )
