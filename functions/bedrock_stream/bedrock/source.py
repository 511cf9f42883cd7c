"""The boto3-backed :class:`~bedrock_stream.chat.BedrockSource`: ConverseStream and InvokeModelWithResponseStream.

How botocore consumes a stream (botocore/eventstream.py, boto/botocore): boto3 returns once the
response headers are in (an HTTP error status raises right there), and reads the body only while it is iterated.
So :meth:`BotoBedrockSource.converse` and :meth:`BotoBedrockSource.invoke` raise :class:`UpstreamError` (or a
RequestError) synchronously, and the :class:`BedrockEventStream` they return is lazy.

Completeness: botocore silently ignores a truncated final frame, so the stream itself checks that the
terminal event arrived (``metadata`` for ConverseStream; the chunk with ``amazon-bedrock-invocationMetrics`` for
invoke, or a guardrail intervention followed by a clean end of body) and raises ``MidStreamError(code="truncated")``
otherwise. Closing the stream early is not an error.

Opaque model ARNs (application inference profiles, provisioned throughput, ...) reveal no family: unless a
``family_hints`` entry names it, :meth:`invoke` reads the first event before returning and sniffs the format;
an unrecognizable one raises :class:`UnsupportedModelError` while the caller can still answer with a status.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from bedrock_stream.bedrock.call_budget import restore_read_timeout, within_budget
from bedrock_stream.bedrock.client import BedrockRuntimeClient
from bedrock_stream.bedrock.converse_events import ConverseEventMapper
from bedrock_stream.bedrock.converse_request import GuardrailConfig, StreamProcessingMode, build_converse_params
from bedrock_stream.bedrock.decoders import InvokeDecoder
from bedrock_stream.bedrock.error_mapping import mid_stream_error, truncated_error, upstream_error
from bedrock_stream.bedrock.families import ModelFamily, UnsupportedModelError
from bedrock_stream.bedrock.registry import decoder_for, parse_model_id, resolve_family, sniff_family
from bedrock_stream.chat import CallBudget, ChatRequest
from bedrock_stream.errors import AppError, MidStreamError
from bedrock_stream.events import BedrockEvent
from bedrock_stream.settings import Settings

__all__ = ["BedrockEventStream", "BotoBedrockSource"]

CONVERSE = "ConverseStream"
INVOKE = "InvokeModelWithResponseStream"
COUNT_TOKENS = "CountTokens"
_COUNTED = ("messages", "system", "toolConfig", "additionalModelRequestFields")
"""The Converse request members CountTokens' ``ConverseTokensRequest`` takes (no inference config, no guardrail)."""


