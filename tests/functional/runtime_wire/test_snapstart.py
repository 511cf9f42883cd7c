"""SnapStart through the real runtime process against the raw-socket Runtime API stand-in.

Expected behaviour from aws/aws-lambda-python-runtime-interface-client (awslambdaric/bootstrap.py ``on_init_complete``
and ``run``, awslambdaric/lambda_runtime_client.py ``restore_next`` / ``report_restore_error``,
awslambdaric/lambda_runtime_hooks_runner.py) and the AWS Lambda developer guide (snapstart-runtime-hooks-python.html,
runtimes-api.html "Restore", snapstart-uniqueness.html). The test handler's hooks post marks to the stand-in, so its
captured requests are one total order of hooks and Runtime API calls.
"""

from __future__ import annotations

import json

import pytest

from tests.functional.runtime_wire.standin import NEXT_PATH, RESTORE_NEXT_PATH, Captured, NextSpec, RuntimeApiStandIn

pytestmark = pytest.mark.timeout(60)

BASE = "/2018-06-01/runtime"
MARK = "/2018-06-01/test/mark/"
SNAP = {"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}
UNTIL_RESTORE = ["before-2", "before-1", "before-random", "GET /restore/next"]
"""The before-snapshot hooks in reverse registration order, then the restore call."""


def order(requests: list[Captured]) -> list[str]:
    """Hook marks and Runtime API calls, in the order the stand-in received them (streamed responses left out)."""
    out = []
    for req in requests:
        if req.target.startswith(MARK):
            out.append(req.target.removeprefix(MARK))
        elif not req.target.endswith("/response"):
            out.append(f"{req.method} {req.target.removeprefix(BASE)}")
    return out


def test_snap_start_runs_before_hooks_in_reverse_then_restore_next_then_after_hooks_in_order(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-snap", {}))
        start_runtime(api.address, "snap_handlers.handle", **SNAP)
        (response,) = api.wait_complete("/response")
        api.wait_polling(2)

    assert order(api.requests) == [
        *UNTIL_RESTORE,
        "after-1",
        "after-2",
        "after-3",
        "GET /invocation/next",
        "GET /invocation/next",
    ]
    # random was reseeded after the restore: its state is not the one the snapshot carried
    assert json.loads(response.body) == {"reseeded": True}
    # the Runtime API connection used for /restore/next is not reused after the restore
    restore = next(r for r in api.requests if r.target == RESTORE_NEXT_PATH)
    first_next = next(r for r in api.requests if r.target == NEXT_PATH)
    assert first_next.conn_id != restore.conn_id


def test_without_snap_start_no_hook_runs_and_restore_next_is_never_called(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-plain", {}))
        start_runtime(api.address, "snap_handlers.handle")
        api.wait_complete("/response")
        api.wait_polling(2)

    assert order(api.requests) == ["GET /invocation/next", "GET /invocation/next"]


def test_before_snapshot_failure_posts_init_error_and_exits_64(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, "snap_handlers.handle", SNAP_FAIL="before", **SNAP)
        (req,) = api.wait_complete("/init/error")
        assert proc.wait(timeout=15) == 64

    assert order(api.requests) == ["before-2", "before-1", "POST /init/error"]
    assert req.header("lambda-runtime-function-error-type") == "Runtime.BeforeSnapshotError"
    doc = json.loads(req.body)
    assert set(doc) == {"errorMessage", "errorType", "stackTrace", "requestId"}
    assert (doc["errorType"], doc["errorMessage"], doc["requestId"]) == (
        "ValueError",
        "before hook 1 failed on purpose",
        "",
    )
    assert any("snap_handlers.py" in frame for frame in doc["stackTrace"])


def test_after_restore_failure_posts_restore_error_and_exits_65(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, "snap_handlers.handle", SNAP_FAIL="after", **SNAP)
        (req,) = api.wait_complete("/restore/error")
        assert proc.wait(timeout=15) == 65

    assert order(api.requests) == [*UNTIL_RESTORE, "after-1", "after-2", "POST /restore/error"]
    assert req.header("lambda-runtime-function-error-type") == "Runtime.AfterRestoreError"
    doc = json.loads(req.body)
    assert (doc["errorType"], doc["errorMessage"], doc["requestId"]) == (
        "ValueError",
        "after hook 2 failed on purpose",
        "",
    )


def test_restore_next_refused_is_a_before_snapshot_error(start_runtime) -> None:
    with RuntimeApiStandIn(restore_status=500) as api:
        proc = start_runtime(api.address, "snap_handlers.handle", **SNAP)
        (req,) = api.wait_complete("/init/error")
        assert proc.wait(timeout=15) == 64

    assert order(api.requests)[-2:] == ["GET /restore/next", "POST /init/error"]
    assert req.header("lambda-runtime-function-error-type") == "Runtime.BeforeSnapshotError"
    assert "/restore/next answered 500" in json.loads(req.body)["errorMessage"]


# A stand-in for AWS's library bundled into a deployment package: same public names, its own lists.
FOREIGN_HOOK_LIBRARY = """
_before, _after = [], []
def register_before_snapshot(func, *args, **kwargs):
    _before.append((func, args, kwargs))
    return func
def register_after_restore(func, *args, **kwargs):
    _after.append((func, args, kwargs))
    return func
def get_before_snapshot():
    return _before
def get_after_restore():
    return _after
"""

FOREIGN_HANDLER = """
import http.client, os
from snapshot_restore_py import register_after_restore, register_before_snapshot
from streaming_runtime import StreamingResponse

def mark(name):
    host, _, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", "/2018-06-01/test/mark/" + name, b"")
    conn.getresponse().read()
    conn.close()

register_before_snapshot(mark, "before-1")
register_before_snapshot(mark, "before-2")
register_after_restore(mark, "after-1")
register_after_restore(mark, "after-2")

def handle(event, context):
    return StreamingResponse(body=[b"ok"])
"""


def test_hooks_registered_through_a_bundled_copy_of_snapshot_restore_py_still_run(start_runtime, tmp_path) -> None:
    """A package that bundles its own ``snapshot_restore_py`` at the task root shadows ours; its registrations are
    run all the same, in the documented order."""
    task = tmp_path / "task"
    task.mkdir()
    (task / "snapshot_restore_py.py").write_text(FOREIGN_HOOK_LIBRARY)
    (task / "rw_bundled.py").write_text(FOREIGN_HANDLER)
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-bundled", {}))
        start_runtime(api.address, "rw_bundled.handle", LAMBDA_TASK_ROOT=str(task), PYTHONPATH="", **SNAP)
        (response,) = api.wait_complete("/response")

    assert response.body == b"ok"
    assert order(api.requests)[:6] == [
        "before-2",
        "before-1",
        "GET /restore/next",
        "after-1",
        "after-2",
        "GET /invocation/next",
    ]
