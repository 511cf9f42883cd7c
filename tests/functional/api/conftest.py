"""Fixtures: the real app over real boto3 against the fake Bedrock on loopback (no emulator needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from emulator.fake_bedrock import FakeBedrock
from tests.unit.api.support import Harness, harness

READ_TIMEOUT_S = 5.0
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture
def bedrock() -> Iterator[FakeBedrock]:
    with FakeBedrock() as fake:
        yield fake


@pytest.fixture
def app(bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> Harness:
    """The app with a real BotoBedrockSource; ``.app`` handles events, ``.log`` holds the JSON log."""
    for key, value in {**AWS_ENV, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = create_client(read_timeout=READ_TIMEOUT_S, connect_timeout=2, max_attempts=1)
    return harness(deadline_margin_ms=1000, source_override=BotoBedrockSource(client))
