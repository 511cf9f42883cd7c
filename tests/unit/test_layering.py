"""The dependency rules of docs/architecture.md ("Packages and dependency rules"), checked on the import graph.

Uses ast only; no imports are executed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = sys.stdlib_module_names

# package (path relative to ROOT) -> top-level modules it may import besides the stdlib and itself
RULES: dict[str, set[str]] = {
    "functions/streaming_runtime": set(),
    "functions/bedrock_stream": {"streaming_runtime", "boto3", "botocore", "aws_lambda_powertools"},
    "emulator": {"boto3", "botocore"},
    "client": {"botocore", "boto3", "httpx", "streamlit"},
    "infra": {"aws_cdk", "constructs", "cdk_nag"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_imports_only_what_design_allows(package: str) -> None:
    own = Path(package).name
    allowed = RULES[package] | {own}
    offenders: list[str] = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in sorted(_imports(path) - allowed):
            if name not in STDLIB and name != "__future__":
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_nothing_but_tests_bench_and_dev_imports_emulator() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for top in ("functions", "infra", "client")
        for path in (ROOT / top).rglob("*.py")
        if "emulator" in _imports(path)
    ]
    app = ROOT / "app.py"
    if app.exists() and "emulator" in _imports(app):
        offenders.append("app.py")
    assert offenders == []


def test_rules_cover_every_package() -> None:
    assert all((ROOT / package).is_dir() for package in RULES)
