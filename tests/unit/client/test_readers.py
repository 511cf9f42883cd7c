"""The client's format readers against bytes produced by the application's real encoders, split anywhere."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_stream.encoders.base import Encoder
from bedrock_stream.encoders.json_document import JsonDocumentEncoder
from bedrock_stream.encoders.ndjson import NdjsonEncoder
from bedrock_stream.encoders.sse import SseEncoder
from bedrock_stream.encoders.text import TextEncoder
from bedrock_stream.errors import MidStreamError
from bedrock_stream.events import BedrockEvent, ReasoningDelta, Stop, TextDelta, ToolUseDelta, ToolUseStart, Usage
from client.errors import TruncatedStreamError
from client.events import DoneEvent, ErrorEvent, ReasoningEvent, StreamEvent, TextEvent, ToolUseEvent
from client.readers import make_reader

DELTAS = ["Hé", "llo, ", "wörld ", "😀", " 世界", "\n[err", "or] not really\nend"]
EVENTS: list[BedrockEvent] = [
    ReasoningDelta(text="thinking…"),
    *[TextDelta(text=d) for d in DELTAS],
    ToolUseStart(index=1, tool_use_id="t1", name="lookup"),
    ToolUseDelta(index=1, input='{"q":'),
    Stop(reason="end_turn"),
    Usage(input_tokens=12, output_tokens=34),
]
ENCODERS: dict[str, type[Encoder]] = {"sse": SseEncoder, "ndjson": NdjsonEncoder, "text": TextEncoder}


def _encode(fmt: str, events: list[BedrockEvent], error: Exception | None = None, *, heartbeats: bool = False) -> bytes:
    encoder: Encoder = JsonDocumentEncoder("m") if fmt == "json" else ENCODERS[fmt]()
    parts = [encoder.start()]
    for event in events:
        parts.append(encoder.encode(event))
        if heartbeats:
            parts.append(encoder.heartbeat())
    parts.append(encoder.error(error) if isinstance(error, MidStreamError) else encoder.finish())
    return "".join(parts).encode("utf-8")


def _read(fmt: str, data: bytes, cuts: list[int]) -> list[StreamEvent]:
    reader = make_reader(fmt)
    events: list[StreamEvent] = []
    bounds = [0, *sorted(set(cuts)), len(data)]
    for start, end in itertools.pairwise(bounds):
        events += reader.feed(data[start:end])
    return events + reader.finish()


def _text(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextEvent))


@pytest.mark.parametrize("fmt", ["sse", "ndjson", "text", "json"])
def test_every_two_way_split_reassembles_the_text(fmt: str) -> None:
    data = _encode(fmt, EVENTS)
    for cut in range(len(data) + 1):
        events = _read(fmt, data, [cut])
        assert _text(events) == "".join(DELTAS), cut
        if fmt != "text":
            assert isinstance(events[-1], DoneEvent)


def test_plain_text_has_no_heartbeat() -> None:
    assert _encode("text", EVENTS, heartbeats=True) == _encode("text", EVENTS)


@pytest.mark.parametrize("fmt", ["sse", "ndjson"])
def test_heartbeats_are_skipped(fmt: str) -> None:
    plain = _read(fmt, _encode(fmt, EVENTS), [])
    data = _encode(fmt, EVENTS, heartbeats=True)
    assert data.count(b"ping") == len(EVENTS)
    for cut in range(len(data) + 1):
        assert _read(fmt, data, [cut]) == plain, cut


@settings(max_examples=60, deadline=None)
@given(fmt=st.sampled_from(["sse", "ndjson", "text"]), cuts=st.lists(st.integers(0, 400), max_size=30))
def test_any_split_reassembles_the_text(fmt: str, cuts: list[int]) -> None:
    data = _encode(fmt, EVENTS)
    assert _text(_read(fmt, data, [c for c in cuts if c <= len(data)])) == "".join(DELTAS)


@pytest.mark.parametrize("fmt", ["sse", "ndjson"])
def test_typed_events_and_done(fmt: str) -> None:
    events = _read(fmt, _encode(fmt, EVENTS), [])
    assert isinstance(events[0], ReasoningEvent)
    assert events[0].text == "thinking…"
    assert [e.kind for e in events if isinstance(e, ToolUseEvent)] == ["tool_use_start", "tool_use_delta"]
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert done.stop_reason == "end_turn"
    assert done.usage is not None
    assert (done.usage.input_tokens, done.usage.output_tokens) == (12, 34)


def test_json_document() -> None:
    events = _read("json", _encode("json", EVENTS), [5])
    assert [type(e) for e in events] == [ReasoningEvent, TextEvent, DoneEvent]
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert done.usage is not None
    assert done.usage.output_tokens == 34


@pytest.mark.parametrize("fmt", ["sse", "ndjson", "text"])
def test_in_band_error_event(fmt: str) -> None:
    error = MidStreamError("the model stream broke", code="ModelStreamErrorException")
    data = _encode(fmt, [TextDelta(text="partial ")], error)
    for cut in range(len(data) + 1):
        events = _read(fmt, data, [cut])
        assert _text(events) == "partial "
        assert isinstance(events[-1], ErrorEvent)
        assert events[-1].message == "the model stream broke"
        assert events[-1].error_type == "stream_error"


@pytest.mark.parametrize("fmt", ["sse", "ndjson"])
def test_missing_completion_marker_is_truncation(fmt: str) -> None:
    data = _encode(fmt, [TextDelta(text="abc"), TextDelta(text="def")])
    done_at = data.rfind(b"event: done" if fmt == "sse" else b'{"type":"done"')
    with pytest.raises(TruncatedStreamError, match="completion marker"):
        _read(fmt, data[:done_at], [])


def test_event_cut_in_the_middle_is_truncation() -> None:
    data = _encode("sse", [TextDelta(text="abc")])
    with pytest.raises(TruncatedStreamError):
        _read("sse", data[:-3], [])
    with pytest.raises(TruncatedStreamError, match="invalid JSON"):
        _read("ndjson", _encode("ndjson", [TextDelta(text="abc")])[:-5], [])


def test_multibyte_characters_are_never_split() -> None:
    reader = make_reader("text")
    pieces: list[str] = []
    for byte in "😀é世".encode():
        pieces += [e.text for e in reader.feed(bytes([byte])) if isinstance(e, TextEvent)]
    pieces += [e.text for e in reader.finish() if isinstance(e, TextEvent)]
    assert pieces == ["😀", "é", "世"]
