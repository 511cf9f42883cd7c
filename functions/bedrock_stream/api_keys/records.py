"""The API key format and the stored key record.

A key is ``bsk_<key id>_<secret>``: the recognisable prefix lets secret scanners and people spot it, the key id (12
hex characters) is the store's partition key, so finding a key is one lookup, and the secret (43 URL-safe base64
characters, 256 random bits) is never stored: the record keeps ``HMAC-SHA256(salt, secret)`` and a random salt.
A fast salted hash is enough here because the secret is machine-made and high-entropy: slow password hashes
(scrypt, Argon2) exist to make guessing *low-entropy* human passwords expensive, which a 2^256 search space already
is. The check compares digests with :func:`hmac.compare_digest` (constant time).

Records are plain JSON objects with the attribute names of the DynamoDB item (``keyId``, ``name``, ``salt``,
``hash``, ``hashScheme``, ``createdAt``, optional ``models``, ``maxTokens``, ``expiresAt``, ``revokedAt``; times in
epoch seconds). The CLI (``client/api_keys.py``) and the emulator (``emulator/api_keys.py``) write the same shape;
tests/unit/api_keys cross-checks the three.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["HASH_SCHEME", "KEY_PREFIX", "KeyRecord", "KeyRecordError", "hash_secret", "parse_key", "record_from_item"]

KEY_PREFIX: Final = "bsk"
HASH_SCHEME: Final = "hmac-sha256"
_KEY = re.compile(r"bsk_(?P<id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{32,128})")


class KeyRecordError(ValueError):
    """A stored record is malformed (the message names the attribute, never the key material)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyRecord:
    """One stored key: identity, salted hash and policy."""

    key_id: str
    name: str
    salt: str
    """Hex-encoded random salt."""
    hash: str
    """Hex ``HMAC-SHA256(salt, secret)``."""
    created_at: int = 0
    models: tuple[str, ...] | None = None
    """The models this key may call (None: every model of the deployment)."""
    max_tokens: int | None = None
    """The key's own cap on output tokens (None: the deployment's cap only)."""
    expires_at: int | None = None
    revoked_at: int | None = None

    def matches(self, secret: str) -> bool:
        """Whether ``secret`` hashes to the stored digest (constant-time comparison)."""
        return hmac.compare_digest(hash_secret(self.salt, secret), self.hash)


def parse_key(text: str) -> tuple[str, str] | None:
    """``(key id, secret)`` of a well-formed key, else None."""
    found = _KEY.fullmatch(text.strip())
    return None if found is None else (found["id"], found["secret"])


def hash_secret(salt_hex: str, secret: str) -> str:
    """Hex ``HMAC-SHA256(key=salt, message=secret)``."""
    return hmac.new(bytes.fromhex(salt_hex), secret.encode("utf-8"), hashlib.sha256).hexdigest()


def record_from_item(item: Mapping[str, Any]) -> KeyRecord:
    """A :class:`KeyRecord` from its plain-JSON item; raises :class:`KeyRecordError`."""
    scheme = item.get("hashScheme", HASH_SCHEME)
    if scheme != HASH_SCHEME:
        raise KeyRecordError(f"hashScheme {scheme!r} is not {HASH_SCHEME}")
    models = item.get("models")
    if models is not None and not (isinstance(models, list) and all(isinstance(m, str) for m in models)):
        raise KeyRecordError("models must be a list of model ids")
    salt = _text(item, "salt")
    try:
        bytes.fromhex(salt)
    except ValueError:
        raise KeyRecordError("salt is not hex") from None
    return KeyRecord(
        key_id=_text(item, "keyId"),
        name=_text(item, "name"),
        salt=salt,
        hash=_text(item, "hash"),
        created_at=_number(item, "createdAt") or 0,
        models=None if models is None else tuple(models),
        max_tokens=_number(item, "maxTokens"),
        expires_at=_number(item, "expiresAt"),
        revoked_at=_number(item, "revokedAt"),
    )


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise KeyRecordError(f"{name} must be a non-empty string")
    return value


def _number(item: Mapping[str, Any], name: str) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise KeyRecordError(f"{name} must be a number")
    try:
        return int(value)
    except ValueError:
        raise KeyRecordError(f"{name} must be a number") from None
