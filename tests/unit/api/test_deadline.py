"""Deadline awareness: stop before the function times out, even when a read is blocked."""

from __future__ import annotations

import json
import threading

from bedrock_stream.deadline import Watchdog
from bedrock_stream.errors import DeadlineError
from tests.unit.api.support import FakeContext, FakeSource, harness, json_event, run, text_events


class ShrinkingContext(FakeContext):
    """Remaining time drops by ``step`` ms per call."""

    def __init__(self, start: int, step: int) -> None:
        super().__init__(remaining_ms=start)
        self.step = step

    def get_remaining_time_in_millis(self) -> int:
        self.remaining_ms -= self.step
        return self.remaining_ms


def test_stops_between_events_when_the_margin_is_reached() -> None:
    source = FakeSource(events=text_events(*"abcdefghij"))
    h = harness(source, deadline_margin_ms=1000)
    result = run(h, json_event({"prompt": "Hi"}, query="format=ndjson"), ShrinkingContext(start=1400, step=100))
    lines = [json.loads(line) for line in result.body.splitlines()]
    assert lines[-1]["type"] == "error"
    assert lines[-1]["error"]["type"] == "deadline_exceeded"
    assert isinstance(result.error, DeadlineError)
    assert 0 < len(lines) - 1 < 10
    assert source.streams[0].closed.is_set()


def test_watchdog_closes_a_blocked_stream() -> None:
    source = FakeSource(events=text_events("a", "b")[:2], block=True)
    h = harness(source, deadline_margin_ms=1000)
    result = run(h, json_event({"prompt": "Hi"}, query="format=sse"), FakeContext(remaining_ms=1200))
    assert result.body.startswith(b"event: text\ndata: ")
    assert b"event: error" in result.body
    assert b'"deadline_exceeded"' in result.body
    assert isinstance(result.error, DeadlineError)


def test_text_format_deadline_line() -> None:
    source = FakeSource(events=text_events("Hel")[:1], block=True)
    result = run(harness(source, deadline_margin_ms=1000), json_event({"prompt": "Hi"}), FakeContext(remaining_ms=1050))
    assert result.body.startswith(b"Hel\n[error] deadline_exceeded: ")
    assert isinstance(result.error, DeadlineError)


def test_text_format_deadline_before_any_text_is_504() -> None:
    # The text format sends its prelude with the first text, so an earlier failure still has a real status.
    source = FakeSource(events=[], block=True)
    result = run(harness(source, deadline_margin_ms=1000), json_event({"prompt": "Hi"}), FakeContext(remaining_ms=1050))
    assert result.status == 504
    assert result.json()["error"]["type"] == "deadline_exceeded"
    assert source.streams[0].closed.is_set()


def test_json_format_deadline_is_504() -> None:
    source = FakeSource(events=[], block=True)
    h = harness(source, deadline_margin_ms=1000)
    result = run(h, json_event({"prompt": "Hi", "stream": False}), FakeContext(remaining_ms=1050))
    assert result.status == 504
    assert result.json()["error"]["type"] == "deadline_exceeded"


def test_watchdog_runs_callbacks_in_due_order_and_skips_cancelled_ones() -> None:
    watchdog = Watchdog()
    ran: list[str] = []
    done = threading.Event()
    late = watchdog.schedule(30.0, lambda: ran.append("late"))
    watchdog.schedule(0.2, lambda: (ran.append("second"), done.set()))
    cancelled = watchdog.schedule(0.1, lambda: ran.append("cancelled"))
    watchdog.schedule(0.05, lambda: ran.append("first"))  # due before what the thread sleeps until: it is woken
    watchdog.cancel(cancelled)
    assert done.wait(10)
    watchdog.cancel(late)
    assert ran == ["first", "second"]


def test_watchdog_uses_one_thread_for_many_deadlines() -> None:
    watchdog = Watchdog()
    watchdog.cancel(watchdog.schedule(60.0, lambda: None))
    threads = threading.active_count()
    for _ in range(50):
        watchdog.cancel(watchdog.schedule(60.0, lambda: None))
    assert threading.active_count() == threads
