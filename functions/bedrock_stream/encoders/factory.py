"""Pick the encoder for a route and a negotiated format."""

from __future__ import annotations

from bedrock_stream.encoders.base import Encoder
from bedrock_stream.encoders.json_document import JsonDocumentEncoder
from bedrock_stream.encoders.ndjson import NdjsonEncoder
from bedrock_stream.encoders.openai_chunks import OpenAIChunkEncoder
from bedrock_stream.encoders.openai_common import OpenAIIdentity
from bedrock_stream.encoders.openai_completion import OpenAICompletionEncoder
from bedrock_stream.encoders.sse import SseEncoder
from bedrock_stream.encoders.text import TextEncoder
from bedrock_stream.negotiation import Format

__all__ = ["create_encoder"]


def create_encoder(
    fmt: Format, *, model: str, openai: OpenAIIdentity | None = None, include_usage: bool = False
) -> Encoder:
    """The encoder for ``fmt``; with ``openai`` set, the Chat Completions encoders (SSE or JSON)."""
    if openai is not None:
        if fmt is Format.JSON:
            return OpenAICompletionEncoder(openai)
        return OpenAIChunkEncoder(openai, include_usage=include_usage)
    if fmt is Format.SSE:
        return SseEncoder()
    if fmt is Format.NDJSON:
        return NdjsonEncoder()
    if fmt is Format.JSON:
        return JsonDocumentEncoder(model)
    return TextEncoder()
