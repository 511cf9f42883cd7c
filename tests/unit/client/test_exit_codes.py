"""The CLI's exit codes: one table in ``client.errors``, the same codes in the README and the HTTP status mapping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from client.cli import build_parser
from client.errors import EXIT_CODES, exit_code_for_status

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_lists_exactly_the_exit_codes() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| exit code | meaning |") :].split("\n\n", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}
    assert documented == set(EXIT_CODES)


def test_help_lists_every_exit_code() -> None:
    epilog = build_parser().epilog or ""
    assert {int(code) for code in re.findall(r"^\s+(\d+)\s", epilog, flags=re.MULTILINE)} == set(EXIT_CODES)


@pytest.mark.parametrize(("status", "code"), [(400, 6), (403, 6), (404, 6), (429, 7), (500, 8), (502, 8), (504, 8)])
def test_http_status_to_exit_code(status: int, code: int) -> None:
    assert exit_code_for_status(status) == code
