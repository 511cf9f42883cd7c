"""Output format negotiation: ``?format=`` wins, then the ``Accept`` header (RFC 9110 §12.5.1 media ranges, q).

The candidates are the formats a surface offers (``bedrock_stream.surfaces``), each with its encoder class, whose
``content_type`` (up to ``;``) and ``media_aliases`` are the media types it answers to.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from bedrock_stream.encoders.base import Encoder
from bedrock_stream.errors import NotAcceptableError

__all__ = ["Format", "choose_format", "media_type"]


class Format(StrEnum):
    """Response formats; the value is the ``?format=`` name."""

    TEXT = "text"
    SSE = "sse"
    NDJSON = "ndjson"
    JSON = "json"


def media_type(encoder: type[Encoder]) -> str:
    """The bare media type of an encoder's ``content_type`` (no parameters), lower-case."""
    return encoder.content_type.partition(";")[0].strip().lower()


def choose_format(
    query: Mapping[str, str], headers: Mapping[str, str], *, offers: Mapping[Format, type[Encoder]], default: Format
) -> Format:
    """Pick one of ``offers``; raise :class:`NotAcceptableError` when nothing matches."""
    name = query.get("format")
    if name is not None:
        chosen = name.strip().lower()
        if chosen not in offers:
            raise NotAcceptableError(f"unknown format {name!r}; use one of {', '.join(offers)}")
        return Format(chosen)
    accept = headers.get("accept", "").strip()
    if not accept:
        return default
    medias = {fmt: media_type(encoder) for fmt, encoder in offers.items()}
    by_media = {media: fmt for fmt, media in medias.items()}
    by_media.update({alias: fmt for fmt, encoder in offers.items() for alias in encoder.media_aliases})
    best: tuple[float, int, Format] | None = None
    items = [
        (media.strip().lower(), _quality(params)) for media, _, params in (i.partition(";") for i in accept.split(","))
    ]
    refused = {by_media[media] for media, quality in items if quality <= 0 and media in by_media}
    for position, (media, quality) in enumerate(items):
        if quality <= 0:
            continue
        if media == "*/*":
            candidate: Format | None = default
        elif media.endswith("/*"):  # "text/*": the default if it is of that type, else the first offer that is
            kind = media[:-1]
            matching = [fmt for fmt, offered in medias.items() if offered.startswith(kind)]
            candidate = default if default in matching else next(iter(matching), None)
        else:
            candidate = by_media.get(media)
        if candidate is None:
            continue
        if candidate in refused:  # e.g. "text/plain;q=0, */*": the wildcard does not bring it back
            continue
        # Higher q wins; on a tie the first listed wins; wildcards lose to explicit types.
        rank = (quality - (0.0001 if "*" in media else 0.0), -position, candidate)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        raise NotAcceptableError(
            f"cannot produce any type in Accept: {accept!r}; available: {', '.join(medias.values())}"
        )
    return best[2]


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0
