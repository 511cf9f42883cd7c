"""Typed stack configuration read from the CDK context (``cdk.json``, overridable with ``-c key=value``).

Every value is validated at synth time; all problems are reported together in one :class:`ConfigError` that names
the context key. Values given with ``-c`` arrive as strings, so lists accept comma-separated text, objects accept
JSON text, numbers and booleans accept their usual spellings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

from infra.api_gateway_config import FRONT_DOORS, ApiGatewayConfig, read_api_gateway
from infra.bedrock_access import ArnModel, ModelIdError, classify_model
from infra.browser_config import BrowserPresets, read_browser_presets
from infra.managed_instances import ManagedInstancesConfig, read_managed_instances
from infra.regions import GEO_DESTINATION_REGIONS

__all__ = [
    "ARCHITECTURES",
    "AUTH_TYPES",
    "CONTEXT_KEYS",
    "CORS_METHODS",
    "PYTHON_RUNTIMES",
    "ConfigError",
    "CorsConfig",
    "GuardrailConfig",
    "StackConfig",
]

AUTH_TYPES: Final = ("AWS_IAM", "NONE", "API_KEY")
ARCHITECTURES: Final = ("arm64", "x86_64")
PYTHON_RUNTIMES: Final = ("python3.13", "python3.14")
# CloudWatch Logs accepts only these retention periods (days); each with its ``aws_logs.RetentionDays`` member.
LOG_RETENTION_DAYS: Final[Mapping[int, str]] = MappingProxyType(
    {
        1: "ONE_DAY",
        3: "THREE_DAYS",
        5: "FIVE_DAYS",
        7: "ONE_WEEK",
        14: "TWO_WEEKS",
        30: "ONE_MONTH",
        60: "TWO_MONTHS",
        90: "THREE_MONTHS",
        120: "FOUR_MONTHS",
        150: "FIVE_MONTHS",
        180: "SIX_MONTHS",
        365: "ONE_YEAR",
        400: "THIRTEEN_MONTHS",
        545: "EIGHTEEN_MONTHS",
        731: "TWO_YEARS",
        1096: "THREE_YEARS",
        1827: "FIVE_YEARS",
        2192: "SIX_YEARS",
        2557: "SEVEN_YEARS",
        2922: "EIGHT_YEARS",
        3288: "NINE_YEARS",
        3653: "TEN_YEARS",
    }
)

# What a Function URL's Cors accepts (https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html): at most 6
# methods (or *), 100 headers of up to 1024 characters, 100 origins, MaxAge 0..86400.
CORS_METHODS: Final = ("GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*")
# SigV4-signing browsers send these; content-type for JSON bodies, accept for format negotiation.
DEFAULT_CORS_HEADERS: Final = (
    "content-type",
    "accept",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
)
# The response headers the function sets for clients (request id, ignored parameters, token-count source): a browser
# can read them only when the URL exposes them.
DEFAULT_CORS_EXPOSE_HEADERS: Final = ("x-request-id", "x-ignored-params", "x-token-count")
_CORS_KEYS: Final = ("allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "maxAge", "allowCredentials")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d+)?")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,1024}")

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$")
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_GUARDRAIL_ID = re.compile(r"^[a-z0-9]+$")
_GUARDRAIL_VERSION = re.compile(r"^(DRAFT|[1-9]\d{0,7})$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_GEO = re.compile(r"^[a-z][a-z-]*$")
_BEDROCK_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock:")
_SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ConfigError(ValueError):
    """The CDK context does not describe a valid deployment. The message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid bedrock-stream configuration (CDK context):\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardrailConfig:
    """A Bedrock guardrail the function applies to every call."""

    id: str
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CorsConfig:
    """The Function URL's CORS (context key ``cors``); Lambda answers preflights and adds the headers itself."""

    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...] = ("GET", "POST")
    allow_headers: tuple[str, ...] = DEFAULT_CORS_HEADERS
    expose_headers: tuple[str, ...] = DEFAULT_CORS_EXPOSE_HEADERS
    max_age: int = 3600
    allow_credentials: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StackConfig:
    """Everything the stack derives the function, its URL and its IAM policy from."""

    stack_name: str = "BedrockStream"
    models: tuple[str, ...]
    default_model: str
    model_sources: Mapping[str, str] = field(default_factory=dict)
    auth_type: str = "AWS_IAM"
    allow_public_url: bool = False
    cors: CorsConfig | None = None
    memory_mb: int = 512
    timeout_s: int = 300
    architecture: str = "arm64"
    python_runtime: str = "python3.14"
    log_retention_days: int = 30
    reserved_concurrency: int | None = None
    allow_unreserved_concurrency: bool = False
    alarm_topic_arn: str | None = None
    alarm_email: str | None = None
    powertools_version: str = "3.37.0"
    powertools_layer_arn: str | None = None
    guardrail: GuardrailConfig | None = None
    geo_regions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(GEO_DESTINATION_REGIONS))
    max_tokens_cap: int = 4096
    default_max_tokens: int = 1024
    max_body_bytes: int = 1_048_576
    log_content: bool = False
    xray_tracing: bool = False
    snap_start: bool = False
    heartbeat_s: float = 15.0
    """Keep-alive after this much silence from Bedrock (0: off): half the 30 s idle timeout of CloudFront and edge
    API Gateway streaming, so one late beat still fits."""
    idle_timeout_s: float = 0.0
    """In-band ``upstream_idle`` error after this much silence from Bedrock (0: off; the Bedrock client's read
    timeout and the function timeout still bound a silent stream)."""
    managed_instances: ManagedInstancesConfig | None = None
    """Lambda Managed Instances (context key ``managedInstances``; infra/managed_instances.py); None: standard."""
    front_door: str = "functionUrl"
    """``apiGateway`` adds a streaming REST API with API keys in front (infra/api_gateway_front.py)."""
    api_gateway: ApiGatewayConfig | None = None
    """Set exactly when ``front_door`` is ``apiGateway``."""
    browser: BrowserPresets = field(default_factory=BrowserPresets)
    """``browserAuth``, ``cloudFront``, ``webHosting`` (infra/browser_config.py)."""
    api_key_cache_s: int = 60
    """API_KEY mode: seconds a key record is reused in a warm function; the bound on revocation (0: no cache)."""

    @classmethod
    def from_context(cls, get: Callable[[str], Any]) -> StackConfig:
        """Build and validate the config; ``get`` is ``app.node.try_get_context`` (``None`` when a key is unset)."""
        return _Reader(get).read()


