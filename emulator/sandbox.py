"""An execution environment: one function process, its own Runtime API, one invocation at a time (or several).

Lifecycle as Lambda runs it (AWS Lambda developer guide, lambda-runtime-environment.html; timeout and restart behaviour
from the Runtime Interface Emulator, docs/lambda-streaming.md, "What the emulator assumes"): the process is started with
the Lambda environment, polls ``/next``; an invocation past its deadline is cut (``Sandbox.Timeout``), the whole process
group is killed and a fresh process is started; a process that exits is restarted (with a back-off while init keeps
failing). ``Pool`` hands invocations to idle sandboxes and queues a bounded number of callers while all are busy; the
rest are refused (the front answers 429, as Lambda does for a function without concurrency left).

Lambda Managed Instances mode (``FunctionConfig.max_concurrency``; AWS Lambda developer guide,
https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html): the sandbox has
that many slots, so up to that many invocations wait on or run through its ``/next`` at once, each with its own
stream. An invocation past its deadline fails with ``Sandbox.Timeout`` but nothing is killed: the other invocations
run on, and the timed-out one keeps its slot until the runtime ends its late ``/response`` or ``/error`` (the worker
is busy until then), or until the process exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.http_base import serve_in_thread
from emulator.invocation import FunctionError, Invocation, InvocationAborted
from emulator.launcher import FunctionConfig, build_argv, build_env
from emulator.logs import LogBook
from emulator.runtime_api import RuntimeApiServer

__all__ = ["Pool", "Sandbox", "kill_group"]

_RECENT = 64


@dataclass(slots=True)
class _Generation:
    """One process lifetime: the process and the Runtime API server it talks to."""

    number: int
    server: RuntimeApiServer
    process: subprocess.Popen[bytes] | None = None
    polled: bool = False
    dead: bool = False
    init_error: str | None = None
    restore_started: float | None = None  # SnapStart: when /restore/next was answered (time.monotonic())


def kill_group(process: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    """Signal the whole process group of ``process`` (it leads its own session); no error if already gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


