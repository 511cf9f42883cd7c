"""Where key records live; each store answers one question: the record for this key id, or None.

- :class:`DynamoKeyStore`: the stack's DynamoDB table (partition key ``keyId``), one strongly consistent
  ``GetItem`` per lookup (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html), so a
  revocation is visible to the next lookup; the function's role may call only ``dynamodb:GetItem`` on that table.
- :class:`FileKeyStore`: a JSON key file ``{"keys": [record, ...]}`` (``make dev``, the emulator), read afresh on
  each lookup so edits (``bedrock-stream keys revoke --file``) take effect like table updates.

A store that cannot answer raises :class:`~bedrock_stream.errors.KeyStoreUnavailableError` (503): a key is never
accepted without its record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from bedrock_stream.api_keys.records import KeyRecord, KeyRecordError, record_from_item
from bedrock_stream.errors import KeyStoreUnavailableError

__all__ = ["DynamoKeyStore", "FileKeyStore", "KeyStore"]


class KeyStore(Protocol):
    """Looks a key record up by its key id."""

    def get(self, key_id: str) -> KeyRecord | None: ...


class DynamoClient(Protocol):
    """The one call the store makes: :class:`~bedrock_stream.api_keys.dynamodb.DynamoGetItem` or a boto3 client."""

    def get_item(self, **kwargs: Any) -> Mapping[str, Any]: ...


class DynamoKeyStore:
    """Records in a DynamoDB table keyed by ``keyId``."""

    def __init__(self, client: DynamoClient, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, key_id: str) -> KeyRecord | None:
        """The record, None when the table has no item for ``key_id``."""
        try:
            answer = self._client.get_item(TableName=self._table, Key={"keyId": {"S": key_id}}, ConsistentRead=True)
        except (BotoCoreError, ClientError) as exc:
            raise KeyStoreUnavailableError(
                "the API key store is unavailable; try again", detail=f"DynamoDB GetItem failed: {exc}"
            ) from exc
        item = answer.get("Item")
        if item is None:
            return None
        return _record(_plain_item(item), source=f"table {self._table}")


class FileKeyStore:
    """Records in a local JSON key file."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def get(self, key_id: str) -> KeyRecord | None:
        """The record, None when the file lists no record for ``key_id``."""
        try:
            document = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KeyStoreUnavailableError(
                "the API key store is unavailable", detail=f"cannot read the key file {self._path}: {exc}"
            ) from exc
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise KeyStoreUnavailableError(
                "the API key store is unavailable", detail=f'{self._path}: expected {{"keys": [...]}}'
            )
        for item in keys:
            if isinstance(item, dict) and item.get("keyId") == key_id:
                return _record(item, source=str(self._path))
        return None


def _record(item: Mapping[str, Any], *, source: str) -> KeyRecord:
    try:
        return record_from_item(item)
    except KeyRecordError as exc:
        raise KeyStoreUnavailableError("the API key store holds a malformed record", detail=f"{source}: {exc}") from exc


def _plain_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB item (attribute values such as ``{"S": ...}``) as plain JSON values."""
    return {name: _plain(value) for name, value in item.items()}


def _plain(value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        return None
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return inner
    if kind == "N":
        return int(float(inner)) if isinstance(inner, str) else None
    if kind == "SS":
        return list(inner)
    if kind == "L":
        return [_plain(entry) for entry in inner]
    if kind == "BOOL":
        return bool(inner)
    return None
