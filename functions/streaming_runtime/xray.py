"""The X-Ray error cause sent with ``/error`` when the invocation is traced.

Lambda puts the value of the ``Lambda-Runtime-Function-XRay-Error-Cause`` request header into the ``cause`` of the
invocation's X-Ray segment. The document has the shape the managed Python runtime sends (``make_xray_fault`` in
aws/aws-lambda-python-runtime-interface-client, awslambdaric/bootstrap.py, posted by the aws-lambda-cpp patch
deps/patches/aws-lambda-cpp-add-xray-response.patch)::

    {"working_directory": <cwd>,
     "exceptions": [{"message": <str>, "type": <class name>, "stack": [{"label", "path", "line"}, ...]}],
     "paths": [<each file of the stack once>]}

A runtime fault (the runtime refused the function's output or input) is reported as type ``LambdaValidationError``
with an empty stack, as that runtime does. Frames of this package at the top of the traceback (the loop that called
the handler) are left out, so the stack starts in the function's code. A cause of 1 MiB or more is not sent.
"""

from __future__ import annotations

import json
import os
import traceback
from typing import Any, Final

from streaming_runtime.errors import ErrorReport, RuntimeFault

__all__ = ["MAX_CAUSE_BYTES", "XRAY_ERROR_CAUSE", "error_cause"]

XRAY_ERROR_CAUSE: Final = "Lambda-Runtime-Function-XRay-Error-Cause"
MAX_CAUSE_BYTES: Final = 1024 * 1024
_VALIDATION_TYPE: Final = "LambdaValidationError"
_OWN_DIR: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _frames(exc: BaseException) -> list[traceback.FrameSummary]:
    frames = list(traceback.extract_tb(exc.__traceback__))
    for index, frame in enumerate(frames):
        if not os.path.abspath(frame.filename).startswith(_OWN_DIR):
            return frames[index:]
    return frames


def error_cause(exc: BaseException, report: ErrorReport, working_directory: str | None = None) -> str | None:
    """The header value (compact, ASCII-only JSON) describing ``exc``; ``None`` when it would reach 1 MiB."""
    stack: list[dict[str, Any]] = []
    paths: dict[str, None] = {}
    error_type = _VALIDATION_TYPE
    if not isinstance(exc, RuntimeFault):
        error_type = type(exc).__name__
        for frame in _frames(exc):
            stack.append({"label": frame.name, "path": frame.filename, "line": frame.lineno})
            paths.setdefault(frame.filename, None)
    doc = {
        "working_directory": working_directory if working_directory is not None else os.getcwd(),
        "exceptions": [{"message": report.message, "type": error_type, "stack": stack}],
        "paths": list(paths),
    }
    # ASCII-only: a header value must be one line of latin-1; JSON escapes keep it equal in meaning.
    value = json.dumps(doc, separators=(",", ":"), ensure_ascii=True, default=str)
    return value if len(value) < MAX_CAUSE_BYTES else None
