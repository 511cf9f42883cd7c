"""Structured logs (Powertools Logger, JSON) and metrics (Powertools Metrics, CloudWatch EMF) per request.

One log line per request (request id, route, model, format, status, time to first token, duration, tokens
including prompt-cache reads and writes, error type). Prompt and completion text appear only when
``Settings.log_content`` is set. Metrics are flushed at the end of each request, i.e. in the body generator's
``finally`` for streams, because the handler returns before streaming ends.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from bedrock_stream.events import Usage

__all__ = ["NAMESPACE", "SERVICE", "Observer", "RequestRecord", "create_logger", "create_metrics"]

SERVICE = "bedrock-stream"
NAMESPACE = "BedrockStream"


def create_logger(service: str = SERVICE) -> Logger:
    """The JSON logger."""
    return Logger(service=service)


def create_metrics(namespace: str = NAMESPACE, service: str = SERVICE) -> Metrics:
    """The EMF metrics collector."""
    return Metrics(namespace=namespace, service=service)


@dataclass(slots=True)
class RequestRecord:
    """What one request did; filled in as it goes."""

    request_id: str
    started: float = field(default_factory=time.perf_counter)
    route: str = "-"
    api_key_id: str | None = None
    """The API Gateway API key's id, when the request came through the API Gateway front door (never the key)."""
    api_key: str | None = None
    """API_KEY mode: the authenticated key's name (never the key)."""
    model: str = "-"
    format: str = "-"
    status: int = 200
    ttft_ms: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_write_input_tokens: int | None = None
    total_tokens: int | None = None
    stop_reason: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_detail: str | None = None
    prompt: str | None = None
    completion: list[str] = field(default_factory=list)

    def note_usage(self, usage: Usage) -> None:
        """Record the response's token counts (prompt-cache reads and writes included)."""
        self.input_tokens, self.output_tokens = usage.input_tokens, usage.output_tokens
        self.cache_read_input_tokens = usage.cache_read_input_tokens
        self.cache_write_input_tokens = usage.cache_write_input_tokens
        self.total_tokens = usage.total_tokens

    def first_token(self) -> None:
        """Mark the first content event (only the first call counts)."""
        if self.ttft_ms is None:
            self.ttft_ms = (time.perf_counter() - self.started) * 1000


class Observer:
    """Writes the request log line and the metrics."""

    def __init__(self, logger: Logger, metrics: Metrics, *, log_content: bool) -> None:
        self.logger = logger
        self._metrics = metrics
        self.log_content = log_content

    def finish(self, record: RequestRecord) -> None:
        """Log and flush metrics for a finished request."""
        duration_ms = (time.perf_counter() - record.started) * 1000
        fields: dict[str, Any] = asdict(record)
        del fields["started"], fields["prompt"], fields["completion"]
        fields = {k: v for k, v in fields.items() if v is not None}
        fields["duration_ms"] = round(duration_ms, 1)
        if record.ttft_ms is not None:
            fields["ttft_ms"] = round(record.ttft_ms, 1)
        if self.log_content:
            fields["prompt"] = record.prompt
            fields["completion"] = "".join(record.completion)
        if record.error_type is None:
            self.logger.info("request finished", extra=fields)
        else:
            self.logger.warning("request failed", extra=fields)
        self._emit_metrics(record, duration_ms)

    def _emit_metrics(self, record: RequestRecord, duration_ms: float) -> None:
        metrics = self._metrics
        metrics.add_dimension(name="model", value=record.model)
        if record.api_key is not None:
            metrics.add_dimension(name="api_key", value=record.api_key)
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="Duration", unit=MetricUnit.Milliseconds, value=duration_ms)
        if record.ttft_ms is not None:
            metrics.add_metric(name="TimeToFirstToken", unit=MetricUnit.Milliseconds, value=record.ttft_ms)
        if record.input_tokens is not None:
            metrics.add_metric(name="InputTokens", unit=MetricUnit.Count, value=record.input_tokens)
        if record.output_tokens is not None:
            metrics.add_metric(name="OutputTokens", unit=MetricUnit.Count, value=record.output_tokens)
        if record.cache_read_input_tokens is not None:
            metrics.add_metric(name="CacheReadInputTokens", unit=MetricUnit.Count, value=record.cache_read_input_tokens)
        if record.cache_write_input_tokens is not None:
            value = record.cache_write_input_tokens
            metrics.add_metric(name="CacheWriteInputTokens", unit=MetricUnit.Count, value=value)
        metrics.flush_metrics()
        if record.error_type is not None:
            with single_metric(
                name="Errors", unit=MetricUnit.Count, value=1, namespace=metrics.namespace
            ) as error_metric:
                error_metric.add_dimension(name="model", value=record.model)
                if record.api_key is not None:
                    error_metric.add_dimension(name="api_key", value=record.api_key)
                error_metric.add_dimension(name="error_type", value=record.error_type)
