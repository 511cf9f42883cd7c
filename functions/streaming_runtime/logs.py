"""The runtime's own log lines: one JSON object per line on stderr, in the shape of Lambda's JSON log format.

Keys ``timestamp``, ``level``, ``message``, ``logger`` (+ ``requestId`` when known, ``errorType`` for exceptions); AWS
Lambda developer guide, monitoring-cloudwatchlogs-advanced.html (JSON log format). Only the ``streaming_runtime``
logger is configured: the application's logging stays its own. Event bodies are never logged.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Mapping
from typing import Final, TextIO

__all__ = ["LOGGER_NAME", "JsonFormatter", "configure_logging"]

LOGGER_NAME: Final = "streaming_runtime"
_LEVELS: Final = {
    "TRACE": "DEBUG",
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARN": "WARNING",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "FATAL": "CRITICAL",
}


class JsonFormatter(logging.Formatter):
    """Formats a record as one compact JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line (no trailing newline)."""
        doc: dict[str, object] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": "WARN" if record.levelname == "WARNING" else record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        request_id = getattr(record, "requestId", None)
        if request_id:
            doc["requestId"] = request_id
        if record.exc_info and record.exc_info[1] is not None:
            doc["errorType"] = type(record.exc_info[1]).__name__
            doc["stackTrace"] = self.formatException(record.exc_info).splitlines()
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure_logging(environ: Mapping[str, str], stream: TextIO | None = None) -> logging.Logger:
    """Attach a JSON stderr handler to the ``streaming_runtime`` logger at ``AWS_LAMBDA_LOG_LEVEL`` (default INFO)."""
    logger = logging.getLogger(LOGGER_NAME)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.handlers[:] = [handler]
    logger.propagate = False
    level = environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    logger.setLevel(_LEVELS.get(level, "INFO"))
    return logger
