"""Pure byte framing of a streamed Runtime API response: chunks, terminator, error trailers, HTTP prelude.

Follows the AWS Lambda developer guide, runtimes-custom.html#runtimes-custom-response-streaming, and RFC 9112 §7.1
(chunked transfer coding); the prelude follows apigateway response-transfer-mode-lambda.html and the Node.js RIC's
``HttpResponseStream``. No sockets here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = [
    "ERROR_BODY_TRAILER",
    "ERROR_TYPE_TRAILER",
    "PRELUDE_DELIMITER",
    "TERMINATOR",
    "TRAILER_ANNOUNCEMENT",
    "chunk",
    "encode_error_body",
    "failed_terminator",
    "header_value",
    "prelude",
]

ERROR_TYPE_TRAILER: Final = "Lambda-Runtime-Function-Error-Type"
ERROR_BODY_TRAILER: Final = "Lambda-Runtime-Function-Error-Body"
#: Value of the ``Trailer`` request header announcing both error trailers.
TRAILER_ANNOUNCEMENT: Final = f"{ERROR_TYPE_TRAILER}, {ERROR_BODY_TRAILER}"
#: Last chunk of a successful body: zero size, no trailers, empty line.
TERMINATOR: Final = b"0\r\n\r\n"
#: The 8 NUL bytes that end the HTTP integration prelude.
PRELUDE_DELIMITER: Final = b"\x00" * 8

_TYPE_PREFIX: Final = b"0\r\n" + ERROR_TYPE_TRAILER.encode("ascii") + b": "
_BODY_PREFIX: Final = b"\r\n" + ERROR_BODY_TRAILER.encode("ascii") + b": "
_END: Final = b"\r\n\r\n"


def chunk(data: bytes) -> bytes:
    """One HTTP chunk: ``<hex size>\\r\\n<data>\\r\\n``. Empty data is refused: a zero-size chunk ends the body."""
    size = len(data)
    if not size:
        raise ValueError("a data chunk must not be empty (the zero-size chunk is the terminator)")
    return b"%x\r\n%b\r\n" % (size, data)


def header_value(text: str) -> str:
    """``text`` made a legal one-line header value: control characters, DEL and non-ASCII are %-escaped."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch if " " <= ch <= "~" else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in text)


def encode_error_body(payload: Mapping[str, Any]) -> str:
    """Standard padded base64 of the compact JSON ``payload`` (value of the error-body trailer)."""
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
    return base64.b64encode(raw).decode("ascii")


def failed_terminator(error_type: str, error_body: str) -> bytes:
    """The last chunk of a failed body: ``0\\r\\n``, both error trailers (sanitized), then the empty line."""
    return (
        _TYPE_PREFIX
        + header_value(error_type).encode("ascii")
        + _BODY_PREFIX
        + header_value(error_body).encode("ascii")
        + _END
    )


def prelude(status_code: int, headers: Mapping[str, str], cookies: Sequence[str]) -> bytes:
    """The HTTP integration prelude: compact JSON ``{statusCode, headers, cookies}`` followed by 8 NUL bytes.

    The JSON is ASCII (``ensure_ascii``), so it can hold no raw NUL byte. Raises ``TypeError``/``ValueError`` for
    values that are not JSON-serializable strings and integers.
    """
    if isinstance(status_code, bool) or not isinstance(status_code, int):
        raise TypeError(f"status_code must be an int, got {type(status_code).__name__}")
    if isinstance(cookies, str):
        raise TypeError("cookies must be a sequence of Set-Cookie strings, not a single str")
    header_map = dict(headers)
    cookie_list = list(cookies)
    for name, value in header_map.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"header names and values must be str, got {name!r}: {value!r}")
    for cookie in cookie_list:
        if not isinstance(cookie, str):
            raise TypeError(f"cookies must be str, got {cookie!r}")
    doc = {"statusCode": status_code, "headers": header_map, "cookies": cookie_list}
    return json.dumps(doc, separators=(",", ":")).encode("ascii") + PRELUDE_DELIMITER
