"""The value a streaming handler returns: status, headers, cookies and a lazily produced body.

The runtime owns all writing (README.md, "The handler contract"): the handler only describes the
response. A body is single-use; the runtime iterates it exactly once and sends one HTTP chunk per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["StreamingResponse"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamingResponse:
    """A streamed HTTP response.

    ``body`` is an iterable of ``bytes``; each non-empty item is written to the client as its own chunk as
    soon as it is produced. An exception raised while iterating ends the stream with the Lambda error
    trailers (the application should first yield an in-band error event in its own format).
    """

    status_code: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Sequence[str] = ()
    body: Iterable[bytes] = ()
