"""Logging as the managed Python runtime sets it up: the root logger, Lambda's log format and level, framed records.

Follows aws/aws-lambda-python-runtime-interface-client, awslambdaric/bootstrap.py (``_setup_logging``,
``FramedTelemetryLogSink``, ``LambdaLoggerFilter``) and awslambdaric/lambda_runtime_log_utils.py (``JsonFormatter``,
frame types), and the AWS Lambda developer guide, monitoring-cloudwatchlogs-logformat.html and python-logging.html:

- ``AWS_LAMBDA_LOG_FORMAT``: ``JSON`` (any case) gives one JSON object per record with ``timestamp``, ``level``,
  ``message``, ``logger``, ``requestId`` and, for exceptions, ``errorType``, ``errorMessage``, ``stackTrace`` and
  ``location`` (plus ``tenantId`` and any ``extra`` fields); anything else gives the text layout
  ``[LEVEL]\\t<UTC time>.<ms>Z\\t<request id>\\t<message>``.
- ``AWS_LAMBDA_LOG_LEVEL`` (``TRACE`` counts as ``DEBUG``) sets the root logger's level; unset, Python's default
  (WARNING) stays, as on the managed runtime.
- The handler sits on the root logger, so every library's records get the format and the current request id. The
  runtime's own ``streaming_runtime`` logger just propagates to it. ``print`` output stays plain text on stdout, as
  on the managed runtime (python-logging.html: only a logging library gives structured JSON; EMF metrics need their
  raw line).
- With ``_LAMBDA_TELEMETRY_LOG_FD`` set (and then removed from the environment), each record is written to that file
  descriptor as one frame, so a multi-line record (a traceback) is one CloudWatch event. A frame is, big-endian:
  the 4-byte frame type, the 4-byte length of the message, an 8-byte timestamp in microseconds since the epoch,
  then the UTF-8 message. The type is ``0xA55A0002``, plus 1 for text (not JSON), plus the level code (0 below
  DEBUG, 2 DEBUG, 3 INFO, 4 WARNING, 5 ERROR, 6 CRITICAL) shifted left by 2; without a configured level or JSON
  format, text frames carry no level code (``0xA55A0003``). Without the descriptor, records go to stdout.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from collections.abc import MutableMapping
from typing import Any, Final, Protocol, TextIO

__all__ = [
    "LOGGER_NAME",
    "FramedSink",
    "JsonFormatter",
    "LambdaLogHandler",
    "StreamSink",
    "TextFormatter",
    "configure_logging",
    "frame_type",
    "set_invocation",
]

LOGGER_NAME: Final = "streaming_runtime"
FORMAT_ENV: Final = "AWS_LAMBDA_LOG_FORMAT"
LEVEL_ENV: Final = "AWS_LAMBDA_LOG_LEVEL"
TELEMETRY_FD_ENV: Final = "_LAMBDA_TELEMETRY_LOG_FD"

_FRAME_BASE: Final = 0xA55A0002
_TEXT_BIT: Final = 0b1
_JSON_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
_TEXT_FORMAT: Final = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_TEXT_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"
#: LogRecord attributes that are not ``extra`` fields of the JSON document.
_RECORD_FIELDS: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "aws_request_id", "tenant_id", "taskName"}
)

_current: dict[str, str | None] = {"request_id": None, "tenant_id": None}


def set_invocation(request_id: str | None, tenant_id: str | None = None) -> None:
    """Make ``request_id`` (and ``tenant_id``) the ids stamped on every record from now on."""
    _current["request_id"] = request_id
    _current["tenant_id"] = tenant_id


def _level_step(levelno: int) -> int:
    """The record's level rounded down to a standard one (0, 10, ... 50), as the managed runtime does."""
    return min(50, max(0, levelno)) // 10 * 10


def frame_type(*, text: bool, levelno: int | None) -> bytes:
    """The 4 frame-type bytes for a record of ``levelno`` (``None``: no level) in text or JSON format."""
    step = 0 if levelno is None else _level_step(levelno)
    code = step // 10 + 1 if step else 0
    return (_FRAME_BASE | code << 2 | (_TEXT_BIT if text else 0)).to_bytes(4, "big")


def _utc(seconds: float | None) -> time.struct_time:
    return time.gmtime(seconds)


