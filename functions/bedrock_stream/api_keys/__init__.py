"""API-key mode (``authType: "API_KEY"``): the key format, the key stores and the check every request passes first.

- :mod:`.records`: what a key looks like (``bsk_<id>_<secret>``) and the stored record (salted hash + policy);
- :mod:`.stores`: where records live (DynamoDB in AWS, a JSON key file for ``make dev``), one lookup by key id;
- :mod:`.guard`: authenticate a request's key (401), enforce the key's policy on the parsed plan (403), with an
  in-process cache whose TTL bounds how long a revoked key keeps working.

docs/api-keys.md explains the choices (store, hash, cache bound, error shapes).
"""

from __future__ import annotations

from bedrock_stream.api_keys.guard import ApiKey, KeyGuard
from bedrock_stream.api_keys.records import KEY_PREFIX, KeyRecord, hash_secret, parse_key, record_from_item
from bedrock_stream.api_keys.stores import DynamoKeyStore, FileKeyStore, KeyStore

__all__ = [
    "KEY_PREFIX",
    "ApiKey",
    "DynamoKeyStore",
    "FileKeyStore",
    "KeyGuard",
    "KeyRecord",
    "KeyStore",
    "hash_secret",
    "parse_key",
    "record_from_item",
]
