"""The producer/consumer body: heartbeats while Bedrock is silent, the idle timeout, errors in order, no leaked thread.

Silences are a stream that blocks on a gate the test opens once it has seen what it waits for: nothing here depends
on how long a wait takes, only on the order of what arrived.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator, Sequence

import pytest

from bedrock_stream.encoders.base import Encoder, Exchange
from bedrock_stream.errors import DeadlineError, MidStreamError, UpstreamIdleError
from bedrock_stream.events import BedrockEvent, TextDelta
from bedrock_stream.pacing import HEARTBEAT, EventPump, Heartbeat
from bedrock_stream.settings import Settings, SettingsError
from bedrock_stream.surfaces import SURFACES
from tests.unit.api.support import MODEL, FakeContext, FakeSource, FakeStream, harness, json_event, run, text_events

BEAT_S = 0.01


class GatedStream:
    """Yields ``events``; before the event at index ``pause_at`` it blocks until ``gate`` opens or it is closed.

    Closing it (what the watchdog and the pump do) wakes the blocked read with ``OSError``, like a closed socket.
    """

    def __init__(self, events: Sequence[BedrockEvent], pause_at: int, fail_with: Exception | None = None) -> None:
        self._events = list(events)
        self._pause_at = pause_at
        self._fail_with = fail_with
        self.gate = threading.Event()
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[BedrockEvent]:
        for index, event in enumerate(self._events):
            if index == self._pause_at:
                self.gate.wait()
                if self.closed.is_set():
                    raise OSError("connection closed")
            yield event
        if self._fail_with is not None:
            raise self._fail_with

    def close(self) -> None:
        self.closed.set()
        self.gate.set()


def pump_over(stream: GatedStream, *, heartbeat_s: float = BEAT_S, idle_s: float = 0.0) -> EventPump:
    return EventPump(iter(stream), stream, heartbeat_s=heartbeat_s, idle_s=idle_s)


def test_heartbeats_fill_a_silence_and_the_events_keep_their_order() -> None:
    events = text_events("a", "b", "c")
    stream = GatedStream(events, pause_at=1)
    pump = pump_over(stream)
    seen: list[BedrockEvent | Heartbeat] = []
    for item in pump:
        seen.append(item)
        if seen.count(HEARTBEAT) == 3:
            stream.gate.set()  # the silence ends only once three heartbeats arrived
    assert seen == [events[0], HEARTBEAT, HEARTBEAT, HEARTBEAT, *events[1:]]
    pump.close()
    assert not pump.running


def test_the_producer_error_is_raised_after_the_events_read_before_it() -> None:
    stream = GatedStream(text_events("a", "b"), pause_at=-1, fail_with=MidStreamError("broke", code="X"))
    pump = pump_over(stream)
    seen: list[BedrockEvent | Heartbeat] = []
    with pytest.raises(MidStreamError, match="broke"):
        seen.extend(item for item in pump if item is not HEARTBEAT)
    assert [type(e).__name__ for e in seen] == ["TextDelta", "TextDelta", "Stop", "Usage"]
    pump.close()
    assert not pump.running


def test_idle_timeout_raises_after_heartbeats_and_stops_the_producer() -> None:
    stream = GatedStream(text_events("a"), pause_at=1)  # never opened: silent until closed
    pump = pump_over(stream, heartbeat_s=BEAT_S, idle_s=20 * BEAT_S)
    seen: list[BedrockEvent | Heartbeat] = []
    with pytest.raises(UpstreamIdleError) as raised:
        seen.extend(pump)
    assert seen[0] == TextDelta("a")
    assert set(seen[1:]) <= {HEARTBEAT}  # heartbeats, if the silence let one fall due (the emulator test sees them)
    assert raised.value.to_dict()["error"]["type"] == "upstream_idle"
    pump.close()
    assert stream.closed.is_set()
    assert not pump.running


def test_idle_timeout_alone_sends_no_heartbeat() -> None:
    stream = GatedStream(text_events("a"), pause_at=1)
    pump = pump_over(stream, heartbeat_s=0.0, idle_s=BEAT_S)
    seen: list[BedrockEvent | Heartbeat] = []
    with pytest.raises(UpstreamIdleError):
        seen.extend(pump)
    assert seen == [TextDelta("a")]
    pump.close()
    assert not pump.running


def test_closing_the_consumer_mid_silence_ends_the_producer() -> None:
    # What the runtime does on a write failure or its deadline: close the body generator.
    stream = GatedStream(text_events("a", "b"), pause_at=1)
    pump = pump_over(stream)
    items = iter(pump)
    assert next(items) == TextDelta("a")
    assert next(items) is HEARTBEAT
    pump.close()
    assert stream.closed.is_set()
    assert not pump.running


class EndlessStream:
    """Yields text deltas for ever and records how far the producer has read."""

    def __init__(self, held_at: int) -> None:
        self.asked = 0
        self.held = threading.Event()  # set when the producer asks for event number ``held_at``
        self.overrun = threading.Event()  # set if it asks for one more
        self._held_at = held_at

    def __iter__(self) -> Iterator[BedrockEvent]:
        for n in itertools.count(1):
            self.asked = n
            if n == self._held_at:
                self.held.set()
            elif n > self._held_at:
                self.overrun.set()
            yield TextDelta(str(n))

    def close(self) -> None:
        pass


def test_a_slow_consumer_holds_the_producer_back() -> None:
    """A client that reads slowly must slow the Bedrock read, not grow the queue: with room for ``limit`` events and
    one taken by the body, the producer holds event ``limit + 2`` and asks for no more."""
    limit = 4
    stream = EndlessStream(held_at=limit + 2)
    pump = EventPump(iter(stream), stream, heartbeat_s=60.0, idle_s=0.0, max_buffered=limit)
    items = iter(pump)
    assert next(items) == TextDelta("1")
    assert stream.held.wait(5)
    assert not stream.overrun.wait(0.2)  # an unbounded queue overruns within microseconds
    pump.close()
    assert not pump.running
    assert stream.asked == limit + 2


def test_the_producer_resumes_once_the_body_took_half_of_what_it_may_hold() -> None:
    limit = 4
    stream = EndlessStream(held_at=1000)
    pump = EventPump(iter(stream), stream, heartbeat_s=60.0, idle_s=0.0, max_buffered=limit)
    taken = list(itertools.islice(pump, 999))  # through some 250 waits for room
    assert taken == [TextDelta(str(n)) for n in range(1, 1000)]
    pump.close()
    assert not pump.running


def test_a_pump_needs_a_heartbeat_or_an_idle_timeout() -> None:
    stream = GatedStream([], pause_at=-1)
    with pytest.raises(ValueError, match="heartbeat or an idle timeout"):
        pump_over(stream, heartbeat_s=0.0, idle_s=0.0)


# -- through the app -------------------------------------------------------------------------------------------


class GatedSource(FakeSource):
    """A FakeSource whose streams pause before event ``pause_at`` (gate in ``gated``)."""

    def __init__(self, events: Sequence[BedrockEvent], pause_at: int) -> None:
        super().__init__(events=events)
        self.pause_at = pause_at
        self.gated: list[GatedStream] = []

    def _open(self) -> FakeStream:
        stream = GatedStream(self.events, self.pause_at)
        self.gated.append(stream)
        return stream  # type: ignore[return-value]  # same interface as FakeStream


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "bedrock-reader"]


def drain_until_beats(body: Iterator[bytes], stream: GatedStream, ping: bytes, beats: int = 2) -> list[bytes]:
    chunks: list[bytes] = []
    for chunk in body:
        chunks.append(chunk)
        if chunks.count(ping) == beats:
            stream.gate.set()
    return chunks


@pytest.mark.parametrize(
    ("fmt", "ping"), [("sse", b": ping\n\n"), ("ndjson", b'{"type":"ping"}\n')], ids=["sse", "ndjson"]
)
def test_native_formats_send_their_heartbeat_between_whole_frames(fmt: str, ping: bytes) -> None:
    source = GatedSource(text_events("Hel", "lo"), pause_at=1)
    h = harness(source, heartbeat_seconds=BEAT_S)
    response = h.app.handle(json_event({"prompt": "Hi"}, query=f"format={fmt}"), FakeContext())
    chunks = drain_until_beats(iter(response.body), source.gated[0], ping)
    assert chunks.index(ping) == 1  # after the first text frame, before the second
    assert chunks.count(ping) == 2
    frames = [c for c in chunks if c != ping]
    assert b"Hel" in frames[0]
    assert b"lo" in frames[1]
    if fmt == "ndjson":
        assert [json.loads(line)["type"] for line in b"".join(chunks).splitlines()] == [
            "text",
            "ping",
            "ping",
            "text",
            "done",
        ]
    assert not reader_threads()


def test_plain_text_sends_no_heartbeat_bytes() -> None:
    source = GatedSource(text_events("Hel", "lo"), pause_at=1)
    h = harness(source, heartbeat_seconds=BEAT_S)
    response = h.app.handle(json_event({"prompt": "Hi"}), FakeContext())
    body = iter(response.body)
    assert next(body) == b"Hel"
    source.gated[0].gate.set()
    assert b"".join(body) == b"lo"


def test_idle_timeout_is_the_formats_in_band_error() -> None:
    source = GatedSource(text_events("Hel", "lo"), pause_at=1)
    h = harness(source, heartbeat_seconds=BEAT_S, idle_timeout_seconds=20 * BEAT_S)
    result = run(h, json_event({"prompt": "Hi"}, query="format=ndjson"))
    types = [json.loads(line)["type"] for line in result.body.splitlines()]
    assert (types[0], types[-1]) == ("text", "error")
    assert set(types[1:-1]) <= {"ping"}
    assert json.loads(result.body.splitlines()[-1])["error"]["type"] == "upstream_idle"
    assert isinstance(result.error, UpstreamIdleError)
    assert source.gated[0].closed.is_set()
    assert not reader_threads()


def test_idle_timeout_before_a_buffered_answer_is_a_504() -> None:
    source = GatedSource(text_events("Hel"), pause_at=0)
    h = harness(source, idle_timeout_seconds=BEAT_S)
    result = run(h, json_event({"prompt": "Hi", "stream": False}))
    assert result.status == 504
    assert result.json()["error"]["type"] == "upstream_idle"
    assert not reader_threads()


def test_the_deadline_watchdog_still_ends_a_silent_stream_with_heartbeats_on() -> None:
    source = FakeSource(events=text_events("a", "b")[:2], block=True)
    h = harness(source, deadline_margin_ms=1000, heartbeat_seconds=BEAT_S)
    result = run(h, json_event({"prompt": "Hi"}, query="format=sse"), FakeContext(remaining_ms=1200))
    assert result.body.startswith(b"event: text\ndata: ")
    assert result.body.rstrip().splitlines()[-2:][0] == b"event: error"
    assert b'"deadline_exceeded"' in result.body
    assert isinstance(result.error, DeadlineError)
    assert not reader_threads()


def test_closing_the_body_mid_silence_leaves_no_thread() -> None:
    source = GatedSource(text_events("Hel", "lo"), pause_at=1)
    h = harness(source, heartbeat_seconds=BEAT_S)
    response = h.app.handle(json_event({"prompt": "Hi"}, query="format=sse"), FakeContext())
    body = iter(response.body)
    assert next(body).startswith(b"event: text\n")
    assert next(body) == b": ping\n\n"
    assert len(reader_threads()) == 1
    body.close()  # type: ignore[attr-defined]  # what the runtime does on a write failure
    assert source.gated[0].closed.is_set()
    assert not reader_threads()


def test_without_heartbeat_or_idle_timeout_the_body_starts_no_thread() -> None:
    source = GatedSource(text_events("Hel", "lo"), pause_at=-1)
    h = harness(source)
    response = h.app.handle(json_event({"prompt": "Hi"}, query="format=sse"), FakeContext())
    body = iter(response.body)
    next(body)
    assert not reader_threads()
    assert b"event: done" in b"".join(body)


# -- the encoders' heartbeat -----------------------------------------------------------------------------------


def every_encoder() -> list[type[Encoder]]:
    return sorted({enc for s in SURFACES for enc in s.formats.values()}, key=lambda e: e.__name__)


@pytest.mark.parametrize("encoder", every_encoder(), ids=lambda e: e.__name__)
def test_every_encoder_defines_its_heartbeat(encoder: type[Encoder]) -> None:
    assert any("heartbeat" in vars(cls) for cls in encoder.__mro__ if cls is not Encoder)
    beat = encoder.create(Exchange(model=MODEL, request_id="r", created=0)).heartbeat()
    assert isinstance(beat, str)
    if encoder.buffers or encoder.holds_prelude:
        assert beat == ""  # nothing goes out before the end, or any byte would be answer text
    elif encoder.content_type.startswith("text/event-stream"):
        assert beat.endswith("\n\n")  # a whole SSE block: a comment or a ping event
    else:
        assert json.loads(beat) == {"type": "ping"}
        assert beat.endswith("\n")


# -- settings --------------------------------------------------------------------------------------------------

BASE = {"BEDROCK_STREAM_MODELS": "m"}


def test_heartbeat_and_idle_settings_default_to_off_and_accept_fractions() -> None:
    assert (Settings.from_env(BASE).heartbeat_seconds, Settings.from_env(BASE).idle_timeout_seconds) == (0.0, 0.0)
    env = {**BASE, "BEDROCK_STREAM_HEARTBEAT_SECONDS": "0.2", "BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS": "30"}
    s = Settings.from_env(env)
    assert (s.heartbeat_seconds, s.idle_timeout_seconds) == (0.2, 30.0)


@pytest.mark.parametrize(
    ("heartbeat", "idle", "message"),
    [
        ("-1", "", "HEARTBEAT_SECONDS=-1 must be"),
        ("soon", "", "HEARTBEAT_SECONDS='soon' is not a number"),
        ("", "inf", "IDLE_TIMEOUT_SECONDS=inf must be"),
        ("15", "10", "IDLE_TIMEOUT_SECONDS=10 must exceed BEDROCK_STREAM_HEARTBEAT_SECONDS=15"),
    ],
)
def test_bad_heartbeat_or_idle_settings_fail_fast(heartbeat: str, idle: str, message: str) -> None:
    env = {**BASE, "BEDROCK_STREAM_HEARTBEAT_SECONDS": heartbeat, "BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS": idle}
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
