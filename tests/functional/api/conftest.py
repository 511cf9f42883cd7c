"""Fixtures: the real app over real boto3 against the fake Bedrock on loopback (no emulator needed), and the local
Function URL over the stub fake Bedrock (``local``, one emulator per module; ``fake``, reset around each test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from emulator.fake_bedrock import FakeBedrock
from emulator.local import BedrockOptions, LocalLambda
from tests.support.bedrock_scenarios import SESSION, use_bedrock_endpoint
from tests.unit.api.support import MODEL, OTHER, Harness, harness

READ_TIMEOUT_S = 5.0


@pytest.fixture
def bedrock() -> Iterator[FakeBedrock]:
    with FakeBedrock() as fake:
        yield fake


@pytest.fixture
def app(bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> Harness:
    """The app with a real BotoBedrockSource; ``.app`` handles events, ``.log`` holds the JSON log."""
    use_bedrock_endpoint(bedrock.url, monkeypatch)
    client = create_client(read_timeout=READ_TIMEOUT_S, connect_timeout=2, max_attempts=1, session=SESSION)
    return harness(deadline_margin_ms=1000, source_override=BotoBedrockSource(client))


def stub_lambda(**settings: str) -> LocalLambda:
    """The local Function URL over the stub fake Bedrock serving MODEL and OTHER (MODEL by default); ``settings``
    add or override environment variables. Not started: use it as a context manager."""
    env = {"BEDROCK_STREAM_MODELS": f"{MODEL},{OTHER}", "BEDROCK_STREAM_DEFAULT_MODEL": MODEL, **settings}
    return LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"))


def reset_fake(bedrock: FakeBedrock) -> None:
    """Put the fake Bedrock back as started: stub mode, no replay, responder, faults, delays, requests or cache."""
    bedrock.mode, bedrock.replay_frames, bedrock.responder = "stub", [], None
    bedrock.first_token_ms = bedrock.token_delay_ms = 0
    bedrock.clear_faults()
    bedrock.clear_requests()
    bedrock.prompt_cache.clear()


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    """One local Function URL per module (:func:`stub_lambda`); a module needing other settings overrides it."""
    with stub_lambda() as lam:
        yield lam


@pytest.fixture
def fake(local: LocalLambda) -> Iterator[FakeBedrock]:
    """The module's fake Bedrock, reset before and after each test."""
    bedrock: FakeBedrock = local.fake_bedrock
    reset_fake(bedrock)
    yield bedrock
    reset_fake(bedrock)
