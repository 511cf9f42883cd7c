"""ChatRequest -> keyword arguments of boto3 ``converse_stream``.

Follows the ConverseStream request body
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html): ``messages``, ``system``,
``inferenceConfig`` (maxTokens, temperature, topP, stopSequences), ``toolConfig``, ``guardrailConfig``,
``additionalModelRequestFields``, ``outputConfig`` and ``serviceTier`` (``{"type": ...}``). Content blocks are
already in Converse's shape (the routes build them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bedrock_stream.chat import ChatRequest
from bedrock_stream.settings import Settings

__all__ = ["GuardrailConfig", "build_converse_params"]

StreamProcessingMode = Literal["sync", "async"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardrailConfig:
    """A Bedrock guardrail applied to every call.

    ``stream_processing_mode`` defaults to ``sync``: Bedrock scans each chunk before releasing it, so nothing the
    guardrail would block ever reaches a client. ``async`` releases chunks at once (lower latency) but a late
    intervention cannot retract text already streamed.
    """

    identifier: str
    version: str
    stream_processing_mode: StreamProcessingMode = "sync"

    @classmethod
    def from_settings(
        cls, settings: Settings, *, stream_processing_mode: StreamProcessingMode = "sync"
    ) -> GuardrailConfig | None:
        """The configured guardrail, or None when the deployment has none."""
        if settings.guardrail_id is None or settings.guardrail_version is None:
            return None
        return cls(
            identifier=settings.guardrail_id,
            version=settings.guardrail_version,
            stream_processing_mode=stream_processing_mode,
        )


def plain(value: Any) -> Any:
    """Deep-copy mappings to dicts and sequences (not str/bytes) to lists: botocore validates plain types."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def build_converse_params(request: ChatRequest, *, guardrail: GuardrailConfig | None = None) -> dict[str, Any]:
    """The ``converse_stream(**params)`` arguments for ``request``; only fields that are set are sent."""
    params: dict[str, Any] = {
        "modelId": request.model,
        "messages": [{"role": m.role, "content": [plain(block) for block in m.content]} for m in request.messages],
    }
    if request.system:
        params["system"] = [{"text": block} if isinstance(block, str) else plain(block) for block in request.system]
    inference: dict[str, Any] = {}
    if request.max_tokens is not None:
        inference["maxTokens"] = request.max_tokens
    if request.temperature is not None:
        inference["temperature"] = request.temperature
    if request.top_p is not None:
        inference["topP"] = request.top_p
    if request.stop:
        inference["stopSequences"] = list(request.stop)
    if inference:
        params["inferenceConfig"] = inference
    if request.tool_config:
        params["toolConfig"] = plain(request.tool_config)
    if guardrail is not None:
        params["guardrailConfig"] = {
            "guardrailIdentifier": guardrail.identifier,
            "guardrailVersion": guardrail.version,
            "streamProcessingMode": guardrail.stream_processing_mode,
        }
    if request.output_config:
        params["outputConfig"] = plain(request.output_config)
    if request.additional_model_request_fields:
        params["additionalModelRequestFields"] = plain(request.additional_model_request_fields)
    if request.output_config:
        params["outputConfig"] = plain(request.output_config)
    if request.service_tier is not None:
        params["serviceTier"] = {"type": request.service_tier}
    return params