class BedrockEventStream:
    """One open Bedrock stream. Iterate once for normalized events; :meth:`close` releases the connection.

    Iteration raises :class:`MidStreamError` when the stream breaks or ends without its terminal event.
    ``at_end`` gives the events owed when the body ended cleanly (it may complete the stream, e.g. after a
    guardrail intervention on invoke, which has no invocation metrics).
    """

    def __init__(
        self,
        raw: Any,
        translate: Callable[[Mapping[str, Any]], list[BedrockEvent]],
        is_complete: Callable[[], bool],
        *,
        model_id: str,
        operation: str,
        terminal: str,
        pending: Iterable[BedrockEvent] = (),
        at_end: Callable[[], list[BedrockEvent]] = list,
    ) -> None:
        self._raw = raw
        self._translate = translate
        self._at_end = at_end
        self._is_complete = is_complete
        self._model_id = model_id
        self._operation = operation
        self._terminal = terminal
        self._pending = list(pending)
        self._closed = False
        self._started = False
        self.request_id: str | None = None
        """Bedrock's ``x-amzn-RequestId`` of this call, for logs."""

    def __iter__(self) -> Iterator[BedrockEvent]:
        if self._started:
            raise RuntimeError("a Bedrock event stream can be iterated only once")
        self._started = True
        return self._events()

    def _events(self) -> Iterator[BedrockEvent]:
        try:
            yield from self._pending
            self._pending.clear()
            for raw_event in self._raw_events():
                yield from self._translate(raw_event)
            if not self._closed:
                yield from self._at_end()
            if not self._closed and not self._is_complete():
                raise truncated_error(model_id=self._model_id, operation=self._operation, expected=self._terminal)
        finally:
            self.close()

    def _raw_events(self) -> Iterator[Mapping[str, Any]]:
        iterator = iter(self._raw)
        while not self._closed:
            try:
                raw_event = next(iterator)
            except StopIteration:
                return
            except AppError:
                raise
            except Exception as exc:
                if self.closed:
                    return  # reading after our own close(): not a stream failure
                raise mid_stream_error(exc, model_id=self._model_id, operation=self._operation) from exc
            yield raw_event

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran (or iteration ended)."""
        return self._closed

    def close(self) -> None:
        """Release the HTTP connection; safe to call more than once and mid-iteration."""
        if not self._closed:
            self._closed = True
            _interrupt_reads(self._raw)
            self._raw.close()


class BotoBedrockSource:
    """:class:`~bedrock_stream.chat.BedrockSource` over an injected boto3 ``bedrock-runtime`` client."""

    def __init__(
        self,
        client: BedrockRuntimeClient,
        *,
        guardrail: GuardrailConfig | None = None,
        family_hints: Mapping[str, ModelFamily] | None = None,
    ) -> None:
        self._client = client
        self._guardrail = guardrail
        self._hints: dict[str, ModelFamily] = dict(family_hints or {})

    @classmethod
    def from_settings(
        cls,
        client: BedrockRuntimeClient,
        settings: Settings,
        *,
        guardrail_stream_mode: StreamProcessingMode = "sync",
        family_hints: Mapping[str, ModelFamily] | None = None,
    ) -> BotoBedrockSource:
        """The source for a deployment: the settings' guardrail (if any) applies to every call."""
        guardrail = GuardrailConfig.from_settings(settings, stream_processing_mode=guardrail_stream_mode)
        return cls(client, guardrail=guardrail, family_hints=family_hints)

    def converse(self, request: ChatRequest, *, budget: CallBudget | None = None) -> BedrockEventStream:
        """Start ConverseStream; raises UpstreamError (or InvalidRequestError) before returning if refused.

        ``budget`` bounds the wait for the response headers, retries included (see ``call_budget``); a call it
        cannot hold raises a 504 ``DeadlineError``.
        """
        params = build_converse_params(request, guardrail=self._guardrail)
        response = self._call(
            self._client.converse_stream, params, model_id=request.model, operation=CONVERSE, budget=budget
        )
        if budget is not None:
            self._restore_read_timeout(response["stream"])
        mapper = ConverseEventMapper()
        stream = BedrockEventStream(
            response["stream"],
            mapper.map,
            lambda: mapper.complete,
            model_id=request.model,
            operation=CONVERSE,
            terminal="metadata",
        )
        stream.request_id = _request_id(response)
        return stream

    def count_tokens(self, request: ChatRequest) -> int:
        """CountTokens for the Converse form of ``request`` (API reference: API_runtime_CountTokens.html).

        CountTokens takes a foundation model id, so an inference profile's prefix is dropped (``us.x`` -> ``x``);
        raises UpstreamError when Bedrock refuses (e.g. ValidationException for a model it cannot count for).
        """
        params = build_converse_params(request)
        converse = {key: params[key] for key in _COUNTED if key in params}
        model_id = parse_model_id(request.model).base_id or request.model
        call = {"modelId": model_id, "input": {"converse": converse}}
        response = self._call(self._client.count_tokens, call, model_id=model_id, operation=COUNT_TOKENS)
        tokens = response.get("inputTokens")
        if not isinstance(tokens, int):
            raise MidStreamError(f"Bedrock's {COUNT_TOKENS} answer has no inputTokens", code="InvalidResponse")
        return tokens

    def invoke(
        self,
        model_id: str,
        body: bytes,
        *,
        content_type: str = "application/json",
        budget: CallBudget | None = None,
    ) -> BedrockEventStream:
        """Start InvokeModelWithResponseStream with a native body; decode the chunks per model family.

        Raises UnsupportedModelError (before calling Bedrock) for a model without a decoder, UpstreamError if
        Bedrock refuses the call; ``budget`` as for :meth:`converse`.
        """
        family = resolve_family(model_id, self._hints)
        params: dict[str, Any] = {
            "modelId": model_id,
            "body": body,
            "contentType": content_type,
            "accept": "application/json",
        }
        if self._guardrail is not None:
            params["guardrailIdentifier"] = self._guardrail.identifier
            params["guardrailVersion"] = self._guardrail.version
        response = self._call(
            self._client.invoke_model_with_response_stream, params, model_id=model_id, operation=INVOKE, budget=budget
        )
        raw = response["body"]
        decoders: list[InvokeDecoder] = []
        if family is not None:
            decoders.append(decoder_for(family))

        def translate(event: Mapping[str, Any]) -> list[BedrockEvent]:
            chunk = _chunk_json(event, model_id=model_id)
            if chunk is None:
                return []
            if not decoders:
                sniffed = sniff_family(chunk)
                if sniffed is None:
                    raise UnsupportedModelError(
                        f"The stream format of model {model_id!r} is not one this function can decode; "
                        "configure the model's family explicitly",
                        model_id=model_id,
                    )
                decoders.append(decoder_for(sniffed))
            return decoders[0].feed(chunk)

        events: Any = raw
        pending: list[BedrockEvent] = []
        if family is None:
            with within_budget(budget):  # the first event is read before returning: still the pre-stream wait
                events, pending = _sniff_first(raw, translate, model_id=model_id)
        if budget is not None:
            self._restore_read_timeout(raw)
        stream = BedrockEventStream(
            events,
            translate,
            lambda: bool(decoders) and decoders[0].complete,
            model_id=model_id,
            operation=INVOKE,
            terminal="amazon-bedrock-invocationMetrics",
            pending=pending,
            at_end=lambda: decoders[0].end_of_stream() if decoders else [],
        )
        stream.request_id = _request_id(response)
        return stream

    @staticmethod
    def _call(
        operation_fn: Callable[..., Mapping[str, Any]],
        params: dict[str, Any],
        *,
        model_id: str,
        operation: str,
        budget: CallBudget | None = None,
    ) -> Mapping[str, Any]:
        try:
            with within_budget(budget):
                return operation_fn(**params)
        except AppError:
            raise  # the budget's own DeadlineError
        except Exception as exc:
            raise upstream_error(exc, model_id=model_id, operation=operation) from exc

    def _restore_read_timeout(self, raw: Any) -> None:
        """The stream is open: its socket gets the client's configured read timeout back (see ``call_budget``)."""
        config = getattr(getattr(self._client, "meta", None), "config", None)
        read_timeout = getattr(config, "read_timeout", None)
        if isinstance(read_timeout, int | float):
            restore_read_timeout(_socket_of(raw), float(read_timeout))


