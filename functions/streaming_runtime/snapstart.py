"""SnapStart: the handshake between the end of init and the first ``/next`` when Lambda snapshots the environment.

With ``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``, after the handler's module is imported (init), the runtime

1. runs the before-snapshot hooks, last registered first (``streaming_runtime.hooks``; registrations made through a
   bundled copy of AWS's ``snapshot_restore_py`` are taken over first, see :func:`adopt_foreign_registry`);
2. calls ``GET /runtime/restore/next``: Lambda takes the snapshot while this request is open and answers it in the
   resumed environment (minutes or days later, in many copies at once);
3. then, in the resumed environment: drops the Runtime API keep-alive connection (the next call opens a new one),
   reseeds ``random`` from the OS (every copy of the snapshot would otherwise draw the same numbers), runs the
   after-restore hooks in registration order (the app's own hook drops the Bedrock client's pooled connections and
   builds a client with freshly resolved credentials), and returns: the loop starts polling ``/next``.

A failure in step 1 or 2 is posted to ``/runtime/init/error`` with ``Lambda-Runtime-Function-Error-Type:
Runtime.BeforeSnapshotError`` and the process exits with status 64; a failure in step 3 goes to
``/runtime/restore/error`` with ``Runtime.AfterRestoreError`` and exit status 65. Both bodies are
``{errorMessage, errorType (the exception's class), stackTrace, requestId: ""}``.

Order, error types, bodies and exit statuses follow ``on_init_complete`` and ``run`` in
aws/aws-lambda-python-runtime-interface-client, awslambdaric/bootstrap.py, and awslambdaric/lambda_runtime_client.py;
the AWS Lambda developer guide, snapstart-runtime-hooks-python.html, runtimes-api.html ("Restore"), snapstart.html and
snapstart-uniqueness.html (uniqueness, network connections). Clocks: nothing in the runtime keeps a
``time.monotonic()`` reading across the snapshot; each invocation's write deadline is computed from
``Lambda-Runtime-Deadline-Ms`` when it arrives (``streaming_runtime.loop``), so a monotonic clock that jumps (or
restarts) across a restore never shortens or stretches a timer.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import sys
from collections.abc import Callable, Mapping
from typing import Final

from streaming_runtime import hooks
from streaming_runtime.api import RuntimeApiClient
from streaming_runtime.errors import FatalRuntimeApiError, error_report
from streaming_runtime.hooks import run_after_restore, run_before_snapshot
from streaming_runtime.logs import LOGGER_NAME

__all__ = [
    "AFTER_RESTORE_ERROR",
    "AFTER_RESTORE_EXIT",
    "BEFORE_SNAPSHOT_ERROR",
    "BEFORE_SNAPSHOT_EXIT",
    "INIT_TYPE_ENV",
    "SNAP_START",
    "adopt_foreign_registry",
    "is_snap_start",
    "snapshot_and_restore",
]

INIT_TYPE_ENV: Final = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START: Final = "snap-start"
BEFORE_SNAPSHOT_ERROR: Final = "Runtime.BeforeSnapshotError"
AFTER_RESTORE_ERROR: Final = "Runtime.AfterRestoreError"
BEFORE_SNAPSHOT_EXIT: Final = 64
AFTER_RESTORE_EXIT: Final = 65

log = logging.getLogger(LOGGER_NAME)


def is_snap_start(environ: Mapping[str, str]) -> bool:
    """True when Lambda initializes this process to take a SnapStart snapshot."""
    return environ.get(INIT_TYPE_ENV) == SNAP_START


def adopt_foreign_registry() -> int:
    """Move registrations made through another module named ``snapshot_restore_py`` into ours; the number moved.

    A deployment package that bundles AWS's own library (``pip install snapshot-restore-py -t .``) puts that copy at
    the task root, ahead of ``functions/snapshot_restore_py.py``: handlers then register into its lists, which only
    AWS's runtime client would run. They are appended after our registrations (the relative order of the two
    registries is unknown), keeping their own order.
    """
    module = sys.modules.get("snapshot_restore_py")
    get_before = getattr(module, "get_before_snapshot", None)
    get_after = getattr(module, "get_after_restore", None)
    if get_before is None or get_after is None or get_before is hooks.get_before_snapshot:
        return 0
    moved = 0
    for theirs, ours in ((get_before(), hooks.get_before_snapshot()), (get_after(), hooks.get_after_restore())):
        ours.extend(theirs)
        moved += len(theirs)
        theirs.clear()
    if moved:
        log.info("running %d hook(s) registered through %s", moved, getattr(module, "__file__", "snapshot_restore_py"))
    return moved


def _after_restore(client: RuntimeApiClient) -> None:
    """Everything the resumed environment does before serving: fresh connections, fresh randomness, then the hooks."""
    client.reconnect()
    random.seed()  # from os.urandom: each resumed copy gets its own sequence
    run_after_restore()


def snapshot_and_restore(client: RuntimeApiClient) -> int | None:
    """Run the SnapStart handshake; ``None`` once restored (serve next), else the exit status after the failure was
    reported (64: before snapshot, 65: after restore)."""
    try:
        adopt_foreign_registry()
        run_before_snapshot()
        client.restore_next()
    except Exception as exc:
        report = dataclasses.replace(error_report(exc), error_type=BEFORE_SNAPSHOT_ERROR)
        log.critical("before snapshot: %s: %s", report.body_type, report.message)
        _report(lambda: client.post_init_error(report, request_id=""), "/init/error")
        return BEFORE_SNAPSHOT_EXIT
    try:
        _after_restore(client)
    except Exception as exc:
        report = dataclasses.replace(error_report(exc), error_type=AFTER_RESTORE_ERROR)
        log.critical("after restore: %s: %s", report.body_type, report.message)
        _report(lambda: client.post_restore_error(report), "/restore/error")
        return AFTER_RESTORE_EXIT
    return None


def _report(post: Callable[[], bool], what: str) -> None:
    """Post an error report; a Runtime API that is gone is logged (the process exits either way)."""
    try:
        post()
    except FatalRuntimeApiError as exc:
        log.critical("%s could not be posted: %s", what, exc)
