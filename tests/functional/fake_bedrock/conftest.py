"""Fake Bedrock fixtures for this folder (the lead may register tests.support.fixtures project-wide instead)."""

from __future__ import annotations

from tests.support.fixtures import bedrock_runtime, bedrock_scenario, fake_bedrock

__all__ = ["bedrock_runtime", "bedrock_scenario", "fake_bedrock"]
