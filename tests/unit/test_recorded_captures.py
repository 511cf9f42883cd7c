"""Tests that need recorded Bedrock captures: collected anywhere, skipped with the reason when
BEDROCK_STREAM_FIXTURES is unset, failed when BEDROCK_STREAM_REQUIRE_FIXTURES=1, run when the folder has them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.captures import SYNTHETIC
from tests.support.recorded import FIXTURES_ENV, REQUIRE_ENV

MODULE = """
import pytest

from tests.support.recorded import needs_recordings, recorded_params


@pytest.mark.parametrize("capture", recorded_params())
def test_replays(capture):
    assert capture.raw and capture.frames


@needs_recordings
def test_marked():
    pass


def test_plain():
    pass
"""


def _run(pytester: pytest.Pytester) -> pytest.RunResult:
    pytester.makepyfile(test_module=MODULE)
    return pytester.runpytest("-p", "tests.support.recorded", "-rs")


def _captures_folder(root: Path) -> Path:
    folder = root / "captures"
    folder.mkdir()
    capture = SYNTHETIC[0]
    capture.write(folder)
    meta = {
        "_meta": {"model_id": capture.model_id, "uri": f"https://bedrock-runtime.amazonaws.com{capture.request_path}"}
    }
    lines = [json.dumps(meta), *(json.dumps(frame) for frame in capture.frames)]
    (folder / f"{capture.name}.decoded.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_unset_folder_collects_and_skips_with_the_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FIXTURES_ENV, raising=False)
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    result = _run(pytester)
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(["*SKIPPED*BEDROCK_STREAM_FIXTURES is unset*"])


def test_folder_without_captures_skips_naming_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(FIXTURES_ENV, str(tmp_path))
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    result = _run(pytester)
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines([f"*SKIPPED*no [*].bin files in {FIXTURES_ENV}={tmp_path}*"])


def test_required_captures_fail_when_unset(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIXTURES_ENV, raising=False)
    monkeypatch.setenv(REQUIRE_ENV, "1")
    result = _run(pytester)
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines([f"*{REQUIRE_ENV}=1 requires them*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_captures_in_the_folder_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(FIXTURES_ENV, str(_captures_folder(tmp_path)))
    monkeypatch.setenv(REQUIRE_ENV, "1")
    result = _run(pytester)
    result.assert_outcomes(passed=3)