def _sniff_first(
    raw: Any, translate: Callable[[Mapping[str, Any]], list[BedrockEvent]], *, model_id: str
) -> tuple[_Resumed, list[BedrockEvent]]:
    """Read raw events up to the first chunk (its format picks the decoder) before returning to the caller."""
    pending: list[BedrockEvent] = []
    iterator = iter(raw)
    try:
        for raw_event in iterator:
            if _chunk_json(raw_event, model_id=model_id) is not None:
                pending.extend(translate(raw_event))
                break
    except AppError:
        raw.close()
        raise
    except Exception as exc:
        raw.close()
        raise mid_stream_error(exc, model_id=model_id, operation=INVOKE) from exc
    return _Resumed(iterator, raw), pending


class _Resumed:
    """A botocore EventStream whose first events were already consumed: iterate the rest, close the original."""

    def __init__(self, iterator: Iterator[Mapping[str, Any]], raw: Any) -> None:
        self._iterator = iterator
        self._raw = raw

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return self._iterator

    @property
    def original(self) -> Any:
        """The botocore EventStream being resumed."""
        return self._raw

    def close(self) -> None:
        self._raw.close()


def _interrupt_reads(raw: Any) -> None:
    """Shut the stream's socket down so a ``recv()`` blocked in another thread (the deadline watchdog's case)
    returns at once; closing the urllib3 response alone does not wake it.

    Reaches through botocore's ``EventStream._raw_stream`` (a urllib3 ``HTTPResponse``) to its connection's socket.
    """
    sock = _socket_of(raw)
    if sock is not None:
        # OSError: not connected any more, so nothing is blocked on it; close() follows either way.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _socket_of(raw: Any) -> socket.socket | None:
    """The socket under a botocore ``EventStream`` (``_raw_stream`` is a urllib3 ``HTTPResponse``), if reachable."""
    if isinstance(raw, _Resumed):
        raw = raw.original
    response = getattr(raw, "_raw_stream", None)
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if not isinstance(sock, socket.socket):
        # A response that closes its connection when done owns the socket alone (http.client sets the
        # connection's ``sock`` to None): reach it through the body's file (``http.client.HTTPResponse.fp``).
        body_file = getattr(getattr(response, "_fp", None), "fp", None)
        sock = getattr(getattr(body_file, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _chunk_json(event: Mapping[str, Any], *, model_id: str) -> Mapping[str, Any] | None:
    chunk = event.get("chunk")
    if not isinstance(chunk, Mapping):
        return None
    data = chunk.get("bytes")
    try:
        decoded = json.loads(data) if isinstance(data, bytes | str) else None
    except ValueError as exc:
        raise MidStreamError(f"A chunk of model {model_id!r} is not valid JSON: {exc}", code="malformed_chunk") from exc
    if not isinstance(decoded, Mapping):
        raise MidStreamError(f"A chunk of model {model_id!r} is not a JSON object", code="malformed_chunk")
    return decoded


def _request_id(response: Mapping[str, Any]) -> str | None:
    meta = response.get("ResponseMetadata")
    value = meta.get("RequestId") if isinstance(meta, Mapping) else None
    return value if isinstance(value, str) else None
