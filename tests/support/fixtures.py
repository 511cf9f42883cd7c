"""Shared pytest fixtures for the fake Bedrock. Register in tests/conftest.py with
``pytest_plugins = ["tests.support.fixtures"]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.fake_bedrock import FakeBedrock
from tests.support.bedrock_scenarios import BedrockScenario, bedrock_client


@pytest.fixture
def fake_bedrock() -> Iterator[FakeBedrock]:
    """A started stub-mode fake Bedrock on an ephemeral loopback port, stopped afterwards."""
    with FakeBedrock() as fake:
        yield fake


@pytest.fixture
def bedrock_scenario(fake_bedrock: FakeBedrock) -> BedrockScenario:
    """Fault scripting for the ``fake_bedrock`` fixture."""
    return BedrockScenario(fake_bedrock)


@pytest.fixture
def bedrock_runtime(fake_bedrock: FakeBedrock) -> Any:
    """A real boto3 ``bedrock-runtime`` client for ``fake_bedrock`` (one attempt, 10 s read timeout)."""
    return bedrock_client(fake_bedrock)
