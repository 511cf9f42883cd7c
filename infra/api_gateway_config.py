"""The ``apiGateway`` context block: settings of the optional API Gateway front door (``frontDoor: "apiGateway"``).

Read and checked here, on its own, so that :mod:`infra.config` only calls :func:`read_api_gateway`. Limits follow
the API Gateway developer guide: integration timeout up to 15 minutes with response streaming
(https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html), usage plan throttling
and quotas (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html), a
Regional custom domain with an ACM certificate in the same Region
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html) and
a WAFv2 web ACL on the stage (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "API_GATEWAY_KEYS",
    "FRONT_DOORS",
    "MAX_INTEGRATION_TIMEOUT_S",
    "QUOTA_PERIODS",
    "ApiGatewayConfig",
    "read_api_gateway",
]

FRONT_DOORS: Final = ("functionUrl", "apiGateway")
"""Values of the ``frontDoor`` context key: the Function URL alone (default) or an API Gateway REST API in front."""
MAX_INTEGRATION_TIMEOUT_S: Final = 900
"""15 minutes: the longest a streamed integration response may run (response-transfer-mode.html)."""
QUOTA_PERIODS: Final = ("DAY", "WEEK", "MONTH")
API_GATEWAY_KEYS: Final = (
    "stageName",
    "apiKeys",
    "throttleRateLimit",
    "throttleBurstLimit",
    "quotaLimit",
    "quotaPeriod",
    "integrationTimeoutSeconds",
    "webAclArn",
    "domainName",
    "certificateArn",
    "cloudWatchRole",
)
_STAGE = re.compile(r"^[A-Za-z0-9_]{1,128}$")
_KEY_NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_WEB_ACL_ARN = re.compile(
    r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[A-Za-z0-9_-]{1,128}/[a-f0-9-]{36}$"
)
_CERT_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]{1,64}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiGatewayConfig:
    """The REST API in front of the function: stage, keys and usage plan, timeout, WAF and custom domain."""

    stage_name: str = "prod"
    api_keys: tuple[str, ...] = ("default",)
    """One API key per name, all in the one usage plan."""
    throttle_rate_limit: float = 10.0
    """Steady requests per second the usage plan allows each key."""
    throttle_burst_limit: int = 20
    quota_limit: int | None = None
    """Requests each key may make per ``quota_period`` (None: no quota)."""
    quota_period: str = "MONTH"
    integration_timeout_s: int = 300
    web_acl_arn: str | None = None
    domain_name: str | None = None
    certificate_arn: str | None = None
    cloud_watch_role: bool = True
    """Set the Region's API Gateway CloudWatch Logs role (needed for access logs); false when the account has one."""


def read_api_gateway(value: Any, fail: Callable[[str], None], *, timeout_s: int) -> ApiGatewayConfig:
    """The ``apiGateway`` object (``None``: every default); report each problem through ``fail``.

    The integration timeout defaults to the function timeout ``timeout_s`` (capped at 15 minutes).
    """
    defaults = ApiGatewayConfig(integration_timeout_s=min(timeout_s, MAX_INTEGRATION_TIMEOUT_S))
    if value is None:
        return defaults
    if not isinstance(value, dict) or not set(value) <= set(API_GATEWAY_KEYS):
        fail(f"apiGateway: expected an object with some of {', '.join(API_GATEWAY_KEYS)}, got {value!r}")
        return defaults
    reader = _BlockReader(value, fail)
    stage = reader.text("stageName", defaults.stage_name, _STAGE, "a stage name (letters, digits, _)")
    keys = reader.key_names(defaults.api_keys)
    rate = reader.number("throttleRateLimit", defaults.throttle_rate_limit, 0, 10_000)
    burst = int(reader.number("throttleBurstLimit", defaults.throttle_burst_limit, 0, 5_000, whole=True))
    quota = value.get("quotaLimit")
    if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int) or quota < 1):
        fail(f"apiGateway.quotaLimit: expected a whole number of requests (1 or more), got {quota!r}")
        quota = None
    period = str(value.get("quotaPeriod", defaults.quota_period)).upper()
    if period not in QUOTA_PERIODS:
        fail(f"apiGateway.quotaPeriod: {period!r} is not one of {', '.join(QUOTA_PERIODS)}")
    timeout = int(
        reader.number(
            "integrationTimeoutSeconds", defaults.integration_timeout_s, 1, MAX_INTEGRATION_TIMEOUT_S, whole=True
        )
    )
    if timeout > timeout_s:
        fail(
            f"apiGateway.integrationTimeoutSeconds: {timeout} exceeds timeoutSeconds ({timeout_s}); the function "
            "ends first, so a longer integration timeout only hides that"
        )
    web_acl = reader.optional("webAclArn", _WEB_ACL_ARN, "a Regional WAFv2 web ACL ARN")
    domain = reader.optional("domainName", _DOMAIN, "a lower-case domain name such as api.example.com")
    certificate = reader.optional("certificateArn", _CERT_ARN, "an ACM certificate ARN")
    role = value.get("cloudWatchRole", defaults.cloud_watch_role)
    if not isinstance(role, bool):
        fail(f"apiGateway.cloudWatchRole: expected true or false, got {role!r}")
        role = defaults.cloud_watch_role
    if (domain is None) != (certificate is None):
        fail("apiGateway: domainName and certificateArn go together (a custom domain needs its ACM certificate)")
    return ApiGatewayConfig(
        stage_name=stage,
        api_keys=keys,
        throttle_rate_limit=rate,
        throttle_burst_limit=burst,
        quota_limit=quota,
        quota_period=period,
        integration_timeout_s=timeout,
        web_acl_arn=web_acl,
        domain_name=domain,
        certificate_arn=certificate,
        cloud_watch_role=role,
    )


class _BlockReader:
    """Typed reads of one key of the block, reporting ``apiGateway.<key>: ...`` problems."""

    def __init__(self, value: Mapping[str, Any], fail: Callable[[str], None]) -> None:
        self._value = value
        self._fail = fail

    def text(self, key: str, default: str, pattern: re.Pattern[str], what: str) -> str:
        raw = self._value.get(key, default)
        if not isinstance(raw, str) or not pattern.fullmatch(raw):
            self._fail(f"apiGateway.{key}: {raw!r} is not {what}")
            return default
        return raw

    def optional(self, key: str, pattern: re.Pattern[str], what: str) -> str | None:
        raw = self._value.get(key)
        if raw in (None, ""):
            return None
        if not isinstance(raw, str) or not pattern.fullmatch(raw):
            self._fail(f"apiGateway.{key}: {raw!r} is not {what}")
            return None
        return raw

    def number(self, key: str, default: float, low: float, high: float, *, whole: bool = False) -> float:
        raw = self._value.get(key, default)
        kinds = (int,) if whole else (int, float)
        if isinstance(raw, bool) or not isinstance(raw, kinds) or not low <= raw <= high:
            kind = "a whole number" if whole else "a number"
            self._fail(f"apiGateway.{key}: expected {kind} in {low:g}..{high:g}, got {raw!r}")
            return default
        return float(raw)

    def key_names(self, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = self._value.get("apiKeys")
        if raw is None:
            return default
        if (
            not isinstance(raw, list)
            or not raw
            or not all(isinstance(n, str) and _KEY_NAME.fullmatch(n) for n in raw)
            or len(set(raw)) != len(raw)
        ):
            self._fail(
                f"apiGateway.apiKeys: expected a list of distinct key names (letters, digits, . _ -), got {raw!r}"
            )
            return default
        return tuple(raw)
