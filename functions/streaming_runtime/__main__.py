"""Entry point: ``python -m streaming_runtime`` (started by ``functions/bootstrap``, the exec wrapper).

Reads ``AWS_LAMBDA_RUNTIME_API``, ``_HANDLER``, ``LAMBDA_TASK_ROOT``, ``AWS_LAMBDA_FUNCTION_NAME``/``VERSION``/
``MEMORY_SIZE``, ``AWS_LAMBDA_LOG_GROUP_NAME``/``LOG_STREAM_NAME``, ``AWS_LAMBDA_LOG_FORMAT``/``LOG_LEVEL`` and
``_LAMBDA_TELEMETRY_LOG_FD`` (see ``streaming_runtime.logs``) and ``AWS_LAMBDA_INITIALIZATION_TYPE`` (``snap-start``:
the SnapStart handshake of ``streaming_runtime.snapstart`` runs between init and the first ``/next``); sets
``_X_AMZN_TRACE_ID`` per invocation; ``AWS_LAMBDA_MAX_CONCURRENCY`` (Lambda Managed Instances) makes it fork one worker
per slot (``streaming_runtime.workers``). Init failures are posted to ``/runtime/init/error`` and the process exits with
status 1 (AWS Lambda developer guide, runtimes-api.html, "Initialization error"; see
docs/lambda-streaming.md, "Starting on the managed Python runtime").
"""

from __future__ import annotations

import gc
import io
import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Final

from streaming_runtime.api import RuntimeApiClient
from streaming_runtime.context import FunctionInfo
from streaming_runtime.errors import FatalRuntimeApiError, RuntimeFault, error_report
from streaming_runtime.handler import Handler, resolve_handler
from streaming_runtime.logs import configure_logging
from streaming_runtime.loop import run
from streaming_runtime.paths import install_sys_path
from streaming_runtime.snapstart import is_snap_start, snapshot_and_restore

MAX_CONCURRENCY_ENV: Final = "AWS_LAMBDA_MAX_CONCURRENCY"
"""Set on Lambda Managed Instances; only then is ``streaming_runtime.workers`` imported (no cold-start cost else)."""


def _init_without_gc(spec: str | None) -> Handler:
    """Resolve the handler (import the user's module) with the cyclic GC paused, then freeze what init built.

    Init allocates mostly objects that live as long as the process (modules, classes, the SDK's service models), so
    the collections it triggers find almost nothing: for boto3 + bedrock_stream they cost ~20 ms of cold start (one
    of them a full collection over ~94,000 objects) and find ~1,100 unreachable objects (~0.2 MB). ``gc.freeze()``
    then moves everything tracked into the permanent generation, so later collections (during invocations) never
    rescan it. The price: cyclic garbage made during init is kept for the life of the process (bounded, once).
    """
    gc.disable()
    try:
        return resolve_handler(spec)
    finally:
        gc.freeze()
        gc.enable()


def _serve(environ: MutableMapping[str, str], log: logging.Logger, address: str, *, multi_concurrent: bool) -> int:
    """Init (resolve the handler), the SnapStart handshake if asked, then the invocation loop; the exit status.

    ``multi_concurrent``: this process is one of several LMI workers (``streaming_runtime.workers``).
    """
    try:
        client = RuntimeApiClient(address, multi_concurrent=multi_concurrent)
        try:
            handler = _init_without_gc(environ.get("_HANDLER"))
        except RuntimeFault as exc:
            report = error_report(exc)
            log.critical("init failed: %s: %s", report.error_type, report.message)
            client.post_init_error(report)
            return 1
        if is_snap_start(environ):
            failed = snapshot_and_restore(client)
            if failed is not None:
                return failed
        run(client, handler, FunctionInfo.from_env(environ), environ)
    except FatalRuntimeApiError as exc:
        log.critical("fatal Runtime API error, exiting: %s", exc)
        return 1
    return 0  # pragma: no cover - run() only returns by raising


def _serve_worker(environ: MutableMapping[str, str], log: logging.Logger, address: str) -> int:
    """One LMI worker: its own stdout/stderr connection when the platform offers one, then its own init and loop."""
    from streaming_runtime.workers import OUTPUT_SOCKET_ENV, redirect_output

    try:
        redirect_output(environ)
    except OSError as exc:
        log.error("could not connect stdout/stderr to %s: %s", OUTPUT_SOCKET_ENV, exc)
    return _serve(environ, log, address, multi_concurrent=True)


def _managed_instances(environ: MutableMapping[str, str], log: logging.Logger, address: str) -> int:
    """``AWS_LAMBDA_MAX_CONCURRENCY`` is set: check it, then supervise one forked worker per slot."""
    from streaming_runtime.workers import (
        SNAPSTART_WITH_LMI,
        WORKER_ENV,
        InvalidConcurrencyError,
        UnsupportedCombinationError,
        max_concurrency,
        supervise,
    )

    try:
        workers = max_concurrency(environ)
    except InvalidConcurrencyError as exc:
        return _report_config_error(address, log, exc)
    if workers is None:  # a process started as a worker: serve as one
        return _serve(environ, log, address, multi_concurrent=WORKER_ENV in environ)
    if is_snap_start(environ):
        return _report_config_error(address, log, UnsupportedCombinationError(SNAPSTART_WITH_LMI))
    return supervise(workers, lambda index: _serve_worker(environ, log, address))


def _report_config_error(address: str, log: logging.Logger, exc: RuntimeFault) -> int:
    """A configuration the runtime cannot start with: logged and posted to ``/init/error``; status 1."""
    report = error_report(exc)
    log.critical("init failed: %s: %s", report.error_type, report.message)
    try:
        RuntimeApiClient(address).post_init_error(report)
    except FatalRuntimeApiError as post_failure:
        log.critical("/init/error could not be posted: %s", post_failure)
    return 1


def main() -> int:
    """Set up, resolve the handler (init phase), then serve invocations. Returns the process exit status.

    With ``AWS_LAMBDA_MAX_CONCURRENCY`` (Lambda Managed Instances) this process only supervises: it forks one worker
    per slot and each worker runs init and the loop itself (``streaming_runtime.workers``).
    """
    environ = os.environ
    install_sys_path(environ)
    log = configure_logging(environ)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # handlers' print() lines reach the log at once
    address = environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        log.critical("AWS_LAMBDA_RUNTIME_API is not set; this process must be started by Lambda or an emulator")
        return 1
    if MAX_CONCURRENCY_ENV in environ:
        return _managed_instances(environ, log, address)
    return _serve(environ, log, address, multi_concurrent=False)


if __name__ == "__main__":
    sys.exit(main())
