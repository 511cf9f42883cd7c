"""The key guard the settings ask for: the DynamoDB table in AWS, the key file locally, none without API_KEY mode.

The table is read with a boto3 ``dynamodb`` client made at init (boto3 is already loaded for Bedrock; the client
costs one service-model load, measured in docs/api-keys.md) with short timeouts: a lookup is on every cold key's
path to its first byte. ``AWS_ENDPOINT_URL_DYNAMODB`` (boto3's service-specific endpoint variable) points it at a
local DynamoDB in tests.
"""

from __future__ import annotations

from pathlib import Path

import boto3
from botocore.config import Config

from bedrock_stream.api_keys.guard import KeyGuard
from bedrock_stream.api_keys.stores import DynamoKeyStore, FileKeyStore, KeyStore
from bedrock_stream.settings import Settings

__all__ = ["create_guard"]

_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"mode": "standard", "max_attempts": 3})


def create_guard(settings: Settings) -> KeyGuard | None:
    """The guard for ``settings``, or None when requests need no key."""
    store: KeyStore
    if settings.api_key_table is not None:
        client = boto3.client("dynamodb", config=_CLIENT_CONFIG)
        store = DynamoKeyStore(client, settings.api_key_table)
    elif settings.api_key_file is not None:
        store = FileKeyStore(Path(settings.api_key_file))
    else:
        return None
    return KeyGuard(store, cache_seconds=settings.api_key_cache_seconds)
