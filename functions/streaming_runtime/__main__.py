"""Entry point: ``python -m streaming_runtime`` (started by ``functions/bootstrap``, the exec wrapper).

Reads ``AWS_LAMBDA_RUNTIME_API``, ``_HANDLER``, ``LAMBDA_TASK_ROOT``, ``AWS_LAMBDA_FUNCTION_NAME``/``VERSION``/
``MEMORY_SIZE``, ``AWS_LAMBDA_LOG_GROUP_NAME``/``LOG_STREAM_NAME`` and ``AWS_LAMBDA_LOG_LEVEL``; sets
``_X_AMZN_TRACE_ID`` per invocation. Init failures are posted to ``/runtime/init/error`` and the process exits with
status 1 (AWS Lambda developer guide, runtimes-api.html, "Initialization error"; see
shared/docs/lambda-streaming-protocol.md §2.3 and §7.1).
"""

from __future__ import annotations

import io
import os
import sys

from streaming_runtime.api import RuntimeApiClient
from streaming_runtime.context import FunctionInfo
from streaming_runtime.errors import FatalRuntimeApiError, RuntimeFault, error_report
from streaming_runtime.handler import resolve_handler
from streaming_runtime.logs import configure_logging
from streaming_runtime.loop import run
from streaming_runtime.paths import install_sys_path


def main() -> int:
    """Set up, resolve the handler (init phase), then serve invocations. Returns the process exit status."""
    environ = os.environ
    install_sys_path(environ)
    log = configure_logging(environ)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # handlers' print() lines reach the log at once
    address = environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        log.critical("AWS_LAMBDA_RUNTIME_API is not set; this process must be started by Lambda or an emulator")
        return 1
    try:
        client = RuntimeApiClient(address)
        try:
            handler = resolve_handler(environ.get("_HANDLER"))
        except RuntimeFault as exc:
            report = error_report(exc)
            log.critical("init failed: %s: %s", report.error_type, report.message)
            client.post_init_error(report)
            return 1
        run(client, handler, FunctionInfo.from_env(environ), environ)
    except FatalRuntimeApiError as exc:
        log.critical("fatal Runtime API error, exiting: %s", exc)
        return 1
    return 0  # pragma: no cover - run() only returns by raising


if __name__ == "__main__":
    sys.exit(main())
