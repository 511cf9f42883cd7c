"""Root logger setup, JSON and text layouts, telemetry frames (no sockets).

Reference: aws/aws-lambda-python-runtime-interface-client, awslambdaric/bootstrap.py (``_setup_logging``,
``FramedTelemetryLogSink``) and awslambdaric/lambda_runtime_log_utils.py (``JsonFormatter``, frame types).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Iterator

import pytest

from streaming_runtime.logs import LOGGER_NAME, LambdaLogHandler, configure_logging, frame_type, set_invocation


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    own = logging.getLogger(LOGGER_NAME)
    saved = (list(root.handlers), root.level, list(own.handlers), own.level, own.propagate)
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    own.handlers[:], own.level, own.propagate = saved[2], saved[3], saved[4]
    set_invocation(None)


def _raise_and_log(logger: logging.Logger) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed\nbadly")


@pytest.mark.usefixtures("restore_logging")
def test_json_format_on_the_root_logger_stamps_the_request_id_on_library_records() -> None:
    out = io.StringIO()
    env = {"AWS_LAMBDA_LOG_FORMAT": "json", "AWS_LAMBDA_LOG_LEVEL": "INFO"}
    configure_logging(env, stream=out)
    set_invocation("req-1", "tenant-9")
    library = logging.getLogger("some.library")
    library.debug("hidden")
    library.info("hello %s", "world", extra={"route": "/"})
    _raise_and_log(library)
    logging.getLogger(LOGGER_NAME).warning("runtime line")

    first, second, third = (json.loads(line) for line in out.getvalue().splitlines())
    assert list(first) == ["timestamp", "level", "message", "logger", "requestId", "tenantId", "route"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["timestamp"])
    assert (first["level"], first["message"], first["logger"]) == ("INFO", "hello world", "some.library")
    assert (first["requestId"], first["tenantId"], first["route"]) == ("req-1", "tenant-9", "/")
    assert (second["level"], second["message"]) == ("ERROR", "failed\nbadly")
    assert (second["errorType"], second["errorMessage"]) == ("ValueError", "boom")
    assert isinstance(second["stackTrace"], list)
    assert "_raise_and_log" in "".join(second["stackTrace"])
    assert re.fullmatch(r".*test_logs\.py:_raise_and_log:\d+", second["location"])
    assert (third["level"], third["logger"], third["requestId"]) == ("WARNING", LOGGER_NAME, "req-1")


@pytest.mark.usefixtures("restore_logging")
def test_text_format_is_the_managed_runtime_layout_and_the_default_level_stays_warning() -> None:
    out = io.StringIO()
    configure_logging({}, stream=out)
    set_invocation("req-2")
    logging.getLogger("lib").info("hidden: no AWS_LAMBDA_LOG_LEVEL means Python's default WARNING")
    logging.getLogger("lib").warning("careful")
    assert re.fullmatch(r"\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-2\tcareful\n", out.getvalue())


@pytest.mark.parametrize(("raw", "level"), [("TRACE", logging.DEBUG), ("warn", logging.WARNING), ("FATAL", 50)])
@pytest.mark.usefixtures("restore_logging")
def test_log_level_names_lambda_uses(raw: str, level: int) -> None:
    configure_logging({"AWS_LAMBDA_LOG_LEVEL": raw}, stream=io.StringIO())
    assert logging.getLogger().level == level


@pytest.mark.parametrize(
    ("text", "levelno", "value"),
    [
        (True, None, 0xA55A0003),
        (False, None, 0xA55A0002),
        (False, logging.DEBUG, 0xA55A000A),
        (False, logging.INFO, 0xA55A000E),
        (False, logging.WARNING, 0xA55A0012),
        (False, logging.ERROR, 0xA55A0016),
        (False, logging.CRITICAL, 0xA55A001A),
        (True, logging.DEBUG, 0xA55A000B),
        (True, logging.INFO, 0xA55A000F),
        (True, logging.WARNING, 0xA55A0013),
        (True, logging.ERROR, 0xA55A0017),
        (True, logging.CRITICAL, 0xA55A001B),
        (True, 5, 0xA55A0003),  # below DEBUG: no level code
        (True, 35, 0xA55A0013),  # a custom level rounds down to a standard one
        (True, 99, 0xA55A001B),
    ],
)
def test_frame_types(text: bool, levelno: int | None, value: int) -> None:
    assert frame_type(text=text, levelno=levelno) == value.to_bytes(4, "big")


def _frames(data: bytes) -> list[tuple[int, int, bytes]]:
    frames = []
    while data:
        kind, length, micros = int.from_bytes(data[:4]), int.from_bytes(data[4:8]), int.from_bytes(data[8:16])
        frames.append((kind, micros, data[16 : 16 + length]))
        data = data[16 + length :]
    return frames


@pytest.mark.usefixtures("restore_logging")
def test_telemetry_fd_gets_one_frame_per_record_and_is_removed_from_the_environment() -> None:
    read_end, write_end = os.pipe()
    try:
        env = {"_LAMBDA_TELEMETRY_LOG_FD": str(write_end), "AWS_LAMBDA_LOG_FORMAT": "Text"}
        env["AWS_LAMBDA_LOG_LEVEL"] = "INFO"
        configure_logging(env, stream=io.StringIO())
        assert "_LAMBDA_TELEMETRY_LOG_FD" not in env
        set_invocation("req-3")
        _raise_and_log(logging.getLogger("lib"))
        logging.getLogger("lib").info("ünïcode")
        for handler in logging.getLogger().handlers:
            if isinstance(handler, LambdaLogHandler):
                logging.getLogger().removeHandler(handler)
        os.close(write_end)
        data = b""
        while chunk := os.read(read_end, 65536):
            data += chunk
    finally:
        os.close(read_end)

    (error_kind, micros, error_text), (info_kind, _, info_text) = _frames(data)
    assert (error_kind, info_kind) == (0xA55A0017, 0xA55A000F)
    assert micros > 1_600_000_000_000_000  # microseconds since the epoch
    message = error_text.decode("utf-8")
    assert message.startswith("[ERROR]\t")
    assert "\treq-3\tfailed\nbadly\nTraceback (most recent call last):" in message
    assert message.rstrip().endswith("ValueError: boom")  # the whole traceback in the one frame
    assert info_text.decode("utf-8").endswith("\treq-3\tünïcode\n")
