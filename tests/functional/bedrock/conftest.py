"""Fixtures: the fake Bedrock (scripted replies through its ``responder``) and a real boto3 client pointed at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from bedrock_stream.bedrock.client import BedrockRuntimeClient
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from tests.support.bedrock_scenarios import SESSION, use_bedrock_endpoint

READ_TIMEOUT_S = 10.0
"""Generous: a test that expects data never waits for it to run out."""
STALL_TIMEOUT_S = 0.5
"""For tests whose server stalls on purpose (forever): the timeout always fires, so it is kept short."""


def make_client(url: str, mp: pytest.MonkeyPatch, **kwargs: Any) -> BedrockRuntimeClient:
    """Our ``create_client`` pointed at ``url`` only through boto3's standard variables; one attempt."""
    use_bedrock_endpoint(url, mp)
    kwargs.setdefault("read_timeout", READ_TIMEOUT_S)
    kwargs.setdefault("connect_timeout", READ_TIMEOUT_S)
    kwargs.setdefault("max_attempts", 1)
    kwargs.setdefault("session", SESSION)
    return create_client(**kwargs)


@pytest.fixture
def server() -> Iterator[FakeBedrock]:
    with FakeBedrock() as bedrock:
        yield bedrock


@pytest.fixture
def source(server: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> BotoBedrockSource:
    return BotoBedrockSource(make_client(server.url, monkeypatch))


@pytest.fixture
def impatient_source(server: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> BotoBedrockSource:
    """Like ``source`` with a :data:`STALL_TIMEOUT_S` read timeout, for a ``server`` scripted to stall."""
    return BotoBedrockSource(make_client(server.url, monkeypatch, read_timeout=STALL_TIMEOUT_S))


def error_reply(status: int, code: str | None, message: str, headers: dict[str, str] | None = None) -> ScriptedReply:
    all_headers = {"Content-Type": "application/json"}
    if code is not None:
        all_headers["x-amzn-ErrorType"] = f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    all_headers.update(headers or {})
    body = json.dumps({"message": message}).encode()
    return ScriptedReply(status=status, headers=all_headers, pieces=[body], chunked=False)
