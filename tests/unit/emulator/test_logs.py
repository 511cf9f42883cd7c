"""The emulator's log book stays bounded however many requests it logs."""

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


def test_wait_for_returns_once_another_thread_logs_the_text() -> None:
    book = LogBook()
    writer = threading.Thread(target=lambda: [book.add("emulator", "platform", f"line {i}") for i in range(50)])
    writer.start()
    assert book.wait_for("line 49", timeout=30)
    writer.join()
    assert not book.wait_for("never logged", timeout=0)
