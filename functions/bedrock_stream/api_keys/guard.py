"""The API-key check: who is calling (401 otherwise) and whether this key may make this call (403 otherwise).

:meth:`KeyGuard.authenticate` runs first on every HTTP request, before routing, body parsing or Bedrock. It reads the
key from ``Authorization: Bearer <key>`` (RFC 6750 section 2.1) or ``x-api-key: <key>``, looks the record up by key
id and compares the secret's salted hash in constant time. Missing, malformed, unknown, revoked and expired keys
all get the same 401 with ``WWW-Authenticate: Bearer realm="bedrock-stream"`` (plus ``error="invalid_token"`` when a
key was sent, RFC 6750 section 3), so the answer does not tell which. :meth:`ApiKey.authorize` then holds the parsed
plan to the key's policy (model allowlist, max-tokens cap) before Bedrock is called.

Records (found or not) are cached in process for ``cache_seconds``: that is the bound on how long a revoked or
changed key keeps its old standing in a warm execution environment (0 = no cache, every request reads the store).
Expiry is checked on every request against the wall clock, cached or not.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from bedrock_stream.api_keys.records import KeyRecord, hash_secret, parse_key
from bedrock_stream.api_keys.stores import KeyStore
from bedrock_stream.bedrock.token_limits import limit_values
from bedrock_stream.errors import InvalidApiKeyError, KeyPolicyError
from bedrock_stream.plan import Converse, CountTokens, Invoke, Plan
from bedrock_stream.settings import Settings

__all__ = ["REALM", "ApiKey", "KeyGuard"]

REALM = "bedrock-stream"
_CACHE_LIMIT = 1024
"""Records kept at most (found and not found); the oldest go first."""
_DUMMY_SALT = "00" * 16


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An authenticated key: its name (for logs and metrics; never the key) and its policy."""

    name: str
    models: tuple[str, ...] | None = None
    max_tokens: int | None = None

    def settings_for(self, settings: Settings) -> Settings:
        """The deployment's settings as this key sees them: the default model is the first one the key may use and
        the default max tokens stays within the key's cap, so a request that names neither fits the policy."""
        default_model = settings.default_model
        if self.models is not None and default_model not in self.models:
            default_model = next((m for m in settings.models if m in self.models), default_model)
        default_max = settings.default_max_tokens
        if self.max_tokens is not None:
            default_max = min(default_max, self.max_tokens)
        return replace(settings, default_model=default_model, default_max_tokens=default_max)

    def authorize(self, plan: Plan) -> None:
        """Raise :class:`KeyPolicyError` (403) when ``plan`` calls a model or asks for more output tokens than this
        key allows."""
        if isinstance(plan, Converse | CountTokens):
            self._check_model(plan.chat.model)
            if isinstance(plan, Converse):
                self._check_tokens("max_tokens", plan.chat.max_tokens)
        elif isinstance(plan, Invoke):
            self._check_model(plan.model)
            document = json.loads(plan.body)
            if isinstance(document, dict):
                for path, value in limit_values(plan.model, document):
                    self._check_tokens(path, value)

    def _check_model(self, model: str) -> None:
        if self.models is not None and model not in self.models:
            raise KeyPolicyError(
                f"API key {self.name!r} may not call model {model!r}; it may call: {', '.join(self.models) or 'none'}",
                error_type="model_not_allowed",
                field="model",
            )

    def _check_tokens(self, field: str, value: float | None) -> None:
        if self.max_tokens is not None and value is not None and value > self.max_tokens:
            raise KeyPolicyError(
                f"{field}={value:g} exceeds the cap of API key {self.name!r} ({self.max_tokens})",
                error_type="max_tokens_not_allowed",
                field=field,
            )


class KeyGuard:
    """Authenticates requests against a :class:`KeyStore`, caching records for ``cache_seconds``.

    ``clock`` (monotonic seconds) ages the cache, ``now`` (epoch seconds) checks expiry; both are seams for tests.
    """

    def __init__(
        self,
        store: KeyStore,
        *,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._ttl = cache_seconds
        self._clock = clock
        self._now = now
        self._cache: dict[str, tuple[float, KeyRecord | None]] = {}

    def authenticate(self, headers: Mapping[str, str]) -> ApiKey:
        """The key the request carries; raise :class:`InvalidApiKeyError` (401) for any key that does not open."""
        sent = _sent_key(headers)
        if sent is None:
            raise InvalidApiKeyError(
                "missing API key: send Authorization: Bearer <key> or x-api-key: <key>",
                challenge=f'Bearer realm="{REALM}"',
            )
        parsed = parse_key(sent)
        record = None if parsed is None else self._record(parsed[0])
        if parsed is None or record is None:
            hash_secret(_DUMMY_SALT, sent)  # the same work as a real check, whatever was wrong with the key
            raise _invalid()
        if not record.matches(parsed[1]) or record.revoked_at is not None:
            raise _invalid()
        if record.expires_at is not None and self._now() >= record.expires_at:
            raise _invalid()
        return ApiKey(record.name, record.models, record.max_tokens)

    def _record(self, key_id: str) -> KeyRecord | None:
        if self._ttl <= 0:
            return self._store.get(key_id)
        now = self._clock()
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        record = self._store.get(key_id)
        self._cache.pop(key_id, None)
        while len(self._cache) >= _CACHE_LIMIT:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key_id] = (now + self._ttl, record)
        return record


def _sent_key(headers: Mapping[str, str]) -> str | None:
    """The key from ``Authorization: Bearer`` or ``x-api-key`` (one of them, or both with the same value)."""
    bearer: str | None = None
    scheme, _, credentials = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        bearer = credentials.strip()
    header = headers.get("x-api-key", "").strip() or None
    if bearer is not None and header is not None and bearer != header:
        raise InvalidApiKeyError(
            "two different API keys (Authorization and x-api-key); send one",
            challenge=f'Bearer realm="{REALM}", error="invalid_request"',
        )
    return bearer or header


def _invalid() -> InvalidApiKeyError:
    return InvalidApiKeyError(
        "invalid API key: unknown, revoked or expired", challenge=f'Bearer realm="{REALM}", error="invalid_token"'
    )
