"""The error type of request bodies the stub cannot use."""

from __future__ import annotations

__all__ = ["BodyError"]


class BodyError(ValueError):
    """The native request body cannot be used (answered as a 400 ValidationException)."""
