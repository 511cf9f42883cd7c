"""Fixtures: the real app over real boto3 against the fake Bedrock on loopback (no emulator needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from emulator.fake_bedrock import FakeBedrock
from tests.support.bedrock_scenarios import SESSION, use_bedrock_endpoint
from tests.unit.api.support import Harness, harness

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
