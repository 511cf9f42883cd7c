"""Lambda Managed Instances (LMI): one runtime worker process per concurrency slot.

On LMI, Lambda sets ``AWS_LAMBDA_MAX_CONCURRENCY`` (the function's ``PerExecutionEnvironmentMaxConcurrency``) and
sends up to that many invocations to one execution environment at once. Like AWS's Python runtime client
(aws/aws-lambda-python-runtime-interface-client, awslambdaric/__main__.py, lambda_config.py and
lambda_multi_concurrent_utils.py: one ``multiprocessing.Process`` per slot, each running the whole runtime loop), this
module turns the process started by ``functions/bootstrap`` into a supervisor that forks that many workers before
anything of the handler is imported. Each worker then does its own init (imports the handler), polls its own
``/next`` and streams its own ``/response``: the AWS Lambda developer guide says the Python runtime isolates
concurrent requests in separate processes, each with its own memory and initialization
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-python-runtime.html), and that the init phase
ends once at least one worker has called ``/next``; a worker that fails leaves the others serving
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html).

What differs from a single-concurrency environment, and how the workers handle it:

- Only one ``/init/error`` is accepted per environment; the Runtime API answers 403 to the others, which a worker
  treats as "already reported" (``streaming_runtime.api.RuntimeApiClient.post_init_error``), then exits like the
  first one, without retrying (``handle_init_error`` in awslambdaric/lambda_runtime_client.py).
- Each worker's log records carry its own invocation's request id: the ids live in the worker's own process
  (``streaming_runtime.logs.set_invocation``), so concurrent invocations never see each other's.
- With ``_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET`` set, each worker connects to that Unix socket and makes the
  connection its stdout and stderr (``_redirect_output`` in lambda_multi_concurrent_utils.py), so the platform can
  tell the workers' plain output apart.
- No worker is restarted: the supervisor waits for all of them and exits when the last one has, with status 0 only if
  every worker exited 0. SIGTERM/SIGINT to the supervisor is passed on to the workers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Final

from streaming_runtime.errors import RuntimeFault
from streaming_runtime.logs import LOGGER_NAME

__all__ = [
    "MAX_CONCURRENCY_ENV",
    "OUTPUT_SOCKET_ENV",
    "SNAPSTART_WITH_LMI",
    "WORKER_ENV",
    "InvalidConcurrencyError",
    "UnsupportedCombinationError",
    "max_concurrency",
    "redirect_output",
    "supervise",
]

MAX_CONCURRENCY_ENV: Final = "AWS_LAMBDA_MAX_CONCURRENCY"
OUTPUT_SOCKET_ENV: Final = "_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET"
WORKER_ENV: Final = "_STREAMING_RUNTIME_WORKER"
"""Set (to the worker's index) in each worker's environment; a process with it never supervises."""

log = logging.getLogger(LOGGER_NAME)


class InvalidConcurrencyError(RuntimeFault):
    """``AWS_LAMBDA_MAX_CONCURRENCY`` is set but is not a positive integer (reported to ``/init/error``)."""

    error_type = "Runtime.InvalidMaxConcurrency"


class UnsupportedCombinationError(RuntimeFault):
    """The environment asks for two things Lambda never combines (reported to ``/init/error``)."""

    error_type = "Runtime.UnsupportedConfiguration"


SNAPSTART_WITH_LMI: Final = (
    f"AWS_LAMBDA_INITIALIZATION_TYPE=snap-start with {MAX_CONCURRENCY_ENV}: SnapStart is not available on Lambda "
    "Managed Instances"
)


def max_concurrency(environ: Mapping[str, str]) -> int | None:
    """The number of workers to run: ``None`` outside LMI (or inside a worker), else ``AWS_LAMBDA_MAX_CONCURRENCY``.

    Raises ``InvalidConcurrencyError`` for a value that is not a positive integer.
    """
    if WORKER_ENV in environ:
        return None
    raw = environ.get(MAX_CONCURRENCY_ENV)
    if raw is None:
        return None
    text = raw.strip()
    if not text.isdigit() or int(text) < 1:
        raise InvalidConcurrencyError(f"{MAX_CONCURRENCY_ENV} must be a positive integer, got {raw!r}")
    return int(text)


def redirect_output(environ: Mapping[str, str]) -> bool:
    """Make a connection to ``_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET`` this process's stdout and stderr.

    True when redirected; False without the variable. Raises ``OSError`` when the socket cannot be reached.
    """
    path = environ.get(OUTPUT_SOCKET_ENV)
    if not path:
        return False
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(path)
            os.dup2(conn.fileno(), stream.fileno())
    return True


def _exit_status(wait_status: int) -> int:
    """A worker's exit status from ``os.waitpid`` (128 + signal number when it was killed)."""
    code = os.waitstatus_to_exitcode(wait_status)
    return 128 - code if code < 0 else code


def supervise(count: int, serve: Callable[[int], int]) -> int:
    """Fork ``count`` workers, each running ``serve(index)`` and exiting with its result; wait for all of them.

    Returns 0 when every worker exited 0, else the first non-zero status seen. Only the supervisor returns: a worker
    leaves through ``os._exit`` (its parent's cleanup, ``atexit`` hooks included, is not its own to run).
    """
    import signal  # only the LMI supervisor needs it; the enum-building module costs ~2 ms of every cold start

    workers: dict[int, int] = {}
    for index in range(count):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child; covered by the wire tests through real processes
            os.environ[WORKER_ENV] = str(index)
            status = 1
            try:
                status = serve(index)
            except BaseException:  # a worker must never return into the supervisor's code
                log.exception("runtime worker %d failed", index)
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(status)
        workers[pid] = index
    log.debug("supervising %d runtime workers: %s", count, sorted(workers))

    def forward(signum: int, frame: FrameType | None) -> None:
        for pid in list(workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    result = 0
    try:
        while workers:
            try:
                pid, wait_status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            if pid not in workers:
                continue
            index = workers.pop(pid)
            status = _exit_status(wait_status)
            if status:
                log.warning("runtime worker %d (pid %d) exited with status %d", index, pid, status)
                result = result or status
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return result
