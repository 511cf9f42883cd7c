"""Output format negotiation: ``?format=`` wins, then the ``Accept`` header (RFC 9110 §12.5.1 media ranges, q)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from bedrock_stream.errors import NotAcceptableError

__all__ = ["Format", "choose_format"]


class Format(StrEnum):
    """Response formats; the value is the ``?format=`` name."""

    TEXT = "text"
    SSE = "sse"
    NDJSON = "ndjson"
    JSON = "json"


MEDIA_TYPES: dict[Format, str] = {
    Format.TEXT: "text/plain",
    Format.SSE: "text/event-stream",
    Format.NDJSON: "application/x-ndjson",
    Format.JSON: "application/json",
}
_BY_MEDIA = {media: fmt for fmt, media in MEDIA_TYPES.items()} | {"application/jsonl": Format.NDJSON}


def choose_format(query: Mapping[str, str], headers: Mapping[str, str], *, default: Format) -> Format:
    """Pick the response format; raise :class:`NotAcceptableError` when nothing matches."""
    name = query.get("format")
    if name is not None:
        try:
            return Format(name.strip().lower())
        except ValueError:
            names = ", ".join(f.value for f in Format)
            raise NotAcceptableError(f"unknown format {name!r}; use one of {names}") from None
    accept = headers.get("accept", "").strip()
    if not accept:
        return default
    best: tuple[float, int, Format] | None = None
    items = [
        (media.strip().lower(), _quality(params)) for media, _, params in (i.partition(";") for i in accept.split(","))
    ]
    refused = {_BY_MEDIA[media] for media, quality in items if quality <= 0 and media in _BY_MEDIA}
    for position, (media, quality) in enumerate(items):
        if quality <= 0:
            continue
        if media in ("*/*", "text/*"):
            candidate = default if media == "*/*" or MEDIA_TYPES[default].startswith("text/") else Format.TEXT
        elif media == "application/*":
            candidate = default if MEDIA_TYPES[default].startswith("application/") else Format.NDJSON
        elif media in _BY_MEDIA:
            candidate = _BY_MEDIA[media]
        else:
            continue
        if candidate in refused:  # e.g. "text/plain;q=0, */*": the wildcard does not bring it back
            continue
        # Higher q wins; on a tie the first listed wins; wildcards lose to explicit types.
        rank = (quality - (0.0001 if "*" in media else 0.0), -position, candidate)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        raise NotAcceptableError(
            f"cannot produce any type in Accept: {accept!r}; available: {', '.join(MEDIA_TYPES.values())}"
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
