"""Where the recorded Bedrock fixtures live (outside the repo: ../shared/fixtures/bedrock) and how to read them.

Override with ``BEDROCK_STREAM_FIXTURES=/path/to/fixtures/bedrock``. They are the ground truth of the Bedrock tests,
so missing fixtures fail those tests (with this hint) instead of skipping them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(os.environ.get("BEDROCK_STREAM_FIXTURES", ROOT.parent / "shared" / "fixtures" / "bedrock"))


def recorded_bins() -> list[Path]:
    """Every ``*.bin`` raw response body (empty if the folder is missing)."""
    return sorted(FIXTURES_DIR.glob("*.bin"))


def bin_params() -> list[Any]:
    """``recorded_bins()`` as pytest params; fails collection when the fixtures are not there."""
    bins = recorded_bins()
    if not bins:
        raise FileNotFoundError(
            f"no recorded Bedrock fixtures (*.bin) in {FIXTURES_DIR}; set BEDROCK_STREAM_FIXTURES to their folder"
        )
    return [pytest.param(path, id=path.stem) for path in bins]


def decoded_frames(bin_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(meta line, frame lines)`` of the ``.decoded.jsonl`` next to ``bin_path``."""
    lines = bin_path.with_suffix(".decoded.jsonl").read_text(encoding="utf-8").splitlines()
    parsed = [json.loads(line) for line in lines if line.strip()]
    return parsed[0], parsed[1:]
