"""The invocation's bounded buffer between the Runtime API (producer) and the caller (consumer): pure, one thread.

The producer never waits for the consumer (on Lambda the function cannot see its caller's pace); a consumer that
falls more than BUFFER_LIMIT bytes behind is cut off as if it had disconnected.
"""

from __future__ import annotations

import threading

from emulator.invocation import (
    BUFFER_LIMIT,
    CALLER_TOO_SLOW,
    Invocation,
    InvocationAborted,
    ResponseChunk,
    ResponseEnd,
    ResponseStart,
)


def test_a_consumer_within_the_buffer_gets_every_event_in_order() -> None:
    invocation = Invocation(payload=b"{}")
    half = b"x" * (BUFFER_LIMIT // 2)
    assert invocation.emit(ResponseStart("text/plain", streaming=True))
    assert invocation.emit(ResponseChunk(half))
    assert invocation.emit(ResponseChunk(half))
    assert invocation.finish(ResponseEnd())
    events = [invocation.next_event(0) for _ in range(4)]
    assert events == [ResponseStart("text/plain", True), ResponseChunk(half), ResponseChunk(half), ResponseEnd()]


def test_a_consumer_too_far_behind_is_cut_off_and_the_producer_never_waits() -> None:
    invocation = Invocation(payload=b"{}")
    invocation.emit(ResponseStart("text/plain", streaming=True))
    piece = b"x" * 65536
    accepted = [invocation.emit(ResponseChunk(piece)) for _ in range(2 * BUFFER_LIMIT // len(piece))]
    assert accepted == [True] * (BUFFER_LIMIT // len(piece)) + [False] * (BUFFER_LIMIT // len(piece))
    assert invocation.finish(ResponseEnd("Demo.Error", None))  # the function's own end is still recorded
    event = invocation.next_event(0)
    assert isinstance(event, InvocationAborted)
    assert event.error_type == CALLER_TOO_SLOW
    assert invocation.next_event(0) is None  # nothing follows the cut
    assert invocation.terminal == ResponseEnd("Demo.Error", None)


def test_a_consumer_that_keeps_up_is_never_cut_however_long_the_stream() -> None:
    invocation = Invocation(payload=b"{}")
    piece = b"y" * 65536
    for _ in range(4 * BUFFER_LIMIT // len(piece)):
        assert invocation.emit(ResponseChunk(piece))
        assert invocation.next_event(0) == ResponseChunk(piece)


def test_one_piece_larger_than_the_buffer_still_reaches_a_caller_that_is_not_behind() -> None:
    """A buffered response (up to 6 MB) arrives as one chunk right after its start event."""
    invocation = Invocation(payload=b"{}")
    body = b"z" * (3 * BUFFER_LIMIT)
    assert invocation.emit(ResponseStart("application/json", streaming=False))
    assert invocation.emit(ResponseChunk(body))
    assert invocation.next_event(0) == ResponseStart("application/json", False)
    assert invocation.next_event(0) == ResponseChunk(body)


def test_a_caller_that_keeps_reading_is_waited_for_not_cut() -> None:
    invocation = Invocation(payload=b"{}")
    piece = b"y" * 65536
    total = 4 * BUFFER_LIMIT // len(piece)
    received: list[int] = []

    def read() -> None:
        while len(received) < total:
            event = invocation.next_event(timeout=30)
            assert isinstance(event, ResponseChunk)
            received.append(len(event.data))

    reader = threading.Thread(target=read)
    reader.start()
    accepted = [invocation.emit(ResponseChunk(piece)) for _ in range(total)]
    reader.join(30)
    assert accepted == [True] * total
    assert sum(received) == total * len(piece)
