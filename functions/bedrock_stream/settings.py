"""Function settings, read once from the environment at start, typed, failing fast with a clear message.

The CDK stack (``infra/``) writes these variables from the same CDK context that derives the IAM policy;
``tests/infra`` cross-checks the names in both places. Pass ``environ`` explicitly in tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ENV_VARS", "Settings", "SettingsError"]

MODELS = "BEDROCK_STREAM_MODELS"
DEFAULT_MODEL = "BEDROCK_STREAM_DEFAULT_MODEL"
MAX_TOKENS_CAP = "BEDROCK_STREAM_MAX_TOKENS_CAP"
DEFAULT_MAX_TOKENS = "BEDROCK_STREAM_DEFAULT_MAX_TOKENS"
MAX_BODY_BYTES = "BEDROCK_STREAM_MAX_BODY_BYTES"
GUARDRAIL_ID = "BEDROCK_STREAM_GUARDRAIL_ID"
GUARDRAIL_VERSION = "BEDROCK_STREAM_GUARDRAIL_VERSION"
DEADLINE_MARGIN_MS = "BEDROCK_STREAM_DEADLINE_MARGIN_MS"
LOG_CONTENT = "BEDROCK_STREAM_LOG_CONTENT"
HEARTBEAT_SECONDS = "BEDROCK_STREAM_HEARTBEAT_SECONDS"
IDLE_TIMEOUT_SECONDS = "BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS"
API_KEY_TABLE = "BEDROCK_STREAM_API_KEY_TABLE"
API_KEY_FILE = "BEDROCK_STREAM_API_KEY_FILE"
API_KEY_CACHE_SECONDS = "BEDROCK_STREAM_API_KEY_CACHE_SECONDS"

ENV_VARS: frozenset[str] = frozenset(
    {
        MODELS,
        DEFAULT_MODEL,
        MAX_TOKENS_CAP,
        DEFAULT_MAX_TOKENS,
        MAX_BODY_BYTES,
        GUARDRAIL_ID,
        GUARDRAIL_VERSION,
        DEADLINE_MARGIN_MS,
        LOG_CONTENT,
        HEARTBEAT_SECONDS,
        IDLE_TIMEOUT_SECONDS,
        API_KEY_TABLE,
        API_KEY_FILE,
        API_KEY_CACHE_SECONDS,
    }
)
"""Every variable this module reads. The stack must set exactly the required ones and may set the rest."""

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class SettingsError(ValueError):
    """The environment does not describe a valid configuration."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Typed function configuration."""

    models: tuple[str, ...]
    default_model: str
    max_tokens_cap: int = 4096
    default_max_tokens: int = 1024
    max_body_bytes: int = 1_048_576
    guardrail_id: str | None = None
    guardrail_version: str | None = None
    deadline_margin_ms: int = 2000
    log_content: bool = False
    heartbeat_seconds: float = 0.0
    """Send the format's keep-alive after this much silence from Bedrock (0: never)."""
    idle_timeout_seconds: float = 0.0
    """End the stream with an in-band ``upstream_idle`` error after this much silence from Bedrock (0: never)."""
    api_key_table: str | None = None
    """API_KEY mode: the DynamoDB table of key records (``bedrock_stream.api_keys``)."""
    api_key_file: str | None = None
    """API_KEY mode with a local JSON key file instead of the table (``make dev``, the emulator)."""
    api_key_cache_seconds: float = 60.0
    """How long a key record is reused before the store is read again: the bound on revocation (0: no cache)."""

    @property
    def api_keys_required(self) -> bool:
        """Whether every HTTP request must carry an API key."""
        return self.api_key_table is not None or self.api_key_file is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from ``environ``; raise :class:`SettingsError` naming the bad variable."""
        models = tuple(m.strip() for m in environ.get(MODELS, "").split(",") if m.strip())
        if not models:
            raise SettingsError(f"{MODELS} must list at least one Bedrock model id (comma-separated)")
        default_model = environ.get(DEFAULT_MODEL, "").strip() or models[0]
        if default_model not in models:
            raise SettingsError(f"{DEFAULT_MODEL}={default_model!r} is not one of {MODELS}: {', '.join(models)}")
        guardrail_id = environ.get(GUARDRAIL_ID, "").strip() or None
        guardrail_version = environ.get(GUARDRAIL_VERSION, "").strip() or None
        if (guardrail_id is None) != (guardrail_version is None):
            raise SettingsError(f"{GUARDRAIL_ID} and {GUARDRAIL_VERSION} must be set together")
        cap = _positive_int(environ, MAX_TOKENS_CAP, 4096)
        default_max = _positive_int(environ, DEFAULT_MAX_TOKENS, min(1024, cap))
        if default_max > cap:
            raise SettingsError(f"{DEFAULT_MAX_TOKENS}={default_max} exceeds {MAX_TOKENS_CAP}={cap}")
        heartbeat = _seconds(environ, HEARTBEAT_SECONDS)
        idle = _seconds(environ, IDLE_TIMEOUT_SECONDS)
        if heartbeat and idle and idle <= heartbeat:
            raise SettingsError(f"{IDLE_TIMEOUT_SECONDS}={idle:g} must exceed {HEARTBEAT_SECONDS}={heartbeat:g}")
        key_table = environ.get(API_KEY_TABLE, "").strip() or None
        key_file = environ.get(API_KEY_FILE, "").strip() or None
        if key_table is not None and key_file is not None:
            raise SettingsError(f"set {API_KEY_TABLE} or {API_KEY_FILE}, not both")
        key_cache = _seconds(environ, API_KEY_CACHE_SECONDS) if environ.get(API_KEY_CACHE_SECONDS, "").strip() else 60.0
        return cls(
            models=models,
            default_model=default_model,
            max_tokens_cap=cap,
            default_max_tokens=default_max,
            max_body_bytes=_positive_int(environ, MAX_BODY_BYTES, 1_048_576),
            guardrail_id=guardrail_id,
            guardrail_version=guardrail_version,
            deadline_margin_ms=_positive_int(environ, DEADLINE_MARGIN_MS, 2000),
            log_content=_bool(environ, LOG_CONTENT),
            heartbeat_seconds=heartbeat,
            idle_timeout_seconds=idle,
            api_key_table=key_table,
            api_key_file=key_file,
            api_key_cache_seconds=key_cache,
        )


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    if value <= 0:
        raise SettingsError(f"{name}={value} must be positive")
    return value


def _seconds(environ: Mapping[str, str], name: str) -> float:
    """A duration in seconds (fractions allowed); unset or 0 means off."""
    raw = environ.get(name, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise SettingsError(f"{name}={raw} must be a finite number of seconds, 0 or more (0: off)")
    return value


def _bool(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")
