"""A SnapStart handler for the emulator tests: it answers with the order its runtime hooks ran in.

Hooks are registered through AWS's module name (``snapshot_restore_py``), as a handler written for the managed runtime
does. ``SNAP_FAIL=after`` makes the second after-restore hook raise.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

from snapshot_restore_py import register_after_restore, register_before_snapshot

from streaming_runtime import StreamingResponse

RAN: list[str] = []
_STATE_AT_SNAPSHOT: list[object] = []


@register_before_snapshot
def _keep_random_state() -> None:
    RAN.append("before-1")
    _STATE_AT_SNAPSHOT.append(random.getstate())


@register_before_snapshot
def _before_2() -> None:
    RAN.append("before-2")


@register_after_restore
def _after_1() -> None:
    RAN.append("after-1")


@register_after_restore
def _after_2() -> None:
    RAN.append("after-2")
    if os.environ.get("SNAP_FAIL") == "after":
        raise RuntimeError("after-restore hook failed on purpose")


def handle(event: Any, context: Any) -> StreamingResponse:
    """``{"ran": [...], "reseeded": bool, "init_type": ...}`` as JSON."""
    doc = {
        "ran": RAN,
        "reseeded": bool(_STATE_AT_SNAPSHOT) and random.getstate() != _STATE_AT_SNAPSHOT[0],
        "init_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"),
    }
    return StreamingResponse(
        status_code=200, headers={"content-type": "application/json"}, body=[json.dumps(doc).encode()]
    )
