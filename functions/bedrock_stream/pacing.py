"""Heartbeats and the idle watchdog: a producer thread reads Bedrock, the body waits on a queue with a timeout.

With ``heartbeat_seconds`` or ``idle_timeout_seconds`` set, :class:`EventPump` starts one daemon thread per response
that iterates the (deadline-guarded) Bedrock events and puts each one on a queue the moment it is decoded. The
body generator, in the runtime's thread, waits on that queue: an event is yielded at once (so it is still written
the moment it is produced), a wait that times out yields :data:`HEARTBEAT` (the encoder turns it into the
format's keep-alive, always between two whole frames), and silence past the idle timeout raises
:class:`~bedrock_stream.errors.UpstreamIdleError` (the body then sends the format's in-band error).

The queue holds at most :data:`MAX_BUFFERED_EVENTS`: when the client reads more slowly than Bedrock sends, the
producer waits until the body has taken half of them instead of reading on, so the Bedrock read slows down (TCP
backpressure) rather than the function's memory growing with the answer. The wait is an event the body sets only
while the producer waits, so the hot path stays a C ``SimpleQueue`` with no lock of its own.

Whatever the producer raises is put on the queue after the events it read and re-raised by the consumer in that
order. :meth:`EventPump.close` (the body's ``finally``: success, error, or the runtime closing the generator on a
write failure or its deadline) tells the producer to stop, closes the Bedrock stream to wake a blocked read and
joins the thread. With both settings off the app never builds a pump: the body iterates Bedrock directly, with no
thread and no queue on the hot path.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Final, final

from bedrock_stream.chat import EventStream
from bedrock_stream.errors import UpstreamIdleError
from bedrock_stream.events import BedrockEvent

__all__ = ["HEARTBEAT", "JOIN_TIMEOUT_S", "MAX_BUFFERED_EVENTS", "EventPump", "Heartbeat"]

MAX_BUFFERED_EVENTS: Final = 64
"""Events the producer may read ahead of the body (Bedrock deltas are small: this bounds memory, not throughput)."""
_PUT_WAIT_S: Final = 0.05
"""How often a producer waiting for room checks whether the body has stopped."""

JOIN_TIMEOUT_S: Final = 2.0
"""How long :meth:`EventPump.close` waits for the producer once the stream is closed (a closed socket wakes its
read at once; the thread is a daemon either way)."""


@final
class Heartbeat:
    """The type of :data:`HEARTBEAT`: Bedrock has been silent for ``heartbeat_seconds``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "HEARTBEAT"


HEARTBEAT: Final = Heartbeat()


@final
class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END: Final = object()


class EventPump:
    """Bedrock events read by a producer thread, with heartbeats and an idle timeout for the consumer.

    ``heartbeat_s`` 0 sends no heartbeat, ``idle_s`` 0 never gives up (at least one is positive). Iterate once;
    the producer starts with the iteration.
    """

    def __init__(
        self,
        events: Iterator[BedrockEvent],
        stream: EventStream,
        *,
        heartbeat_s: float,
        idle_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_buffered: int = MAX_BUFFERED_EVENTS,
    ) -> None:
        if heartbeat_s <= 0 and idle_s <= 0:
            raise ValueError("an EventPump needs a heartbeat or an idle timeout")
        self._events = events
        self._stream = stream
        self._heartbeat_s = heartbeat_s
        self._idle_s = idle_s
        self._clock = clock
        if max_buffered < 2:
            raise ValueError("max_buffered must be at least 2")
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._high, self._low = max_buffered, max_buffered // 2
        self._room = threading.Event()  # cleared while the producer waits for the body to take events
        self._room.set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="bedrock-reader", daemon=True)

    def _put(self, item: object) -> bool:
        """Queue ``item``, first waiting for room while the body runs; False once the body has stopped."""
        size = self._queue.qsize
        if size() >= self._high:
            self._room.clear()
            while size() >= self._high:  # checked after clear(): a body that drained meanwhile is not missed
                if self._stop.is_set():
                    return False
                self._room.wait(_PUT_WAIT_S)
        self._queue.put(item)
        return True

    def _produce(self) -> None:
        put = self._put
        events = self._events
        try:
            for event in events:
                if not put(event) or self._stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it after the events before it
            put(_Failure(exc))
        else:
            put(_END)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # a generator's finally blocks (the deadline's cancel) run in the thread that ran it

    def __iter__(self) -> Iterator[BedrockEvent | Heartbeat]:
        """Each event as it arrives, :data:`HEARTBEAT` after each ``heartbeat_s`` of silence; raises what the
        producer raised, or :class:`UpstreamIdleError` after ``idle_s`` without an event."""
        get, size, clock = self._queue.get, self._queue.qsize, self._clock
        room, low = self._room, self._low
        heartbeat_s, idle_s = self._heartbeat_s, self._idle_s
        self._thread.start()  # here, not in __init__: the prelude goes out first, then Bedrock's wait overlaps this
        last_event = last_beat = clock()
        while True:
            now = clock()
            due = [last_event + idle_s] if idle_s > 0 else []
            if heartbeat_s > 0:
                due.append(last_beat + heartbeat_s)
            try:
                item = get(timeout=max(0.0, min(due) - now))
            except queue.Empty:
                now = clock()
                if idle_s > 0 and now - last_event >= idle_s:
                    raise UpstreamIdleError(
                        f"the model sent nothing for {idle_s:g} s (idle timeout)", code="UpstreamIdle"
                    ) from None
                if heartbeat_s > 0 and now - last_beat >= heartbeat_s:
                    last_beat = now
                    yield HEARTBEAT
                continue
            if not room.is_set() and size() <= low:
                room.set()  # the producer waits for room: half the events it may read ahead are taken
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            last_event = last_beat = clock()
            yield item  # type: ignore[misc]  # everything else on the queue is an event

    def close(self) -> None:
        """Stop the producer: close the stream (wakes a blocked read) and wait for the thread to end."""
        self._stop.set()
        if self._thread.is_alive():  # False too when the iteration never began
            self._stream.close()
            self._thread.join(JOIN_TIMEOUT_S)

    @property
    def running(self) -> bool:
        """True while the producer thread is alive."""
        return self._thread.is_alive()
