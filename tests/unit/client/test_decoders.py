"""SSE and line decoding details: CRLF/CR line ends split across chunks, comments, multi-line data."""

from __future__ import annotations

from client.decoders import LineDecoder, SSEDecoder, SSEMessage


def test_line_endings_split_across_chunks() -> None:
    lines = LineDecoder()
    out = lines.decode(b"a\r") + lines.decode(b"\nb\rc") + lines.decode(b"\n")
    assert out == [b"a", b"b", b"c"]
    assert lines.pending == b""


def test_sse_comments_multiline_data_and_default_event_name() -> None:
    sse = SSEDecoder()
    messages = sse.decode(b': keep-alive\r\n\r\nevent: text\r\ndata: {"a":\r\ndata: 1}\r\nid: 7\r\n\r\ndata: x\n')
    assert messages == [SSEMessage("text", '{"a":\n1}', "7")]
    assert sse.pending
    assert sse.decode(b"\n") == [SSEMessage("message", "x", "7")]
    assert not sse.pending
