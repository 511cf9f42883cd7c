"""The README's OpenAI SDK (FunctionUrlAuth) and boto3 direct-invoke snippets, extracted and run as written.

Each snippet runs in its own Python process from the repository root against the emulator (the real app over the
stub fake Bedrock), configured only through the environment the README names: ``BEDROCK_STREAM_URL``,
``BEDROCK_STREAM_FUNCTION`` and boto3's standard ``AWS_ENDPOINT_URL_LAMBDA``
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import BedrockOptions, LocalLambda
from emulator.fake_bedrock import stub_text

ROOT = Path(__file__).resolve().parents[3]
PROMPTS = {"OpenAI SDK": "Tell me a story", "AWS SDK: direct `InvokeWithResponseStream`": "Tell me a story"}


def readme_snippet(heading: str) -> str:
    """The first ```python block under the ``### heading`` of README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n### {heading}\n", 1)
    if len(section) != 2:
        pytest.fail(f"README.md has no section '### {heading}'")
    match = re.search(r"```python\n(.*?)```", section[1].split("\n### ", 1)[0], re.DOTALL)
    if match is None:
        pytest.fail(f"README.md section '{heading}' has no python block")
    return match.group(1)


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    with LocalLambda(bedrock=BedrockOptions()) as emulator:
        yield emulator


def _environment(local: LocalLambda) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "BEDROCK_STREAM_URL"}
    return {
        **keep,
        "PYTHONPATH": str(ROOT),
        "BEDROCK_STREAM_URL": local.url,
        "BEDROCK_STREAM_FUNCTION": local.config.function_name,
        "AWS_ENDPOINT_URL_LAMBDA": local.url,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIDREADME",
        "AWS_SECRET_ACCESS_KEY": "readme-secret",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


@pytest.mark.parametrize("heading", sorted(PROMPTS))
def test_the_readme_snippet_runs_as_written_against_the_emulator(local: LocalLambda, heading: str) -> None:
    code = readme_snippet(heading)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_environment(local),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == stub_text(PROMPTS[heading]) + "\n"
