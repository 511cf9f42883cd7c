"""API-key mode locally: ``--api-key KEY`` / ``--api-key-file PATH`` become the function's key-file settings.

The function runs its own key check (functions/bedrock_stream/api_keys) against a JSON key file, the same records
as the deployed DynamoDB table: ``--api-key-file`` points it at one made by ``bedrock-stream keys create --file``;
``--api-key`` (a key in the ``bsk_<id>_<secret>`` format) is written as a record into a private temporary file
first, salted and hashed as the CLI does (the emulator never imports client or function code, so the few lines are
repeated; tests/unit/api_keys cross-checks the three writers). Without either, the function needs no key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from emulator.cors import CorsConfig

__all__ = [
    "API_KEY_HEADERS",
    "ENV_API_KEY_CACHE_SECONDS",
    "ENV_API_KEY_FILE",
    "api_key_env",
    "with_key_headers",
    "write_key_file",
]

ENV_API_KEY_FILE = "BEDROCK_STREAM_API_KEY_FILE"
ENV_API_KEY_CACHE_SECONDS = "BEDROCK_STREAM_API_KEY_CACHE_SECONDS"
API_KEY_HEADERS = ("authorization", "x-api-key")
"""Added to the CORS allow-list with keys on, as the stack does in API_KEY mode (infra/api_keys.py)."""
_KEY = re.compile(r"bsk_(?P<id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{32,128})")


def write_key_file(keys: Sequence[str], path: Path) -> None:
    """Write ``keys`` (named ``local-1``, ``local-2``...) as key records to ``path`` (mode 0600); raises
    ValueError for a key not in the ``bsk_<id>_<secret>`` format."""
    records = []
    for number, key in enumerate(keys, start=1):
        found = _KEY.fullmatch(key.strip())
        if found is None:
            raise ValueError(
                f"--api-key #{number} is not a bedrock-stream key (bsk_<12 hex>_<secret>); "
                "make one with: bedrock-stream keys create --file PATH --name NAME"
            )
        salt = secrets.token_hex(16)
        digest = hmac.new(bytes.fromhex(salt), found["secret"].encode("utf-8"), hashlib.sha256).hexdigest()
        records.append(
            {
                "keyId": found["id"],
                "name": f"local-{number}",
                "salt": salt,
                "hash": digest,
                "hashScheme": "hmac-sha256",
                "createdAt": int(time.time()),
            }
        )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"keys": records}, handle)


def api_key_env(
    keys: Sequence[str], key_file: str | None, *, cache_seconds: float | None = None
) -> tuple[dict[str, str], Path | None]:
    """The function environment for the key options, and the temporary file made for ``keys`` (the caller removes
    it), or ``({}, None)`` without keys; raises ValueError for bad options."""
    if keys and key_file:
        raise ValueError("give --api-key or --api-key-file, not both")
    env: dict[str, str] = {}
    made: Path | None = None
    if key_file:
        if not Path(key_file).is_file():
            raise ValueError(f"--api-key-file {key_file}: no such file")
        env[ENV_API_KEY_FILE] = str(Path(key_file).resolve())
    elif keys:
        descriptor, name = tempfile.mkstemp(prefix="bedrock-stream-keys-", suffix=".json")
        os.close(descriptor)
        made = Path(name)
        try:
            write_key_file(keys, made)
        except ValueError:
            made.unlink()
            raise
        env[ENV_API_KEY_FILE] = str(made)
    else:
        if cache_seconds is not None:
            raise ValueError("--api-key-cache-seconds needs --api-key or --api-key-file")
        return env, None
    if cache_seconds is not None:
        if cache_seconds < 0:
            raise ValueError("--api-key-cache-seconds must be 0 or more")
        env[ENV_API_KEY_CACHE_SECONDS] = f"{cache_seconds:g}"
    return env, made


def with_key_headers(cors: CorsConfig | None) -> CorsConfig | None:
    """``cors`` whose allowed headers include ``authorization`` and ``x-api-key`` (None stays None)."""
    if cors is None:
        return None
    present = {header.lower() for header in cors.allow_headers}
    missing = tuple(header for header in API_KEY_HEADERS if header not in present)
    return replace(cors, allow_headers=(*cors.allow_headers, *missing))
