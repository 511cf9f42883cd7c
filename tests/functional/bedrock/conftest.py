"""Fixtures: the fake Bedrock (scripted replies through its ``responder``) and a real boto3 client pointed at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from bedrock_stream.bedrock.client import BedrockRuntimeClient
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from tests.support.bedrock_scenarios import use_bedrock_endpoint

READ_TIMEOUT_S = 2.0


def make_client(url: str, mp: pytest.MonkeyPatch, **kwargs: Any) -> BedrockRuntimeClient:
    """Our ``create_client`` pointed at ``url`` only through boto3's standard variables; one attempt, short timeouts."""
    use_bedrock_endpoint(url, mp)
    kwargs.setdefault("read_timeout", READ_TIMEOUT_S)
    kwargs.setdefault("connect_timeout", READ_TIMEOUT_S)
    kwargs.setdefault("max_attempts", 1)
    return create_client(**kwargs)


@pytest.fixture
def server() -> Iterator[FakeBedrock]:
    with FakeBedrock() as bedrock:
        yield bedrock


@pytest.fixture
def source(server: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> BotoBedrockSource:
    return BotoBedrockSource(make_client(server.url, monkeypatch))


def error_reply(status: int, code: str | None, message: str, headers: dict[str, str] | None = None) -> ScriptedReply:
    all_headers = {"Content-Type": "application/json"}
    if code is not None:
        all_headers["x-amzn-ErrorType"] = f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    all_headers.update(headers or {})
    body = json.dumps({"message": message}).encode()
    return ScriptedReply(status=status, headers=all_headers, pieces=[body], chunked=False)
