"""API keys for a bedrock-stream deployment in ``authType: "API_KEY"`` mode: make them and keep their records.

A key is ``bsk_<key id>_<secret>`` (12 hex characters of id, 256 random bits of secret, ``secrets`` module). Only a
record is kept: the key id (the store's partition key), the name, a random salt, ``HMAC-SHA256(salt, secret)`` and
the policy (models, max tokens, expiry). The function checks keys against the same record shape
(functions/bedrock_stream/api_keys/records.py; the client never imports function code, so the format is repeated
here and tests/unit/api_keys cross-checks the two). docs/api-keys.md explains the format and the hash.

Two stores: the stack's DynamoDB table (found through the stack output ``ApiKeyTable``) and a local JSON key file
(``make dev``). Both hold the same records: DynamoDB items use typed attribute values
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html), the file
plain JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from client.errors import ConfigError, ConnectError, CredentialsError, UsageError

__all__ = [
    "KEY_PREFIX",
    "OUTPUT_TABLE",
    "DynamoKeyStore",
    "FileKeyStore",
    "KeyPolicy",
    "KeyStore",
    "NewKey",
    "StoredKey",
    "make_key",
]

KEY_PREFIX = "bsk"
HASH_SCHEME = "hmac-sha256"
OUTPUT_TABLE = "ApiKeyTable"
"""The stack output naming the key table (infra/stack.py)."""
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyPolicy:
    """What a key may do: models (None: all the deployment's), max output tokens, expiry (epoch seconds)."""

    models: tuple[str, ...] | None = None
    max_tokens: int | None = None
    expires_at: int | None = None


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made key: ``key`` is shown once, ``item`` is what the store keeps."""

    key: str
    item: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredKey:
    """A stored record as ``keys list`` shows it (no key material, no hash)."""

    key_id: str
    name: str
    created_at: int
    models: tuple[str, ...] | None
    max_tokens: int | None
    expires_at: int | None
    revoked_at: int | None

    def status(self, now: float) -> str:
        """``active``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


def make_key(name: str, policy: KeyPolicy, *, now: float | None = None) -> NewKey:
    """A new random key named ``name`` with ``policy``; raises ``UsageError`` for a bad name."""
    if not _NAME.fullmatch(name):
        raise UsageError(f"key name {name!r}: use 1-64 letters, digits, '.', '_' or '-'")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    digest = hmac.new(bytes.fromhex(salt), secret.encode("utf-8"), hashlib.sha256).hexdigest()
    item: dict[str, Any] = {
        "keyId": key_id,
        "name": name,
        "salt": salt,
        "hash": digest,
        "hashScheme": HASH_SCHEME,
        "createdAt": int(time.time() if now is None else now),
    }
    if policy.models is not None:
        item["models"] = list(policy.models)
    if policy.max_tokens is not None:
        item["maxTokens"] = policy.max_tokens
    if policy.expires_at is not None:
        item["expiresAt"] = policy.expires_at
    return NewKey(f"{KEY_PREFIX}_{key_id}_{secret}", item)


def stored_key(item: Mapping[str, Any]) -> StoredKey:
    """The listable part of a plain record."""
    models = item.get("models")
    return StoredKey(
        key_id=str(item.get("keyId", "")),
        name=str(item.get("name", "")),
        created_at=int(item.get("createdAt", 0)),
        models=None if models is None else tuple(str(m) for m in models),
        max_tokens=None if item.get("maxTokens") is None else int(item["maxTokens"]),
        expires_at=None if item.get("expiresAt") is None else int(item["expiresAt"]),
        revoked_at=None if item.get("revokedAt") is None else int(item["revokedAt"]),
    )


class KeyStore(Protocol):
    """Where records are kept."""

    def add(self, item: Mapping[str, Any]) -> None: ...

    def items(self) -> list[dict[str, Any]]: ...

    def revoke(self, key_id: str, at: int) -> None: ...


class FileKeyStore:
    """A local JSON key file ``{"keys": [...]}``, written atomically and readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def items(self) -> list[dict[str, Any]]:
        """Every record in the file (none when it does not exist yet)."""
        if not self.path.exists():
            return []
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the key file {self.path}: {exc}") from exc
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise ConfigError(f'{self.path} is not a key file (expected {{"keys": [...]}})')
        return [dict(item) for item in keys if isinstance(item, dict)]

    def add(self, item: Mapping[str, Any]) -> None:
        """Append ``item``."""
        self._write([*self.items(), dict(item)])

    def revoke(self, key_id: str, at: int) -> None:
        """Mark the record ``key_id`` revoked at ``at``."""
        self._write([{**item, "revokedAt": at} if item.get("keyId") == key_id else item for item in self.items()])

    def _write(self, items: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"keys": items}, handle, indent=2)
            handle.write("\n")
        os.replace(temporary, self.path)


class DynamoClient(Protocol):
    """The boto3 ``dynamodb`` client calls the store makes."""

    def put_item(self, **kwargs: Any) -> Any: ...

    def update_item(self, **kwargs: Any) -> Any: ...

    def scan(self, **kwargs: Any) -> Any: ...


class DynamoKeyStore:
    """The stack's key table (partition key ``keyId``)."""

    def __init__(self, client: DynamoClient, table: str) -> None:
        self._client = client
        self.table = table

    def items(self) -> list[dict[str, Any]]:
        """Every record (a paginated Scan: an admin command over a handful of keys)."""
        return list(self._scan())

    def add(self, item: Mapping[str, Any]) -> None:
        """Put ``item``, refusing to overwrite an existing key id."""
        with _aws_errors(self.table):
            self._client.put_item(
                TableName=self.table,
                Item={name: _typed(value) for name, value in item.items()},
                ConditionExpression="attribute_not_exists(keyId)",
            )

    def revoke(self, key_id: str, at: int) -> None:
        """Set ``revokedAt`` on the record ``key_id``."""
        with _aws_errors(self.table):
            self._client.update_item(
                TableName=self.table,
                Key={"keyId": {"S": key_id}},
                UpdateExpression="SET revokedAt = :at",
                ConditionExpression="attribute_exists(keyId)",
                ExpressionAttributeValues={":at": {"N": str(at)}},
            )

    def _scan(self) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            kwargs: dict[str, Any] = {"TableName": self.table, "ConsistentRead": True}
            if start is not None:
                kwargs["ExclusiveStartKey"] = start
            with _aws_errors(self.table):
                page = self._client.scan(**kwargs)
            for item in page.get("Items", []):
                yield {name: _plain(value) for name, value in item.items()}
            start = page.get("LastEvaluatedKey")
            if not start:
                return


@contextmanager
def _aws_errors(table: str) -> Iterator[None]:
    """Turns boto3 failures into the client's errors (exit codes 3, 4, 5)."""
    where = f"key table {table!r}"
    try:
        yield
    except NoRegionError as exc:
        raise ConfigError("no AWS Region for the key table: pass --region or set AWS_REGION") from exc
    except NoCredentialsError as exc:
        raise CredentialsError(f"no AWS credentials found to use the {where}") from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", exc))
        if code in ("ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "AccessDenied"):
            raise CredentialsError(f"cannot use the {where}: {message}") from exc
        raise ConfigError(f"cannot use the {where}: {code} {message}".strip()) from exc
    except BotoCoreError as exc:
        if "connect" in type(exc).__name__.lower():
            raise ConnectError(f"cannot reach DynamoDB: {exc}") from exc
        raise ConfigError(f"cannot use the {where}: {exc}") from exc


def _typed(value: Any) -> dict[str, Any]:
    """A plain JSON value as a DynamoDB attribute value."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, list):
        return {"L": [_typed(entry) for entry in value]}
    return {"S": str(value)}


def _plain(value: Mapping[str, Any]) -> Any:
    kind, inner = next(iter(value.items()))
    if kind == "N":
        return int(float(inner))
    if kind == "L":
        return [_plain(entry) for entry in inner]
    if kind == "SS":
        return list(inner)
    return inner
