"""The boto3 ``bedrock-runtime`` client: one per process, created by the composition root and injected.

Settings (botocore ``Config``: ``connect_timeout``, ``read_timeout``, ``retries`` ``total_max_attempts``; see
https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html) are upper bounds; each call is
also fitted into the invocation's remaining time by :mod:`bedrock_stream.bedrock.call_budget`, installed here:

- ``retries``: standard mode, at most 3 attempts in total, fewer when the remaining time cannot hold another one.
  Only the request before the stream is retried; nothing inside a stream is (botocore never does).
- ``connect_timeout`` 2 s: a TCP+TLS handshake to a regional endpoint takes milliseconds; failing fast leaves
  room for a retry, and every attempt reserves it out of the remaining time.
- ``read_timeout`` 120 s at most: the longest gap allowed between two socket reads, i.e. before the response
  headers (Bedrock sends them after the model has started) and between two events. It must exceed the longest
  silent phase: time to first token for very long prompts and extended-thinking models that stream nothing while
  they plan. Before the headers, each attempt's read timeout is cut to the remaining time (minus the connect
  timeout), so a Bedrock that stalls there ends in a 504 before the deadline margin, not in a Lambda timeout.
- ``tcp_keepalive``: keeps idle pooled connections (warm Lambda, minutes between invocations) from being dropped
  silently by NAT or load balancers.

There are no test hooks: point boto3 elsewhere only with its standard ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``
(or ``AWS_ENDPOINT_URL``). boto3 is imported inside :func:`create_client` so merely importing this package stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Protocol

from bedrock_stream.bedrock.call_budget import install

__all__ = ["CONNECT_TIMEOUT_S", "MAX_ATTEMPTS", "READ_TIMEOUT_S", "BedrockRuntimeClient", "create_client"]

CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 120.0
MAX_ATTEMPTS = 3
USER_AGENT_EXTRA = "bedrock-stream"


class BedrockRuntimeClient(Protocol):
    """The boto3 ``bedrock-runtime`` operations this package calls (keyword arguments as boto3 takes them)."""

    def converse_stream(self, **kwargs: Any) -> Mapping[str, Any]: ...

    def count_tokens(self, **kwargs: Any) -> Mapping[str, Any]: ...

    def invoke_model_with_response_stream(self, **kwargs: Any) -> Mapping[str, Any]: ...

    def close(self) -> None:
        """Close the pooled HTTP connections (botocore ``BaseClient.close``)."""


def create_client(
    *,
    region_name: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    read_timeout: float = READ_TIMEOUT_S,
    max_attempts: int = MAX_ATTEMPTS,
    session: Any = None,
) -> BedrockRuntimeClient:
    """Create the ``bedrock-runtime`` client (call once per process, at init).

    Region and credentials come from the standard AWS environment (``AWS_REGION`` or ``AWS_DEFAULT_REGION``, the
    Lambda role) unless ``region_name``/``session`` say otherwise.
    """
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        tcp_keepalive=True,
        user_agent_extra=USER_AGENT_EXTRA,
    )
    factory = session if session is not None else boto3.session.Session()
    # Lambda sets both AWS_REGION and AWS_DEFAULT_REGION; botocore itself reads only the latter.
    region = region_name or os.environ.get("AWS_REGION") or None
    client: BedrockRuntimeClient = factory.client("bedrock-runtime", region_name=region, config=config)
    install(client, connect_timeout=connect_timeout, read_timeout=read_timeout)
    return client
