"""The key guard the settings ask for: the DynamoDB table in AWS, the key file locally, none without API_KEY mode.

The table is read with :class:`~bedrock_stream.api_keys.dynamodb.DynamoGetItem` (one operation over botocore's
signer, no DynamoDB service model to load) using the credentials and Region of the session the Bedrock client was
made from, so init resolves nothing twice. ``AWS_ENDPOINT_URL_DYNAMODB`` points it at a local DynamoDB in tests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bedrock_stream.api_keys.dynamodb import DynamoGetItem, dynamodb_endpoint
from bedrock_stream.api_keys.guard import KeyGuard
from bedrock_stream.api_keys.stores import DynamoKeyStore, FileKeyStore, KeyStore
from bedrock_stream.settings import Settings, SettingsError

__all__ = ["create_guard"]


def create_guard(settings: Settings, session: Any, environ: Mapping[str, str] = os.environ) -> KeyGuard | None:
    """The guard for ``settings`` (``session``: the boto3 Session of the Bedrock client), or None when requests need
    no key. Raises :class:`SettingsError` when the table cannot be reached as configured."""
    store: KeyStore
    if settings.api_key_table is not None:
        region = environ.get("AWS_REGION") or session.region_name
        credentials = session.get_credentials()
        if not region or credentials is None:
            raise SettingsError("API keys in DynamoDB need the function's AWS Region and credentials")
        try:
            endpoint = dynamodb_endpoint(region, session.get_partition_for_region(region), environ)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        client = DynamoGetItem(credentials=credentials, region=region, endpoint=endpoint)
        store = DynamoKeyStore(client, settings.api_key_table)
    elif settings.api_key_file is not None:
        store = FileKeyStore(Path(settings.api_key_file))
    else:
        return None
    return KeyGuard(store, cache_seconds=settings.api_key_cache_seconds)
