"""Test-side driver for the fake Bedrock: scripted scenarios and boto3 clients pointing at it.

Usage::

    def test_x(fake_bedrock, bedrock_scenario):
        bedrock_scenario.fail_after(3, "throttlingException")
        client = bedrock_client(fake_bedrock)
        ...

The function under test reaches the fake only through :func:`bedrock_env` (boto3's standard
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME`` plus fake credentials and region); :func:`use_bedrock_endpoint` puts the same
variables into a test's own process (any loopback Bedrock, e.g. a scripted one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

from emulator.fake_bedrock import (
    DropAfter,
    ErrorFrameAfter,
    ExceptionAfter,
    FakeBedrock,
    HttpError,
    StallAfter,
    TruncateFinalFrame,
)

REGION = "us-east-1"
FAKE_ACCESS_KEY = "AKIDFAKEBEDROCK"
FAKE_SECRET_KEY = "fake-bedrock-secret"

SESSION = boto3.session.Session()
"""One session for the tests' clients: botocore parses the bedrock-runtime model once per process, not per test.
Endpoint and Region are still read from the environment for each client (the credentials, the same fake keys in
every test, once)."""


def endpoint_env(url: str) -> dict[str, str]:
    """Environment variables that point a boto3 process at the Bedrock endpoint ``url`` (and nothing real):
    fake credentials and Region, no shared config or credentials files, no instance metadata."""
    return {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url,
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def bedrock_env(fake: FakeBedrock) -> dict[str, str]:
    """Environment variables that point a boto3 process at ``fake`` (and nothing real)."""
    return endpoint_env(fake.url)


def use_bedrock_endpoint(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point boto3 clients created later in this test process at ``url`` (see :func:`endpoint_env`)."""
    for name, value in endpoint_env(url).items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)


def bedrock_client(fake: FakeBedrock, *, attempts: int = 1, read_timeout: float = 10.0, **config: Any) -> Any:
    """A real ``bedrock-runtime`` boto3 client for ``fake``; no retries by default (``attempts`` = total attempts)."""
    settings = Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=5,
        read_timeout=read_timeout,
        **config,
    )
    return boto3.client(
        "bedrock-runtime",
        endpoint_url=fake.url,
        region_name=REGION,
        aws_access_key_id=FAKE_ACCESS_KEY,
        aws_secret_access_key=FAKE_SECRET_KEY,
        config=settings,
    )


@dataclass
class BedrockScenario:
    """Scripts faults on one :class:`FakeBedrock`. ``times`` = next N requests (None: every request)."""

    fake: FakeBedrock

    def fail_before_stream(
        self, code: str, *, status: int | None = None, message: str | None = None, times: int | None = 1
    ) -> None:
        """HTTP error before any event (status defaults to the modelled one for ``code``)."""
        self.fake.inject(HttpError(code, status, message), times=times)

    def fail_after(
        self,
        n: int,
        exception_type: str,
        *,
        message: str = "The fake Bedrock injected an in-stream exception.",
        original_status_code: int | None = None,
        original_message: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Modelled exception frame (lowerCamel, e.g. ``modelStreamErrorException``) after ``n`` frames."""
        fault = ExceptionAfter(n, exception_type, message, original_status_code, original_message)
        self.fake.inject(fault, times=times)

    def error_frame_after(
        self, n: int, code: str = "InternalFailure", message: str = "injected", *, times: int | None = 1
    ) -> None:
        """Unmodelled ``:message-type error`` frame after ``n`` frames."""
        self.fake.inject(ErrorFrameAfter(n, code, message), times=times)

    def drop_after(self, n: int, *, mid_frame: bool = False, times: int | None = 1) -> None:
        """Close the connection after ``n`` frames (``mid_frame``: inside frame n+1)."""
        self.fake.inject(DropAfter(n, mid_frame), times=times)

    def stall(self, after: int, seconds: float | None = None, *, times: int | None = 1) -> None:
        """Send nothing after ``after`` frames for ``seconds`` (None: until the fake stops)."""
        self.fake.inject(StallAfter(after, seconds), times=times)

    def truncate_final_frame(self, keep: int | None = None, *, times: int | None = 1) -> None:
        """Cut the last frame short and end the body cleanly."""
        self.fake.inject(TruncateFinalFrame(keep), times=times)

    def reset(self) -> None:
        """Forget faults and recorded requests."""
        self.fake.clear_faults()
        self.fake.clear_requests()