# context key -> meaning; the README documents the same keys.
CONTEXT_KEYS: Final[Mapping[str, str]] = {
    "stackName": "CloudFormation stack name",
    "models": "Bedrock model ids / inference profile ids / ARNs the function may call (list)",
    "defaultModel": "model used when a request names none (must be in models)",
    "modelSources": "application inference profile ARN -> the model or system profile it was created from",
    "authType": "Function URL auth: AWS_IAM (default), NONE, or API_KEY (URL NONE, the function checks API keys)",
    "allowPublicUrl": "must be true for authType NONE",
    "cors": "Function URL CORS {allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials}",
    "memoryMb": "function memory (128..10240)",
    "timeoutSeconds": "function timeout (1..900)",
    "architecture": "arm64 (default) or x86_64",
    "pythonRuntime": "python3.14 (default) or python3.13",
    "logRetentionDays": "CloudWatch Logs retention",
    "reservedConcurrency": "optional cap on parallel executions (unset by default; required with authType NONE)",
    "allowUnreservedConcurrency": "true lets authType NONE go without reservedConcurrency (no spend cap)",
    "alarmTopicArn": "existing SNS topic the alarms notify (optional)",
    "alarmEmail": "e-mail address the alarms notify through a topic the stack creates (optional)",
    "powertoolsVersion": "Powertools for AWS Lambda (Python) v3 layer version (semver)",
    "powertoolsLayerArn": "explicit layer ARN, for Regions without the public SSM parameter",
    "guardrail": 'optional {"id": ..., "version": ...}',
    "geoRegions": "override/extend the geography -> destination Regions table",
    "maxTokensCap": "upper bound for max_tokens in requests",
    "defaultMaxTokens": "max_tokens when a request gives none",
    "maxBodyBytes": "largest accepted request body",
    "logContent": "log prompts and completions (false by default)",
    "xrayTracing": "enable AWS X-Ray active tracing (false by default)",
    "snapStart": "Lambda SnapStart on a published version; the Function URL serves its alias live (false by default)",
    "heartbeatSeconds": "keep-alive after this many seconds of Bedrock silence (15 by default; 0 = off)",
    "idleTimeoutSeconds": "end a stream with an upstream_idle error after this many silent seconds (0 = off, default)",
    "managedInstances": "Lambda Managed Instances {subnetIds, securityGroupIds, perExecutionEnvironmentMaxConcurrency, "
    "memoryGiBPerVCpu, instanceTypes, maxVCpu} (unset: standard Lambda)",
    "frontDoor": "functionUrl (default) or apiGateway: a streaming REST API with API keys in front of the function",
    "apiGateway": "the API Gateway front door's settings (infra/api_gateway_config.py; only with frontDoor apiGateway)",
    "browserAuth": '"cognito" or {type, mfa, selfSignUp, featurePlan, callbackUrls, logoutUrls, domainPrefix}',
    "cloudFront": "true or {domainName, certificateArn, readTimeoutSeconds, keepaliveSeconds, priceClass, webAclArn}",
    "webHosting": "serve web/dist from S3 through the cloudFront distribution (false by default)",
    "apiKeyCacheSeconds": "authType API_KEY: seconds a key record is cached per warm function (60; 0 = off)",
}


