"""OpenAI content parts (``image_url``, ``file``) -> Converse ``image`` / ``document`` blocks, within Bedrock's limits.

Shared by the OpenAI-compatible routes. Follows the OpenAI API reference (``ChatCompletionContentPartImage``:
``image_url.url`` and ``detail``; ``File``: ``file.file_data``, ``file.filename``, ``file.file_id``) and the Converse
API reference (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ImageBlock.html and
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_DocumentBlock.html): an image is at most
3.75 MB and a request holds at most 20; a document is at most 4.5 MB and a request holds at most 5; both belong in
user messages only. Bedrock needs the bytes: ``data:`` URLs (base64) are decoded here, ``http(s)`` URLs and file ids
are refused with a 400 (the function never fetches anything on a caller's behalf).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from bedrock_stream.errors import InvalidRequestError

__all__ = [
    "MAX_DOCUMENTS",
    "MAX_DOCUMENT_BYTES",
    "MAX_IMAGES",
    "MAX_IMAGE_BYTES",
    "Attachments",
    "DataUrl",
    "parse_data_url",
]

MAX_IMAGES = 20
MAX_IMAGE_BYTES = 3_932_160  # 3.75 MB
MAX_DOCUMENTS = 5
MAX_DOCUMENT_BYTES = 4_718_592  # 4.5 MB

IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}
"""Media type -> Converse ``ImageFormat``."""

DOCUMENT_FORMATS = {
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/csv": "csv",
    "text/html": "html",
}
"""Media type -> Converse ``DocumentFormat`` (PDF and text documents)."""

_EXTENSIONS = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "html": "text/html",
}
_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^;,]*)*?);base64,(?P<data>.*)", re.DOTALL)
_NAME_BAD = re.compile(r"[^A-Za-z0-9()\[\]\- ]+")


@dataclass(frozen=True, slots=True)
class DataUrl:
    """A decoded ``data:<media type>;base64,<data>`` URL."""

    media_type: str
    data: bytes


def parse_data_url(url: str, *, field: str) -> DataUrl:
    """Decode a base64 ``data:`` URL; 400 (naming ``field``) for anything else, remote URLs included."""
    if re.match(r"https?://", url, re.IGNORECASE):
        raise InvalidRequestError(
            "remote URLs are not fetched: send the content inline as a base64 data: URL", field=field
        )
    found = _DATA_URL.fullmatch(url.strip())
    if found is None:
        raise InvalidRequestError("expected a data:<media type>;base64,<data> URL", field=field)
    try:
        data = base64.b64decode(found["data"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequestError("the data: URL is not valid base64", field=field) from None
    return DataUrl((found["mime"] or "").lower(), data)


@dataclass
class Attachments:
    """Images and documents of one request: builds their blocks and enforces Bedrock's per-request limits."""

    images: int = 0
    documents: int = 0
    _names: set[str] = field(default_factory=set)

    def image(self, part: dict[str, Any], *, role: str, field: str) -> dict[str, Any]:
        """An ``image_url`` part -> a Converse ``image`` block."""
        self._user_only(role, "image", field)
        url = parse_data_url(part["image_url"]["url"], field=f"{field}.image_url.url")
        fmt = IMAGE_FORMATS.get(url.media_type)
        if fmt is None:
            known = ", ".join(sorted(IMAGE_FORMATS))
            raise InvalidRequestError(
                f"image type {url.media_type or '(none)'!r} is not supported; use {known}",
                field=f"{field}.image_url.url",
            )
        self.images += 1
        if self.images > MAX_IMAGES:
            raise InvalidRequestError(f"at most {MAX_IMAGES} images per request", field=field)
        _check_size(url.data, MAX_IMAGE_BYTES, "3.75 MB", f"{field}.image_url.url")
        return {"image": {"format": fmt, "source": {"bytes": url.data}}}

    def document(self, part: dict[str, Any], *, role: str, field: str) -> dict[str, Any]:
        """A ``file`` part (PDF or text as a data: URL or bare base64) -> a Converse ``document`` block."""
        self._user_only(role, "file", field)
        file = part["file"]
        if "file_data" not in file:
            raise InvalidRequestError(
                "file ids are not supported (there is no Files API here): send file_data", field=f"{field}.file"
            )
        where = f"{field}.file.file_data"
        filename = file.get("filename") or ""
        data_text: str = file["file_data"]
        if data_text.startswith("data:") or "://" in data_text:
            url = parse_data_url(data_text, field=where)
        else:
            url = parse_data_url(f"data:;base64,{data_text}", field=where)
        media_type = url.media_type or _EXTENSIONS.get(filename.rpartition(".")[2].lower(), "")
        fmt = DOCUMENT_FORMATS.get(media_type)
        if fmt is None:
            known = ", ".join(sorted(DOCUMENT_FORMATS))
            raise InvalidRequestError(
                f"file type {media_type or '(unknown: give a media type or a filename)'!r} is not supported; "
                f"use {known}",
                field=where,
            )
        if not url.data:
            raise InvalidRequestError("the file is empty", field=where)
        self.documents += 1
        if self.documents > MAX_DOCUMENTS:
            raise InvalidRequestError(f"at most {MAX_DOCUMENTS} documents per request", field=field)
        _check_size(url.data, MAX_DOCUMENT_BYTES, "4.5 MB", where)
        return {"document": {"format": fmt, "name": self._name(filename), "source": {"bytes": url.data}}}

    def _name(self, filename: str) -> str:
        """A unique Converse document name (letters, digits, single spaces, hyphens, parentheses, brackets)."""
        stem = filename.rpartition(".")[0] or filename
        name = " ".join(_NAME_BAD.sub(" ", stem).split())[:200] or f"document-{self.documents}"
        base, n = name, 1
        while name in self._names:
            n += 1
            name = f"{base} ({n})"
        self._names.add(name)
        return name

    @staticmethod
    def _user_only(role: str, kind: str, field: str) -> None:
        if role != "user":
            raise InvalidRequestError(f"{kind} parts belong in user messages (Bedrock's rule)", field=field)


def _check_size(data: bytes, limit: int, shown: str, field: str) -> None:
    if len(data) > limit:
        raise InvalidRequestError(f"{len(data)} bytes is over Bedrock's {shown} limit", field=field)
