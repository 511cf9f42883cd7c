"""Recorded Amazon Bedrock captures: found through BEDROCK_STREAM_FIXTURES, never part of the repository.

A folder of captures holds raw ConverseStream response bodies (``*.bin``), each with its frames decoded next to it
(``*.decoded.jsonl``: a ``{"_meta": {"model_id", "uri", ...}}`` line, then one ``{"h", "payload"}`` line per
frame), and optionally the cassettes they were taken from (``*.yaml``). Tests that replay them are parametrized with
:func:`recorded_params` or marked with :data:`needs_recordings`. When ``BEDROCK_STREAM_FIXTURES`` is unset (or names
a folder without ``*.bin`` files) those tests skip with the reason; with ``BEDROCK_STREAM_REQUIRE_FIXTURES=1`` they
fail with it instead. Collection never reads the folder's absence as an error.

Registered as a pytest plugin in tests/conftest.py (the hooks at the bottom).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.captures import Capture, synthetic_params

__all__ = [
    "FIXTURES_ENV",
    "REQUIRE_ENV",
    "capture_params",
    "fixtures_dir",
    "needs_recordings",
    "recorded_bins",
    "recorded_file",
    "recorded_params",
    "unavailable_reason",
]

FIXTURES_ENV = "BEDROCK_STREAM_FIXTURES"
REQUIRE_ENV = "BEDROCK_STREAM_REQUIRE_FIXTURES"
_MARKER = "needs_recordings"

needs_recordings: pytest.MarkDecorator = getattr(pytest.mark, _MARKER)


def fixtures_dir() -> Path | None:
    """The folder ``BEDROCK_STREAM_FIXTURES`` names, or ``None`` when it is unset or empty."""
    value = os.environ.get(FIXTURES_ENV, "").strip()
    return Path(value) if value else None


def recorded_bins() -> list[Path]:
    """Every ``*.bin`` raw response body in the folder (empty when there is none)."""
    folder = fixtures_dir()
    return sorted(folder.glob("*.bin")) if folder is not None else []


def unavailable_reason() -> str | None:
    """Why the recorded captures cannot be used, or ``None`` when they can."""
    folder = fixtures_dir()
    if folder is None:
        return f"recorded Bedrock captures not available: {FIXTURES_ENV} is unset (set it to their folder)"
    if not folder.is_dir():
        return f"recorded Bedrock captures not available: {FIXTURES_ENV}={folder} is not a folder"
    if not recorded_bins():
        return f"recorded Bedrock captures not available: no *.bin files in {FIXTURES_ENV}={folder}"
    return None


def recorded_file(name: str) -> Path:
    """``name`` inside the captures folder (call only from a test marked :data:`needs_recordings`)."""
    folder = fixtures_dir()
    if folder is None:
        raise LookupError(f"{FIXTURES_ENV} is unset")
    return folder / name


def recorded_params() -> list[Any]:
    """One param per recorded capture (id: the file stem), each marked :data:`needs_recordings`.

    Without captures: a single ``recordings-unavailable`` param, which the hooks below skip (or fail).
    """
    if unavailable_reason() is not None:
        return [pytest.param(None, id="recordings-unavailable", marks=needs_recordings)]
    return [pytest.param(Capture.load(path), id=path.stem, marks=needs_recordings) for path in recorded_bins()]


def capture_params() -> list[Any]:
    """The synthetic captures (always run) followed by :func:`recorded_params`."""
    return synthetic_params() + recorded_params()


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (the suite runs with ``--strict-markers``)."""
    config.addinivalue_line("markers", f"{_MARKER}: needs the recorded Bedrock captures in ${FIXTURES_ENV}")


def pytest_report_header(config: pytest.Config) -> str:
    """One header line saying whether the replay tests will run."""
    reason = unavailable_reason()
    if reason is None:
        return f"recorded Bedrock captures: {len(recorded_bins())} in {fixtures_dir()}"
    return f"{reason}; tests marked {_MARKER} will {'FAIL' if _required() else 'skip'}"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test that needs the captures when they are unavailable, or fail it when they are required."""
    if item.get_closest_marker(_MARKER) is None:
        return
    reason = unavailable_reason()
    if reason is None:
        return
    if _required():
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires them", pytrace=False)
    pytest.skip(reason)


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() == "1"
