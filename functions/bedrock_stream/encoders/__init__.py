"""Output encoders: normalized Bedrock events -> response text in one format (pure; no I/O).

One small module per format. Every encoder follows :class:`Encoder`: ``start()`` once, ``encode(event)`` per
event, then exactly one of ``finish()`` (success: the completion marker where the format has one) or
``error(exc)`` (the in-band error event). They return ``str``; the stream pipeline converts to UTF-8 bytes in
one place. Use :func:`create_encoder` to pick one.
"""

from __future__ import annotations

from bedrock_stream.encoders.base import Encoder
from bedrock_stream.encoders.factory import create_encoder

__all__ = ["Encoder", "create_encoder"]