class Sandbox:
    """One function process with its Runtime API; see the module docstring."""

    def __init__(
        self,
        index: int,
        config: FunctionConfig,
        logs: LogBook,
        *,
        on_idle: Callable[[Sandbox], None],
        credentials: bool = True,
        init_timeout_s: float = 10.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.index = index
        self.config = config
        self.timeout_s = config.timeout_s
        self.function_arn = config.function_arn
        self.ready = threading.Event()
        self._logs = logs
        self._on_idle = on_idle
        self._credentials = credentials
        self._init_timeout_s = init_timeout_s
        self._host = host
        self._cond = threading.Condition()
        self._gen: _Generation | None = None
        self._managed = config.max_concurrency is not None  # Lambda Managed Instances: no kill on timeout
        self.slots = config.max_concurrency or 1
        self._pending: deque[Invocation] = deque()
        self._current: dict[str, Invocation] = {}  # request id -> running invocation
        # LMI: timed out, the runtime has not ended its post yet (slot still held); value: the timeout was recorded
        self._overdue: dict[str, bool] = {}
        self._recent: OrderedDict[str, Invocation] = OrderedDict()
        self._timers: dict[str, list[threading.Timer]] = {}  # request id -> its pick-up and deadline timers
        self._closed = False
        self._launch_error: str | None = None
        self._failures = 0
        self._source = f"function-{index}"

    # --- lifecycle ----------------------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The current function process id, if one is running."""
        gen = self._gen
        return gen.process.pid if gen is not None and gen.process is not None else None

    @property
    def runtime_api(self) -> str | None:
        """``host:port`` of the current process's Runtime API (its ``AWS_LAMBDA_RUNTIME_API``)."""
        gen = self._gen
        return gen.server.address if gen is not None else None

    def start(self) -> None:
        """Start the first process."""
        self._launch()

    def _launch(self) -> None:
        with self._cond:
            if self._closed:
                return
            number = 0 if self._gen is None else self._gen.number + 1
            server = RuntimeApiServer(self, host=self._host)
            gen = _Generation(number, server)
            self._gen = gen
        serve_in_thread(server, f"runtime-api-{self.index}")
        env = build_env(self.config, server.address, credentials=self._credentials)
        argv = build_argv(self.config)
        try:
            process = subprocess.Popen(
                argv,
                env=env,
                cwd=str(self.config.task_root),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            message = f"could not start {argv[0]}: {exc}"
            self.platform_log(message)
            with self._cond:
                gen.dead = True
                self._launch_error = message
            self.ready.set()
            self._fail_pending(InvocationAborted("Runtime.InvalidEntrypoint", message))
            server.shutdown()
            server.server_close()
            return
        with self._cond:
            gen.process = process
        if self._is_closed():  # close() ran while the process was starting: it must not outlive the emulator
            kill_group(process)
            process.wait()
        assert process.stdout is not None
        assert process.stderr is not None
        self._logs.pump(self._source, "stdout", process.stdout)
        self._logs.pump(self._source, "stderr", process.stderr)
        threading.Thread(target=self._monitor, args=(gen,), name=f"monitor-{self.index}", daemon=True).start()

    def _is_closed(self) -> bool:
        with self._cond:
            return self._closed

    def _monitor(self, gen: _Generation) -> None:
        assert gen.process is not None
        code = gen.process.wait()
        kill_group(gen.process)  # leftovers the runtime forked
        gen.server.shutdown()
        gen.server.server_close()
        with self._cond:
            gen.dead = True
            self._cond.notify_all()
            if self._closed:
                return
            currents, self._current = list(self._current.values()), {}
            overdue = len(self._overdue)
            self._overdue.clear()
            if not gen.polled:
                self._failures += 1
            delay = min(2.0, 0.05 * 2**self._failures) if not gen.polled else 0.0
        reason = gen.init_error or f"Runtime exited with exit status {code}"
        for current in currents:
            if not current.done:
                self.platform_log(f"RequestId: {current.request_id} Error: {reason}")
                current.finish(InvocationAborted("Runtime.ExitError", reason))
        for _ in range(overdue):
            self._on_idle(self)  # the slots timed-out invocations held come back with the new process
        if not gen.polled:
            self.ready.set()
            self._fail_pending(FunctionError("Runtime.InitError", _error_json("Runtime.InitError", reason)))
        if delay:
            time.sleep(delay)
        self._launch()

    def close(self) -> None:
        """Kill the process group (SIGTERM, then SIGKILL after a short grace) and stop the Runtime API."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            gen = self._gen
            timers = [timer for group in self._timers.values() for timer in group]
            self._timers = {}
            invocations = [*self._pending, *self._current.values()]
            self._pending.clear()
            self._current = {}
        for timer in timers:
            timer.cancel()
        for invocation in invocations:
            invocation.finish(InvocationAborted("Sandbox.Shutdown", "the emulator is shutting down"))
        if gen is None:
            return
        if gen.process is not None:
            kill_group(gen.process, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                gen.process.wait(timeout=1.0)
            kill_group(gen.process, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                gen.process.wait(timeout=5.0)
        gen.server.shutdown()
        gen.server.server_close()

    # --- invocations --------------------------------------------------------------------------------------------

    def submit(self, invocation: Invocation) -> None:
        """Give this (idle) sandbox an invocation; the process takes it on its next ``/next``."""
        invocation.add_done_callback(self._on_done)
        with self._cond:
            failure = "the emulator is shutting down" if self._closed else self._launch_error
            if failure is None:
                self._pending.append(invocation)
                self._remember(invocation)
                self._start_timer(invocation, self._init_timeout_s, self._pickup_timeout, invocation)
                self._cond.notify_all()
        if failure is not None:
            error_type = "Sandbox.Shutdown" if self._closed else "Runtime.InvalidEntrypoint"
            invocation.finish(InvocationAborted(error_type, failure))

    def _remember(self, invocation: Invocation) -> None:
        self._recent[invocation.request_id] = invocation
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)

    def _fail_pending(self, event: FunctionError | InvocationAborted) -> None:
        with self._cond:
            pending = list(self._pending)
            self._pending.clear()
        for invocation in pending:
            invocation.finish(event)

    def _start_timer(self, invocation: Invocation, delay: float, action: Callable[..., None], *args: object) -> None:
        """Run ``action(*args)`` after ``delay`` s unless ``invocation`` ends first (caller holds ``_cond``)."""
        timer = threading.Timer(delay, action, args=args)
        timer.daemon = True
        self._timers.setdefault(invocation.request_id, []).append(timer)
        timer.start()

    def _on_done(self, invocation: Invocation) -> None:
        with self._cond:
            if self._current.get(invocation.request_id) is invocation:
                del self._current[invocation.request_id]
            self._pending = deque(waiting for waiting in self._pending if waiting is not invocation)
            closed = self._closed
            held = invocation.request_id in self._overdue
            if held:
                self._overdue[invocation.request_id] = True  # post_ended frees the slot
            timers = self._timers.pop(invocation.request_id, [])
        for timer in timers:
            timer.cancel()  # its thread ends now instead of sleeping out the whole function timeout
        if not closed and not held:
            self._on_idle(self)

    def _pickup_timeout(self, invocation: Invocation) -> None:
        with self._cond:
            if not any(waiting is invocation for waiting in self._pending):
                return
            gen = self._gen
        message = f"the runtime did not ask for the invocation within {self._init_timeout_s:.1f} s (init timeout)"
        self.platform_log(message)
        if gen is not None:
            self._kill(gen)
        self._fail_pending(InvocationAborted("Runtime.InitTimeout", message))

    def _deadline(self, invocation: Invocation, gen: _Generation) -> None:
        message = f"Task timed out after {self.timeout_s:.2f} seconds"
        with self._cond:
            if invocation.done or self._current.get(invocation.request_id) is not invocation:
                return
            if self._managed:
                self._overdue[invocation.request_id] = False
            else:
                gen.dead = True  # this process gets no further invocation
        if self._managed:  # LMI does not stop the code: the invocation fails, the environment serves on
            invocation.finish(InvocationAborted("Sandbox.Timeout", message))
            self.platform_log(
                f"{invocation.request_id} {message} (Lambda Managed Instances: the runtime is not stopped)"
            )
            return
        # The timeout is the outcome: record it before the kill, whose dropped connection would otherwise be
        # reported first as Runtime.TruncatedResponse (or Runtime.ExitError) by the Runtime API or the monitor.
        invocation.finish(InvocationAborted("Sandbox.Timeout", message))
        self._kill(gen)
        self.platform_log(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {invocation.request_id} {message}")

    def _kill(self, gen: _Generation) -> None:
        with self._cond:
            gen.dead = True
            self._cond.notify_all()
        if gen.process is not None:
            kill_group(gen.process)

    # --- RuntimeBackend -----------------------------------------------------------------------------------------

    def next_invocation(self, server: RuntimeApiServer) -> Invocation | None:
        """Long-poll for the next invocation of the process served by ``server``."""
        with self._cond:
            while True:
                gen = self._gen
                if self._closed or gen is None or gen.server is not server or gen.dead:
                    return None
                if not gen.polled:
                    gen.polled = True
                    self._failures = 0
                    self.ready.set()
                    if gen.restore_started is not None:
                        elapsed_ms = (time.monotonic() - gen.restore_started) * 1000
                        self.platform_log(f"RESTORE_REPORT Restore Duration: {elapsed_ms:.2f} ms")
                if self._pending:
                    break
                self._cond.wait()
            invocation = self._pending.popleft()
            self._current[invocation.request_id] = invocation
            invocation.mark_started(self.timeout_s)
            self._start_timer(invocation, self.timeout_s, self._deadline, invocation, gen)
            return invocation

    def lookup(self, request_id: str) -> Invocation | None:
        """A current or recent invocation by request id."""
        with self._cond:
            return self._recent.get(request_id)

    def post_ended(self, request_id: str) -> None:
        """The runtime's ``/response`` or ``/error`` for ``request_id`` ended; a timed-out LMI invocation's slot is
        free again (its worker is back to ``/next``)."""
        with self._cond:
            if request_id not in self._overdue:
                return
            recorded = self._overdue.pop(request_id)  # not yet recorded: _on_done frees the slot instead
            closed = self._closed
        if recorded and not closed:
            self._on_idle(self)

    def init_error(self, error_type: str, body: bytes) -> None:
        """Record an ``/init/error``; the pending invocation fails when the process exits."""
        text = body.decode("utf-8", "replace")
        self.platform_log(f"INIT_REPORT Status: error Error Type: {error_type} {text}")
        with self._cond:
            if self._gen is not None:
                self._gen.init_error = f"{error_type}: {text}"

    def restore_next(self, server: RuntimeApiServer) -> bool:
        """SnapStart: init and the before-snapshot hooks are done. No snapshot is taken: the same process carries on
        at once as the "restored" environment. False (refused) when the function is not configured for SnapStart."""
        if not self.config.snapstart:
            return False
        self.platform_log("RESTORE_START (emulated: no snapshot is taken; the initialized process resumes as is)")
        with self._cond:
            gen = self._gen
            if gen is not None and gen.server is server:
                gen.restore_started = time.monotonic()
        return True

    def restore_error(self, error_type: str, body: bytes) -> None:
        """Record a ``/restore/error``; the pending invocation fails when the process exits."""
        text = body.decode("utf-8", "replace")
        self.platform_log(f"RESTORE_REPORT Status: error Error Type: {error_type} {text}")
        with self._cond:
            if self._gen is not None:
                self._gen.init_error = f"{error_type}: {text}"

    def platform_log(self, message: str) -> None:
        """A platform line in the log book."""
        self._logs.add(self._source, "platform", message)


def _error_json(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


class Pool:
    """N sandboxes; ``invoke`` waits for an idle one while at most ``queue_limit`` callers are already waiting.

    ``on_queued(waiting)`` is told each time a caller starts to wait (the emulator logs it as a platform line).

    A caller beyond that bound, or one that waited ``queue_timeout_s`` in vain, is refused at once: the front answers
    429 ``TooManyRequestsException`` as Lambda does when a function has no concurrency left.
    """

    def __init__(
        self,
        sandboxes: list[Sandbox],
        *,
        queue_limit: int = 100,
        queue_timeout_s: float = 900.0,
        on_queued: Callable[[int], None] | None = None,
    ) -> None:
        if queue_limit < 0:
            raise ValueError("queue_limit must be 0 or more")
        self.sandboxes = sandboxes
        self._on_queued = on_queued
        self.queue_limit = queue_limit
        self.queue_timeout_s = queue_timeout_s
        self._idle: deque[Sandbox] = deque(sandboxes)
        self._waiting = 0
        self._cond = threading.Condition()

    def release(self, sandbox: Sandbox) -> None:
        """Mark ``sandbox`` idle again."""
        with self._cond:
            self._idle.append(sandbox)
            self._cond.notify()

    def invoke(self, invocation: Invocation, *, queue_timeout_s: float | None = None) -> bool:
        """Hand ``invocation`` to the next idle sandbox; False if the queue is full or none became idle in time."""
        timeout = self.queue_timeout_s if queue_timeout_s is None else queue_timeout_s
        with self._cond:
            if not self._idle:
                if self._waiting >= self.queue_limit:
                    return False
                self._waiting += 1
                if self._on_queued is not None:
                    self._on_queued(self._waiting)
                try:
                    if not self._cond.wait_for(lambda: bool(self._idle), timeout):
                        return False
                finally:
                    self._waiting -= 1
            sandbox = self._idle.popleft()
        sandbox.submit(invocation)
        return True
