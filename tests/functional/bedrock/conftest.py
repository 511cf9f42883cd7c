"""Fixtures: a scripted loopback Bedrock and a real boto3 client pointed at it through the standard env var."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from bedrock_stream.bedrock.client import BedrockRuntimeClient
from tests.functional.bedrock._server import Reply, ScriptedBedrock

FIXTURES = Path("/work/shared/fixtures/bedrock")
READ_TIMEOUT_S = 2.0


def client_env(url: str) -> dict[str, str]:
    """Only boto3's standard variables: endpoint override, fake credentials, Region, no config files."""
    return {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url,
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/nonexistent/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def make_client(url: str, mp: pytest.MonkeyPatch, **kwargs: Any) -> BedrockRuntimeClient:
    for key, value in client_env(url).items():
        mp.setenv(key, value)
    mp.delenv("AWS_PROFILE", raising=False)
    mp.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    kwargs.setdefault("read_timeout", READ_TIMEOUT_S)
    kwargs.setdefault("connect_timeout", READ_TIMEOUT_S)
    kwargs.setdefault("max_attempts", 1)
    return create_client(**kwargs)


@pytest.fixture
def server() -> Iterator[ScriptedBedrock]:
    with ScriptedBedrock() as bedrock:
        yield bedrock


@pytest.fixture
def source(server: ScriptedBedrock, monkeypatch: pytest.MonkeyPatch) -> BotoBedrockSource:
    return BotoBedrockSource(make_client(server.url, monkeypatch))


def stream_reply(pieces: list[bytes], **kwargs: Any) -> Reply:
    return Reply(pieces=pieces, **kwargs)


def error_reply(status: int, code: str | None, message: str, headers: dict[str, str] | None = None) -> Reply:
    all_headers = {"Content-Type": "application/json"}
    if code is not None:
        all_headers["x-amzn-ErrorType"] = f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    all_headers.update(headers or {})
    return Reply(status=status, headers=all_headers, pieces=[json.dumps({"message": message}).encode()], chunked=False)