class _RequestIdFilter(logging.Filter):
    """Stamps ``aws_request_id`` ("" outside an invocation) and ``tenant_id`` on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _current["request_id"] or ""
        record.tenant_id = _current["tenant_id"]
        return True


class TextFormatter(logging.Formatter):
    """``[LEVEL]\\t<time>Z\\t<request id>\\t<message>\\n`` in UTC; a traceback follows on the next lines."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT, _TEXT_TIME_FORMAT)
        self.converter = _utc


class JsonFormatter(logging.Formatter):
    """One compact JSON object per record (the managed runtime's field names); ends with a newline."""

    def __init__(self) -> None:
        super().__init__(datefmt=_JSON_TIME_FORMAT)
        self.converter = _utc

    def format(self, record: logging.LogRecord) -> str:
        """The JSON document of ``record``; fields whose value is ``None`` are left out."""
        exc_info = record.exc_info
        level = logging.getLevelName(_level_step(record.levelno))
        doc: dict[str, Any] = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": level,
            "message": record.getMessage(),
            "logger": record.name,
        }
        if exc_info and exc_info[0] is not None:
            doc["stackTrace"] = traceback.format_tb(exc_info[2])
            doc["errorType"] = exc_info[0].__name__
            doc["errorMessage"] = str(exc_info[1])
        doc["requestId"] = getattr(record, "aws_request_id", None)
        if exc_info:
            doc["location"] = f"{record.pathname}:{record.funcName}:{record.lineno}"
        tenant = getattr(record, "tenant_id", None)
        if tenant is not None:
            doc["tenantId"] = tenant
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in doc and not key.startswith("_"):
                doc[key] = value
        return json.dumps({k: v for k, v in doc.items() if v is not None}, ensure_ascii=False, default=str) + "\n"


class Sink(Protocol):
    """Where formatted records go."""

    def write(self, message: str, frame: bytes) -> None: ...


class StreamSink:
    """Records as lines on a text stream (stdout by default); ``frame`` is ignored."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def write(self, message: str, frame: bytes) -> None:
        """Write ``message`` (newline-terminated) and flush."""
        stream = self._stream if self._stream is not None else sys.stdout
        stream.write(message if message.endswith("\n") else message + "\n")
        stream.flush()


class FramedSink:
    """Records as telemetry frames on a file descriptor (``_LAMBDA_TELEMETRY_LOG_FD``)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, message: str, frame: bytes) -> None:
        """Write one frame: type, length, timestamp (microseconds), message."""
        payload = message.encode("utf-8")
        data = memoryview(
            frame + len(payload).to_bytes(4, "big") + (time.time_ns() // 1000).to_bytes(8, "big") + payload
        )
        while data:
            data = data[os.write(self.fd, data) :]


class LambdaLogHandler(logging.Handler):
    """Formats each record and hands it to the sink with its frame type."""

    def __init__(self, sink: Sink, *, text: bool, level_frames: bool) -> None:
        super().__init__()
        self.sink = sink
        self._text = text
        self._level_frames = level_frames
        self.addFilter(_RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record``; a failure goes to ``logging``'s own error report (``handleError``)."""
        try:
            message = self.format(record)
            levelno = record.levelno if self._level_frames else None
            self.sink.write(message, frame_type(text=self._text, levelno=levelno))
        except Exception:
            self.handleError(record)


def _level(raw: str | None) -> str:
    value = (raw or "").upper()
    return "DEBUG" if value == "TRACE" else value


def configure_logging(environ: MutableMapping[str, str], stream: TextIO | None = None) -> logging.Logger:
    """Install the Lambda log handler on the root logger from ``environ``; returns the runtime's own logger.

    ``_LAMBDA_TELEMETRY_LOG_FD`` is removed from ``environ`` (so child processes do not write frames to it).
    ``stream`` replaces stdout when there is no telemetry descriptor (tests).
    """
    is_json = (environ.get(FORMAT_ENV) or "").upper() == "JSON"
    level = _level(environ.get(LEVEL_ENV))
    raw_fd = environ.pop(TELEMETRY_FD_ENV, None)
    sink: Sink = FramedSink(int(raw_fd)) if raw_fd and raw_fd.isdigit() else StreamSink(stream)
    handler = LambdaLogHandler(sink, text=not is_json, level_frames=is_json or bool(level))
    handler.setFormatter(JsonFormatter() if is_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, LambdaLogHandler)] + [handler]
    if level in logging.getLevelNamesMapping():
        root.setLevel(level)
    own = logging.getLogger(LOGGER_NAME)
    own.handlers.clear()
    own.propagate = True
    own.setLevel(logging.NOTSET)
    return own
