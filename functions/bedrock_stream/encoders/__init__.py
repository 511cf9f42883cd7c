"""Output encoders: normalized Bedrock events -> response text in one format (pure; no I/O).

One small module per format. Every encoder follows :class:`Encoder`: ``create(exchange)`` once per response,
``start()`` once, ``encode(event)`` per event, then exactly one of ``finish()`` (success: the completion marker
where the format has one) or ``error(exc)`` (the in-band error event); ``heartbeat()`` is the format's keep-alive
(``""`` for none), sent between events while Bedrock is silent. They return ``str``; the stream pipeline
converts to UTF-8 bytes in one place. Which encoders a route offers is a row of :mod:`bedrock_stream.surfaces`.
"""

from __future__ import annotations

from bedrock_stream.encoders.base import Encoder, Exchange

__all__ = ["Encoder", "Exchange"]
