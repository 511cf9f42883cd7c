"""Bedrock streaming core: normalized events from ConverseStream and from InvokeModelWithResponseStream.

Usage (composition root, once per process)::

    from bedrock_stream.bedrock import BotoBedrockSource, create_client

    source = BotoBedrockSource.from_settings(create_client(), settings)
    stream = source.converse(chat_request)      # raises UpstreamError before any byte is sent
    for event in stream: ...                    # raises MidStreamError if the stream breaks

See ``source.py`` for the stream contract, ``registry.py`` for the model families (ids, sniffing, decoder,
token-limit fields), ``decoders.py`` for the per-family formats and ``error_mapping.py`` for the error codes.
"""

from __future__ import annotations

from bedrock_stream.bedrock.client import BedrockRuntimeClient, create_client
from bedrock_stream.bedrock.converse_events import ConverseEventMapper
from bedrock_stream.bedrock.converse_request import GuardrailConfig, build_converse_params
from bedrock_stream.bedrock.decoders import InvokeDecoder
from bedrock_stream.bedrock.error_mapping import mid_stream_error, upstream_error
from bedrock_stream.bedrock.families import ModelFamily, UnsupportedModelError
from bedrock_stream.bedrock.registry import (
    FAMILIES,
    FamilySpec,
    decoder_for,
    parse_model_id,
    resolve_family,
    sniff_family,
    spec_for,
)
from bedrock_stream.bedrock.source import BedrockEventStream, BotoBedrockSource
from bedrock_stream.bedrock.stop_reasons import normalize_stop_reason

__all__ = [
    "FAMILIES",
    "BedrockEventStream",
    "BedrockRuntimeClient",
    "BotoBedrockSource",
    "ConverseEventMapper",
    "FamilySpec",
    "GuardrailConfig",
    "InvokeDecoder",
    "ModelFamily",
    "UnsupportedModelError",
    "build_converse_params",
    "create_client",
    "decoder_for",
    "mid_stream_error",
    "normalize_stop_reason",
    "parse_model_id",
    "resolve_family",
    "sniff_family",
    "spec_for",
    "upstream_error",
]
