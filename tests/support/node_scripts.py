"""Run a test's Node.js script with the pinned Node and the project's node_modules (the npm SDKs as real peers)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["NODE_SCRIPTS", "run_node_script"]

ROOT = Path(__file__).resolve().parents[2]
NODE_SCRIPTS = ROOT / "tests" / "node"
NODE = ROOT / "node_modules" / ".bin" / "node"
NODE_PATH = os.environ.get("AI_SDK_NODE_PATH", str(ROOT / "node_modules"))
"""The node_modules folder the scripts resolve packages from (``AI_SDK_NODE_PATH`` may name another)."""


def run_node_script(name: str, env: dict[str, str], *, timeout: float = 60) -> Any:
    """Run ``tests/node/<name>`` as stdin from the folder holding node_modules (ESM resolves packages from there)
    with ``env`` added; return the JSON of its last stdout line, failing with its stderr if it exits non-zero."""
    done = subprocess.run(
        [str(NODE), "--input-type=module", "-"],
        input=(NODE_SCRIPTS / name).read_text(),
        cwd=Path(NODE_PATH).parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
