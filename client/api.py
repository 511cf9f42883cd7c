"""HTTP access to a bedrock-stream endpoint with httpx: streamed completions, the model list, error mapping.

Error semantics follow README.md ("Errors"): before the first body byte the endpoint answers
with a real HTTP status and a JSON body ``{"error": {"type", "message", ...}}`` (429 with ``Retry-After``); after
it, failures are in-band events. Signing uses ``client.auth.FunctionUrlAuth`` unless the URL is loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from client.auth import FunctionUrlAuth
from client.errors import ClientError, ConnectError, HTTPStatusError, TruncatedStreamError
from client.readers import MEDIA_TYPES
from client.urls import is_local_url, join_url, normalize_base_url

__all__ = ["API_KEY_HEADER", "CompletionRequest", "Endpoint", "error_from_response", "model_ids"]

API_KEY_HEADER = "x-api-key"
"""Where API Gateway reads an API key (``apiKeySourceType: HEADER``; api-gateway-api-usage-plans.html)."""
_DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=30.0, pool=10.0)


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """A native-route request (``POST /``). ``None`` fields are left to the server's defaults."""

    prompt: str | None = None
    messages: tuple[dict[str, Any], ...] = ()
    model: str | None = None
    system: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None

    def body(self, *, stream: bool) -> dict[str, Any]:
        """The JSON body."""
        body: dict[str, Any] = {"messages": list(self.messages)} if self.messages else {"prompt": self.prompt}
        optional = {
            "model": self.model,
            "system": self.system,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        body["stream"] = stream
        return body


def _retry_after(response: httpx.Response, error: dict[str, Any]) -> int | None:
    value = response.headers.get("retry-after", error.get("retry_after"))
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def error_from_response(response: httpx.Response) -> HTTPStatusError:
    """The ``HTTPStatusError`` for an error response whose body has been read."""
    message = response.reason_phrase or "error"
    error_type: str | None = None
    error: dict[str, Any] = {}
    try:
        doc = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        error = doc["error"]
        message = str(error.get("message", message))
        error_type = str(error["type"]) if "type" in error else None
    elif isinstance(doc, dict) and isinstance(doc.get("message"), str):  # AWS front-door errors ({"Message": ...})
        message = doc["message"]
    elif isinstance(doc, dict) and isinstance(doc.get("Message"), str):
        message = doc["Message"]
    elif response.content.strip():
        message = response.content.decode("utf-8", errors="replace").strip()[:500]
    return HTTPStatusError(
        message, status_code=response.status_code, error_type=error_type, retry_after=_retry_after(response, error)
    )


class Endpoint:
    """One bedrock-stream deployment (or the local emulator) and an httpx client for it.

    ``auth``: default signs with ``FunctionUrlAuth(region, profile)`` unless the URL is loopback; pass
    ``auth=None`` explicitly via ``signed=False`` to send unsigned requests. ``api_key``: send it as ``x-api-key``
    (``authType: "API_KEY"`` takes it there or as a Bearer token; the API Gateway front door only there) and do not
    sign unless ``signed=True``.
    """

    def __init__(
        self,
        url: str,
        *,
        region: str | None = None,
        profile: str | None = None,
        signed: bool | None = None,
        timeout: httpx.Timeout | float | None = None,
        api_key: str | None = None,
    ) -> None:
        self.url = normalize_base_url(url)
        self.signed = not is_local_url(self.url) and api_key is None if signed is None else signed
        auth = FunctionUrlAuth(region=region, profile=profile) if self.signed else None
        headers = {API_KEY_HEADER: api_key} if api_key is not None else None  # API_KEY mode, API Gateway
        timeout = timeout if timeout is not None else _DEFAULT_TIMEOUT
        self._client = httpx.Client(auth=auth, timeout=timeout, headers=headers)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _send(self, request: httpx.Request) -> Iterator[httpx.Response]:
        try:
            response = self._client.send(request, stream=True)
        except httpx.ConnectError as exc:
            hint = " (is `make dev` running?)" if not self.signed and is_local_url(self.url) else ""
            raise ConnectError(f"cannot connect to {self.url}: {exc}{hint}") from exc
        except httpx.TimeoutException as exc:
            raise ConnectError(f"timed out waiting for {self.url}: {exc}") from exc
        except httpx.TransportError as exc:
            raise ConnectError(f"request to {self.url} failed: {exc}") from exc
        try:
            if response.status_code >= 400:
                response.read()
                raise error_from_response(response)
            yield response
        finally:
            response.close()

    @contextmanager
    def stream(self, request: CompletionRequest, fmt: str = "sse") -> Iterator[Iterator[bytes]]:
        """Send a completion request; yields an iterator of raw body chunks as they arrive.

        Raises ``HTTPStatusError`` for an error status, ``ConnectError`` when unreachable; iterating raises
        ``TruncatedStreamError`` when the transfer breaks.
        """
        body = json.dumps(request.body(stream=fmt != "json"), ensure_ascii=False).encode()
        http_request = self._client.build_request(
            "POST",
            join_url(self.url, "/"),
            content=body,
            headers={"content-type": "application/json", "accept": MEDIA_TYPES[fmt]},
        )
        with self._send(http_request) as response:
            yield _raw_chunks(response)

    def models(self) -> dict[str, Any]:
        """``GET /models`` as JSON."""
        with self._send(self._client.build_request("GET", join_url(self.url, "/models"))) as response:
            response.read()
            try:
                doc = response.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ClientError(f"GET /models did not return JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise ClientError("GET /models did not return a JSON object")
        return doc


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_raw()
    except httpx.RemoteProtocolError as exc:
        raise TruncatedStreamError(f"the stream broke off: {exc}") from exc
    except httpx.ReadTimeout as exc:
        raise TruncatedStreamError(f"no data for too long, gave up: {exc}") from exc
    except httpx.TransportError as exc:
        raise TruncatedStreamError(f"the stream failed: {exc}") from exc


def model_ids(doc: dict[str, Any]) -> tuple[list[str], str | None]:
    """Model ids and the default model from a ``GET /models`` document (``{"default_model", "models"}``)."""
    items = doc.get("models")
    ids = [item for item in items if isinstance(item, str)] if isinstance(items, list) else []
    default = doc.get("default_model")
    return ids, default if isinstance(default, str) else None
