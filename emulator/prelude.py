"""Incremental parser for the HTTP-integration response prelude (JSON + 8 NUL bytes) of streamed responses.

Format per docs/lambda-streaming.md, "HTTP integration prelude" (AWS API Gateway developer guide,
response-transfer-mode-lambda.html#response-transfer-mode-lambda-format): a UTF-8 JSON object with the optional
keys ``statusCode``, ``headers`` and ``cookies``, then exactly 8 bytes 0x00, then the raw body. API Gateway requires
the delimiter within the first 16 KB; the emulator applies the same window to Function URLs. The prelude may be split
across any number of chunks (the Node RIC sends JSON and NULs as two chunks). Pure, no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = ["DELIMITER", "INTEGRATION_CONTENT_TYPE", "PRELUDE_WINDOW", "Prelude", "PreludeError", "PreludeParser"]

INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response"
DELIMITER = b"\x00" * 8
PRELUDE_WINDOW = 16 * 1024


class PreludeError(Exception):
    """The prelude is missing, too long or not the documented JSON object."""


@dataclass(frozen=True, slots=True)
class Prelude:
    """The decoded prelude: status code, single-valued headers (names as sent) and Set-Cookie values."""

    status_code: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    cookies: tuple[str, ...] = ()
    extra_keys: tuple[str, ...] = field(default=())


def _header_value(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PreludeError(f"prelude header {name!r} must be a string, got {type(value).__name__}")
    return str(value)


def decode_prelude(raw: bytes) -> Prelude:
    """Decode the JSON part of a prelude (without the delimiter)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PreludeError(f"prelude is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise PreludeError(f"prelude must be a JSON object, got {type(doc).__name__}")
    status = doc.get("statusCode", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise PreludeError(f"prelude statusCode must be an integer 100-599, got {status!r}")
    headers_doc = doc.get("headers") or {}
    if not isinstance(headers_doc, dict):
        raise PreludeError("prelude headers must be a JSON object of strings")
    headers = tuple((str(k), _header_value(str(k), v)) for k, v in headers_doc.items() if v is not None)
    for name, value in headers:
        if any(c in name + value for c in "\r\n\x00") or not name:
            raise PreludeError(f"prelude header {name!r} contains a forbidden character")
    cookies_doc = doc.get("cookies") or []
    if not isinstance(cookies_doc, list) or not all(isinstance(c, str) for c in cookies_doc):
        raise PreludeError("prelude cookies must be a JSON array of strings")
    if any(c in cookie for cookie in cookies_doc for c in "\r\n\x00"):
        raise PreludeError("prelude cookie contains a forbidden character")
    extra = tuple(sorted(set(doc) - {"statusCode", "headers", "cookies"}))
    return Prelude(status_code=status, headers=headers, cookies=tuple(cookies_doc), extra_keys=extra)


class PreludeParser:
    """Feed body pieces until the prelude is complete; then ``prelude`` is set and ``feed`` returns the body bytes.

    ``feed`` returns the body bytes found after the delimiter (possibly empty) once the prelude is complete, else
    None. Raises ``PreludeError`` when the delimiter is not within ``window`` bytes or the JSON is invalid.
    """

    def __init__(self, *, window: int = PRELUDE_WINDOW) -> None:
        self._window = window
        self._buffer = bytearray()
        self.prelude: Prelude | None = None

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the delimiter."""
        return len(self._buffer)

    def feed(self, data: bytes) -> bytes | None:
        """Add ``data``; the body bytes after the prelude once it is complete, else None."""
        if self.prelude is not None:
            return data
        self._buffer += data
        index = self._buffer.find(DELIMITER)
        if index < 0:
            if len(self._buffer) > self._window + len(DELIMITER):
                raise PreludeError(f"no 8-NUL prelude delimiter within the first {self._window} bytes")
            return None
        if index > self._window:
            raise PreludeError(f"prelude longer than {self._window} bytes")
        self.prelude = decode_prelude(bytes(self._buffer[:index]))
        rest = bytes(self._buffer[index + len(DELIMITER) :])
        self._buffer.clear()
        return rest
