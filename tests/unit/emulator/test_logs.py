"""The emulator's log book: bounded however much is logged, and waited on instead of polled."""

from __future__ import annotations

import threading

from emulator.logs import LINE_LIMIT, LogBook


def test_the_book_keeps_at_most_its_byte_limit_dropping_the_oldest() -> None:
    book = LogBook(byte_limit=10_000)
    for index in range(1_000):
        book.add("function-0", "stdout", f"{index:04d} " + "x" * 95)
    assert book.size <= 10_000
    texts = [line.text for line in book.lines()]
    assert texts[-1].startswith("0999 ")
    assert len(texts) == 100


def test_a_huge_line_is_cut_at_the_cloudwatch_event_size() -> None:
    book = LogBook()
    book.add("function-0", "stdout", "y" * (10 * LINE_LIMIT))
    (line,) = book.lines()
    assert len(line.text) == LINE_LIMIT
    assert line.text.endswith("[truncated]")


def test_the_line_limit_still_applies() -> None:
    book = LogBook(limit=3)
    for index in range(10):
        book.add("emulator", "platform", str(index))
    assert [line.text for line in book.lines()] == ["7", "8", "9"]


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


def test_wait_for_can_require_the_source() -> None:
    book = LogBook()
    book.add("emulator", "platform", "Function.DemoError: failed before returning")
    assert not book.wait_for("failed before returning", timeout=0, source_prefix="function")
    book.add("function-0", "stdout", '{"message": "failed before returning"}')
    assert book.wait_for("failed before returning", timeout=0, source_prefix="function")