class _Reader:
    """Reads and checks context values, collecting every problem instead of stopping at the first."""

    def __init__(self, get: Callable[[str], Any]) -> None:
        self._get = get
        self._problems: list[str] = []

    def read(self) -> StackConfig:
        defaults = StackConfig(models=("-",), default_model="-")
        models = self._str_list("models", ())
        if not models:
            self._fail("models: list at least one Bedrock model id, inference profile id or ARN")
        if len(set(models)) != len(models):
            self._fail("models: contains duplicates")
        default_model = self._str("defaultModel", models[0] if models else "")
        if models and default_model not in models:
            self._fail(f"defaultModel: {default_model!r} is not one of models ({', '.join(models)})")
        auth_type = self._choice("authType", defaults.auth_type, AUTH_TYPES)
        allow_public = self._bool("allowPublicUrl", False)
        if auth_type == "NONE" and not allow_public:
            self._fail(
                "authType: NONE makes the URL callable by anyone on the internet (and billed to you); "
                "set allowPublicUrl=true as well if that is really intended"
            )
        reserved = self._optional_int("reservedConcurrency", 1, 10_000)
        allow_unreserved = self._bool("allowUnreservedConcurrency", False)
        if auth_type == "NONE" and reserved is None and not allow_unreserved:
            self._fail(
                "reservedConcurrency: authType NONE lets anyone start streams billed to you; set reservedConcurrency "
                "to cap how many run at once, or allowUnreservedConcurrency=true to go without a cap"
            )
        if auth_type == "API_KEY" and reserved is None:
            self._fail(
                "reservedConcurrency: authType API_KEY makes the URL public (the function checks the keys); set "
                "reservedConcurrency to cap how many requests, keyed or not, run at once"
            )
        timeout_s = self._int("timeoutSeconds", defaults.timeout_s, 1, 900)
        cap = self._int("maxTokensCap", defaults.max_tokens_cap, 1, 1_000_000)
        default_max = self._int("defaultMaxTokens", min(defaults.default_max_tokens, cap), 1, 1_000_000)
        if default_max > cap:
            self._fail(f"defaultMaxTokens: {default_max} exceeds maxTokensCap {cap}")
        retention = self._int("logRetentionDays", defaults.log_retention_days, 1, max(LOG_RETENTION_DAYS))
        if retention not in LOG_RETENTION_DAYS:
            periods = ", ".join(map(str, LOG_RETENTION_DAYS))
            self._fail(f"logRetentionDays: {retention} is not a CloudWatch Logs retention period ({periods})")
        heartbeat_s = self._seconds("heartbeatSeconds", defaults.heartbeat_s, timeout_s)
        idle_s = self._seconds("idleTimeoutSeconds", defaults.idle_timeout_s, timeout_s)
        if heartbeat_s and idle_s and idle_s <= heartbeat_s:
            self._fail(f"idleTimeoutSeconds: {idle_s:g} must exceed heartbeatSeconds {heartbeat_s:g} (or be 0)")
        front_door = self._choice("frontDoor", defaults.front_door, FRONT_DOORS)
        api_gateway = read_api_gateway(self._json("apiGateway"), self._fail, timeout_s=timeout_s)
        if front_door == "apiGateway" and auth_type != "AWS_IAM":
            self._fail(f"frontDoor: apiGateway keeps the Function URL AWS_IAM-only; authType {auth_type} conflicts")
        if front_door != "apiGateway" and self._get("apiGateway") is not None:
            self._fail("apiGateway: only used with frontDoor apiGateway")
        geo_regions = self._geo_regions()
        model_sources = self._model_sources(models)
        self._check_models(models, model_sources, geo_regions)
        config = StackConfig(
            stack_name=self._match("stackName", defaults.stack_name, _STACK_NAME, "a CloudFormation stack name"),
            models=models,
            default_model=default_model,
            model_sources=model_sources,
            auth_type=auth_type,
            allow_public_url=allow_public,
            cors=self._cors(),
            memory_mb=self._int("memoryMb", defaults.memory_mb, 128, 10240),
            timeout_s=timeout_s,
            architecture=self._choice("architecture", defaults.architecture, ARCHITECTURES),
            python_runtime=self._choice("pythonRuntime", defaults.python_runtime, PYTHON_RUNTIMES),
            log_retention_days=retention,
            reserved_concurrency=reserved,
            allow_unreserved_concurrency=allow_unreserved,
            alarm_topic_arn=self._optional_match("alarmTopicArn", _SNS_TOPIC_ARN, "an SNS topic ARN"),
            alarm_email=self._optional_match("alarmEmail", _EMAIL, "an e-mail address"),
            powertools_version=self._match(
                "powertoolsVersion", defaults.powertools_version, _SEMVER, "a semver such as 3.37.0"
            ),
            powertools_layer_arn=self._optional_match("powertoolsLayerArn", _LAYER_ARN, "a Lambda layer version ARN"),
            guardrail=self._guardrail(),
            geo_regions=geo_regions,
            max_tokens_cap=cap,
            default_max_tokens=default_max,
            max_body_bytes=self._int("maxBodyBytes", defaults.max_body_bytes, 1024, 6 * 1024 * 1024),
            log_content=self._bool("logContent", False),
            xray_tracing=self._bool("xrayTracing", False),
            snap_start=self._bool("snapStart", False),
            heartbeat_s=heartbeat_s,
            idle_timeout_s=idle_s,
            front_door=front_door,
            api_gateway=api_gateway if front_door == "apiGateway" else None,
            api_key_cache_s=self._int("apiKeyCacheSeconds", defaults.api_key_cache_s, 0, 3600),
        )
        managed, managed_problems = read_managed_instances(
            self._json("managedInstances"), memory_mb=config.memory_mb, snap_start=config.snap_start
        )
        self._problems.extend(managed_problems)
        config = replace(config, managed_instances=managed)
        config = replace(config, browser=self._browser_presets(config))
        if config.api_gateway is not None and config.browser.cloud_front is not None:
            self._fail("cloudFront: not with frontDoor apiGateway (a public distribution would bypass the usage plan)")
        if self._problems:
            raise ConfigError(self._problems)
        return config

    # -- primitives -------------------------------------------------------------------------------------------

    def _fail(self, message: str) -> None:
        self._problems.append(message)

    def _str(self, key: str, default: str) -> str:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self._fail(f"{key}: expected a non-empty string, got {value!r}")
            return default
        return value.strip()

    def _match(self, key: str, default: str, pattern: re.Pattern[str], what: str) -> str:
        value = self._str(key, default)
        if not pattern.fullmatch(value):
            self._fail(f"{key}: {value!r} is not {what}")
        return value

    def _optional_match(self, key: str, pattern: re.Pattern[str], what: str) -> str | None:
        if self._get(key) in (None, ""):
            return None
        return self._match(key, "", pattern, what)

    def _choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self._str(key, default)
        if value not in allowed:
            self._fail(f"{key}: {value!r} is not one of {', '.join(allowed)}")
        return value

    def _bool(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self._fail(f"{key}: expected true or false, got {value!r}")
        return default

    def _int(self, key: str, default: int, low: int, high: int) -> int:
        value = self._get(key)
        if value is None:
            return default
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            number = int(value.strip())
        if number is None:
            self._fail(f"{key}: expected an integer, got {value!r}")
            return default
        if not low <= number <= high:
            self._fail(f"{key}: {number} is outside {low}..{high}")
        return number

    def _seconds(self, key: str, default: float, timeout_s: int) -> float:
        """A duration in seconds, fractions allowed, from 0 (off) to below the function timeout."""
        value = self._get(key)
        if value is None:
            return default
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
            number = float(value.strip())
        if number is None:
            self._fail(f"{key}: expected a number of seconds, got {value!r}")
            return default
        if not 0 <= number < timeout_s:
            self._fail(f"{key}: {number:g} is outside 0 (off) .. below timeoutSeconds ({timeout_s})")
        return number

    def _optional_int(self, key: str, low: int, high: int) -> int | None:
        if self._get(key) in (None, "", "none", "null"):
            return None
        return self._int(key, low, low, high)

    def _json(self, key: str) -> Any:
        """The raw value, with JSON text (as given by ``-c``) decoded."""
        value = self._get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                self._fail(f"{key}: not valid JSON ({exc.msg})")
                return None
        return value

    def _str_list(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._json(key)
        if value is None:
            return default
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
            return tuple(item.strip() for item in value)
        self._fail(f"{key}: expected a list of non-empty strings (or comma-separated text), got {value!r}")
        return default

    # -- composite values -------------------------------------------------------------------------------------

    def _browser_presets(self, config: StackConfig) -> BrowserPresets:
        return read_browser_presets(
            browser_auth=self._json("browserAuth"),
            cloud_front=self._json("cloudFront"),
            web_hosting=self._get("webHosting"),
            fail=self._fail,
            auth_type=config.auth_type,
            cors_origins=config.cors.allow_origins if config.cors is not None else None,
            cors_headers=config.cors.allow_headers if config.cors is not None else (),
            allow_public_url=config.allow_public_url,
            reserved_concurrency=config.reserved_concurrency,
            allow_unreserved_concurrency=config.allow_unreserved_concurrency,
            heartbeat_s=config.heartbeat_s,
        )

    def _cors(self) -> CorsConfig | None:
        if self._get("corsOrigins") is not None:
            self._fail('corsOrigins: replaced by cors, e.g. {"allowOrigins": ["https://app.example.com"]}')
        value = self._json("cors")
        if value is None or value == {}:
            return None
        if not isinstance(value, dict) or not set(value) <= set(_CORS_KEYS):
            self._fail(f"cors: expected an object with some of {', '.join(_CORS_KEYS)}, got {value!r}")
            return None
        defaults = CorsConfig(allow_origins=())
        origins = self._cors_list(value, "allowOrigins", (), 100)
        if not origins:
            self._fail("cors.allowOrigins: list at least one origin (or leave cors unset for no CORS)")
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                self._fail(f"cors.allowOrigins: {origin!r} is not an origin like https://app.example.com (no path)")
        methods = tuple(m.upper() for m in self._cors_list(value, "allowMethods", defaults.allow_methods, 6))
        for method in methods:
            if method not in CORS_METHODS:
                self._fail(f"cors.allowMethods: {method!r} is not one of {', '.join(CORS_METHODS)}")
        allow_headers = self._cors_headers(value, "allowHeaders", defaults.allow_headers)
        expose_headers = self._cors_headers(value, "exposeHeaders", defaults.expose_headers)
        max_age = value.get("maxAge", defaults.max_age)
        if isinstance(max_age, bool) or not isinstance(max_age, int) or not 0 <= max_age <= 86400:
            self._fail(f"cors.maxAge: expected whole seconds in 0..86400, got {max_age!r}")
            max_age = defaults.max_age
        credentials = value.get("allowCredentials", False)
        if not isinstance(credentials, bool):
            self._fail(f"cors.allowCredentials: expected true or false, got {credentials!r}")
            credentials = False
        if credentials and "*" in origins:
            self._fail("cors.allowCredentials: browsers refuse credentials with allowOrigins *; list the origins")
        return CorsConfig(
            allow_origins=origins,
            allow_methods=methods,
            allow_headers=allow_headers,
            expose_headers=expose_headers,
            max_age=max_age,
            allow_credentials=credentials,
        )

    def _cors_list(self, value: Mapping[str, Any], key: str, default: tuple[str, ...], limit: int) -> tuple[str, ...]:
        items = value.get(key)
        if items is None:
            return default
        if not isinstance(items, list) or not all(isinstance(item, str) and item.strip() for item in items):
            self._fail(f"cors.{key}: expected a list of non-empty strings, got {items!r}")
            return default
        if len(items) > limit:
            self._fail(f"cors.{key}: at most {limit} entries (Lambda's limit), got {len(items)}")
        return tuple(item.strip() for item in items)

    def _cors_headers(self, value: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        headers = self._cors_list(value, key, default, 100)
        for header in headers:
            if not _HEADER_NAME.fullmatch(header):
                self._fail(f"cors.{key}: {header!r} is not an HTTP header name")
        return headers

    def _guardrail(self) -> GuardrailConfig | None:
        value = self._json("guardrail")
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) != {"id", "version"}:
            self._fail(f'guardrail: expected {{"id": ..., "version": ...}}, got {value!r}')
            return None
        gid, version = str(value["id"]), str(value["version"])
        if not _GUARDRAIL_ID.fullmatch(gid):
            self._fail(f"guardrail.id: {gid!r} is not a guardrail id (lower-case letters and digits)")
        if not _GUARDRAIL_VERSION.fullmatch(version):
            self._fail(f"guardrail.version: {version!r} is not DRAFT or a version number")
        return GuardrailConfig(id=gid, version=version)

    def _geo_regions(self) -> dict[str, tuple[str, ...]]:
        table = dict(GEO_DESTINATION_REGIONS)
        value = self._json("geoRegions")
        if value is None:
            return table
        if not isinstance(value, dict):
            self._fail(f"geoRegions: expected an object like {{'us': ['us-east-1', ...]}}, got {value!r}")
            return table
        for geo, regions in value.items():
            if not _GEO.fullmatch(str(geo)) or geo == "global":
                self._fail(f"geoRegions: {geo!r} is not a geography prefix (global needs no Region list)")
            elif not isinstance(regions, list) or not regions or not all(_REGION.fullmatch(str(r)) for r in regions):
                self._fail(f"geoRegions.{geo}: expected a non-empty list of Region names, got {regions!r}")
            else:
                table[geo] = tuple(str(r) for r in regions)
        return table

    def _model_sources(self, models: tuple[str, ...]) -> dict[str, str]:
        value = self._json("modelSources")
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            self._fail(f"modelSources: expected an object mapping ARN -> model id, got {value!r}")
            return {}
        for arn, source in value.items():
            if arn not in models:
                self._fail(f"modelSources: {arn!r} is not one of models")
            if _BEDROCK_ARN.match(source):
                self._fail(f"modelSources.{arn}: give the source as a model or system profile id, not an ARN")
        return dict(value)

    def _check_models(
        self, models: tuple[str, ...], sources: Mapping[str, str], geo_regions: Mapping[str, tuple[str, ...]]
    ) -> None:
        for model in models:
            try:
                ref = classify_model(model, geo_regions)
            except ModelIdError as exc:
                self._fail(f"models: {exc}")
                continue
            if isinstance(ref, ArnModel) and ref.kind == "application-inference-profile" and model not in sources:
                self._fail(
                    f"modelSources: application inference profile {model} also needs the model or system profile "
                    "it was created from (Bedrock authorises the call on both)"
                )
        for arn, source in sources.items():
            try:
                classify_model(source, geo_regions)
            except ModelIdError as exc:
                self._fail(f"modelSources.{arn}: {exc}")
