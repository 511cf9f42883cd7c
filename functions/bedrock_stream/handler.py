"""Composition root: ``_HANDLER=bedrock_stream.handler.handle``.

Settings, the boto3 ``bedrock-runtime`` client, the Powertools logger/metrics and the app are built once per
process, at import (the Lambda init phase); invalid settings fail the init with a clear message.

SnapStart: :func:`reconnect` is registered as an after-restore hook (``streaming_runtime.hooks``). A resumed snapshot
must not reuse the client built before it: its pooled TCP/TLS connections were open when the snapshot was taken and its
credentials were resolved then (with SnapStart, Lambda serves them from the container credentials endpoint). The hook
builds the app again around a new client from a new boto3 session (credentials resolved afresh, an empty connection
pool) and closes the old client's connections (AWS Lambda developer guide, snapstart.html "network connections" and
snapstart-activate.html#snapstart-credentials).
"""

from __future__ import annotations

import os
from typing import Any

import boto3

from bedrock_stream.app import App, LambdaContext, create_app
from bedrock_stream.bedrock import BedrockRuntimeClient, BotoBedrockSource, create_client
from bedrock_stream.settings import Settings
from streaming_runtime import StreamingResponse
from streaming_runtime.hooks import register_after_restore

__all__ = ["handle", "reconnect"]


def _build() -> tuple[BedrockRuntimeClient, App]:
    settings = Settings.from_env(os.environ)
    session = boto3.session.Session()
    client = create_client(session=session)
    source = BotoBedrockSource.from_settings(client, settings)
    guard = None
    if settings.api_keys_required:  # API_KEY mode: its modules are only imported there
        from bedrock_stream.api_keys.factory import create_guard

        guard = create_guard(settings, session)
    return client, create_app(settings, source, guard=guard)


_CLIENT, _APP = _build()


def handle(event: Any, context: LambdaContext) -> StreamingResponse:
    """The Lambda handler: one event in, one streaming response out."""
    return _APP.handle(event, context)


@register_after_restore
def reconnect() -> None:
    """After a SnapStart restore: serve with a new Bedrock client (fresh credentials, no pooled connections from before
    the snapshot) and close the old client's connections."""
    global _CLIENT, _APP
    stale = _CLIENT
    _CLIENT, _APP = _build()
    stale.close()
