"""A SnapStart handler for the runtime wire tests: its hooks announce themselves to the Runtime API stand-in.

Each hook sends ``POST /2018-06-01/test/mark/<name>`` to ``AWS_LAMBDA_RUNTIME_API``, so the stand-in's captured
requests hold one total order of hooks and Runtime API calls. ``SNAP_FAIL=before|after`` makes the second
registered hook of that kind raise. Hooks are registered both through AWS's module name (``snapshot_restore_py``,
plain calls and decorators) and through ``streaming_runtime.hooks``.
"""

from __future__ import annotations

import http.client
import json
import os
import random
from typing import Any

from snapshot_restore_py import register_after_restore, register_before_snapshot

from streaming_runtime import StreamingResponse, hooks

_FAIL = os.environ.get("SNAP_FAIL", "")
_BEFORE_SNAPSHOT_STATE: list[object] = []


def _mark(name: str) -> None:
    host, _, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("POST", f"/2018-06-01/test/mark/{name}", b"")
        conn.getresponse().read()
    finally:
        conn.close()


def _hook(kind: str, name: str, *, fail: bool = False) -> None:
    _mark(f"{kind}-{name}")
    if fail:
        raise ValueError(f"{kind} hook {name} failed on purpose")


def _keep_random_state() -> None:
    """Registered first, so it runs last before the snapshot: the state the snapshot would carry."""
    _mark("before-random")
    _BEFORE_SNAPSHOT_STATE.append(random.getstate())


register_before_snapshot(_keep_random_state)
register_before_snapshot(_hook, "before", "1", fail=_FAIL == "before")


@register_before_snapshot
def _before_2() -> None:
    _hook("before", "2")


register_after_restore(_hook, "after", "1")
hooks.register_after_restore(_hook, "after", "2", fail=_FAIL == "after")


@register_after_restore
def _after_3() -> None:
    _hook("after", "3")


def handle(event: Any, context: Any) -> StreamingResponse:
    """Answers whether ``random``'s state differs from the one kept just before the snapshot."""
    doc = {"reseeded": bool(_BEFORE_SNAPSHOT_STATE) and random.getstate() != _BEFORE_SNAPSHOT_STATE[0]}
    return StreamingResponse(
        status_code=200, headers={"content-type": "application/json"}, body=[json.dumps(doc).encode()]
    )
