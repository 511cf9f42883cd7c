"""One sandbox (real runtime process + its Runtime API) driven directly, for lifecycle orderings."""

from __future__ import annotations

import json
import time

from emulator.invocation import Invocation, InvocationAborted, ResponseChunk, ResponseStart
from emulator.launcher import FunctionConfig
from emulator.logs import LogBook, LogLine
from emulator.sandbox import Sandbox
from tests.functional.emulator.conftest import HANDLERS


def test_a_timeout_mid_stream_is_reported_as_sandbox_timeout_even_if_the_kill_is_seen_first() -> None:
    def slow_echo(line: LogLine) -> None:
        if "Task timed out" in line.text:
            time.sleep(0.5)  # a slow log sink: the killed runtime's connection drop is noticed meanwhile

    config = FunctionConfig(handler="demo.handle", timeout_s=1.0, extra_paths=(str(HANDLERS),))
    sandbox = Sandbox(0, config, LogBook(echo=slow_echo), on_idle=lambda _: None)
    sandbox.start()
    try:
        assert sandbox.ready.wait(20)
        payload = {"mode": "sleep_mid", "after": 1, "seconds": 30, "delay_ms": 0}
        invocation = Invocation(payload=json.dumps(payload).encode())
        sandbox.submit(invocation)
        events = []
        while not invocation.done or events[-1:] != [invocation.terminal]:
            event = invocation.next_event(20)
            assert event is not None
            events.append(event)
        assert isinstance(events[0], ResponseStart)
        assert events[1] == ResponseChunk(b"line 0\n")
        assert isinstance(invocation.terminal, InvocationAborted)
        assert invocation.terminal.error_type == "Sandbox.Timeout"
    finally:
        sandbox.close()
