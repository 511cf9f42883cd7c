"""A local Function URL (emulator + the real API + the stub fake Bedrock) shared by the client's functional tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.fake_bedrock import FakeBedrock
from emulator.local import BedrockOptions, LocalLambda

MODELS = ("anthropic.claude-3-haiku-20240307-v1:0", "meta.llama3-8b-instruct-v1:0")
TOKEN_DELAY_MS = 50


@pytest.fixture(scope="session")
def local_lambda() -> Iterator[LocalLambda]:
    env = {"BEDROCK_STREAM_MODELS": ",".join(MODELS)}
    with LocalLambda(env=env, bedrock=BedrockOptions(token_delay_ms=TOKEN_DELAY_MS), timeout=30) as lam:
        yield lam


@pytest.fixture
def fake_bedrock(local_lambda: LocalLambda) -> Iterator[FakeBedrock]:
    """The running fake Bedrock; faults injected by a test are cleared afterwards."""
    fake: FakeBedrock = local_lambda.fake_bedrock
    try:
        yield fake
    finally:
        fake.clear_faults()
