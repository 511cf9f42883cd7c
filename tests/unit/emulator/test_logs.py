"""LogBook.wait_for: tests wait for a log line as it is added instead of polling the book."""

from __future__ import annotations

import threading

from emulator.logs import LogBook


def test_wait_for_wakes_when_another_thread_adds_the_line() -> None:
    book = LogBook()
    started = threading.Event()

    def waiter(result: list[bool]) -> None:
        started.set()
        result.append(book.wait_for("Task timed out", timeout=30))

    result: list[bool] = []
    thread = threading.Thread(target=waiter, args=(result,))
    thread.start()
    assert started.wait(30)
    book.add("function-0", "stdout", "unrelated")
    book.add("emulator", "platform", "RequestId: 1 Task timed out after 1.00 seconds")
    thread.join(30)
    assert result == [True]


def test_wait_for_finds_a_line_added_before_the_call() -> None:
    book = LogBook()
    book.add("emulator", "platform", "START RequestId: 1")
    assert book.wait_for("START", timeout=0)


def test_wait_for_gives_up_after_the_timeout_when_no_line_matches() -> None:
    book = LogBook()
    book.add("emulator", "platform", "START RequestId: 1")
    assert not book.wait_for("END", timeout=0)
