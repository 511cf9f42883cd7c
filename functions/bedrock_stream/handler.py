"""Composition root: ``_HANDLER=bedrock_stream.handler.handle``.

Settings, the boto3 ``bedrock-runtime`` client, the Powertools logger/metrics and the app are built once per
process, at import (the Lambda init phase); invalid settings fail the init with a clear message.
"""

from __future__ import annotations

import os
from typing import Any

from bedrock_stream.app import App, LambdaContext, create_app
from bedrock_stream.bedrock import BotoBedrockSource, create_client
from bedrock_stream.settings import Settings
from streaming_runtime import StreamingResponse

__all__ = ["handle"]


def _build() -> App:
    settings = Settings.from_env(os.environ)
    return create_app(settings, BotoBedrockSource.from_settings(create_client(), settings))


_APP = _build()


def handle(event: Any, context: LambdaContext) -> StreamingResponse:
    """The Lambda handler: one event in, one streaming response out."""
    return _APP.handle(event, context)
