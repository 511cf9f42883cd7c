"""Drive a reader over a response's chunks: events out, failures as typed errors.

An in-band ``error`` event becomes ``StreamError``. When the transfer breaks (``TruncatedStreamError`` from the
transport), whatever the reader still holds is examined first: the local Function URL and AWS both cut the
connection right after a failed stream's in-band error, and that error is the better explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from client.errors import StreamError, TruncatedStreamError
from client.events import ErrorEvent, StreamEvent
from client.readers import Reader

__all__ = ["consume"]


def _checked(events: list[StreamEvent], cause: BaseException | None = None) -> Iterator[StreamEvent]:
    for event in events:
        if isinstance(event, ErrorEvent):
            raise StreamError(event.message, error_type=event.error_type, code=event.code) from cause
        yield event


def consume(
    chunks: Iterable[bytes], reader: Reader, *, on_chunk: Callable[[bytes], None] | None = None
) -> Iterator[StreamEvent]:
    """Events parsed from ``chunks``; ``on_chunk`` sees every raw chunk first (``--raw``).

    Raises ``StreamError`` for an in-band error event and ``TruncatedStreamError`` when the stream broke or
    ended without its completion marker.
    """
    try:
        for chunk in chunks:
            if on_chunk is not None:
                on_chunk(chunk)
            yield from _checked(reader.feed(chunk))
    except TruncatedStreamError as broken:
        try:
            tail = reader.finish()
        except TruncatedStreamError:
            raise broken from None
        yield from _checked(tail, broken)
        raise
    yield from _checked(reader.finish())
