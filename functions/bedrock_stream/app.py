"""The application: one Lambda event -> one :class:`StreamingResponse`, with every collaborator injected.

Processing chain of :meth:`App.handle`:

1. normalize the event (Function URL 2.0, REST proxy 1.0, or direct invoke) and enforce the body limit;
2. match the surface (404/405), negotiate the format (406), let its parser validate the body and the model
   (400/403) and say what to do (:mod:`bedrock_stream.surfaces`);
3. open the Bedrock stream *before* returning, so a refusal becomes a real HTTP status (429 + Retry-After...);
4. return the response whose body generator encodes events, watches the deadline and, on a mid-stream
   failure, yields the format's in-band error event and re-raises (the runtime then sends the error trailers),
   unless the encoder ``ends_after_error`` (its error part is the end its clients wait for);
   with heartbeats or an idle timeout configured, a producer thread reads Bedrock and the body waits on a queue
   (:mod:`bedrock_stream.pacing`), sending the format's keep-alive while Bedrock is silent;
   a buffering encoder (``"stream": false`` / JSON) drains the stream first and answers with one document (or a
   real error status).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bedrock_stream.chat import BedrockSource, ChatRequest, EventStream
from bedrock_stream.deadline import Deadline, guarded_events
from bedrock_stream.encoders import Encoder, Exchange
from bedrock_stream.encoders.base import utf8
from bedrock_stream.errors import AppError, MidStreamError, UpstreamError
from bedrock_stream.events import BedrockEvent, ReasoningDelta, Stop, TextDelta, ToolUseDelta, ToolUseStart, Usage
from bedrock_stream.http_event import HttpRequest, parse_head, read_body
from bedrock_stream.negotiation import Format, choose_format
from bedrock_stream.observability import Observer, RequestRecord, create_logger, create_metrics
from bedrock_stream.pacing import EventPump, Heartbeat
from bedrock_stream.plan import Converse, CountTokens, Document, SurfaceRequest
from bedrock_stream.responses import base_headers, direct_error_body, error_response, json_response
from bedrock_stream.settings import Settings
from bedrock_stream.surfaces import DIRECT_INVOKE, SURFACES, Surface, match_surface, path_surface
from streaming_runtime import StreamingResponse

if TYPE_CHECKING:  # API_KEY mode only: without it, the key modules are never imported (cold start)
    from bedrock_stream.api_keys import ApiKey, KeyGuard

__all__ = ["App", "LambdaContext", "create_app"]

_COUNT_FALLBACK_CODES = frozenset({"ValidationException", "AccessDeniedException", "ResourceNotFoundException"})
"""Bedrock CountTokens refusals answered with the estimate instead: a model it cannot count for, or a role without
``bedrock:CountTokens``. Throttling and server errors are real errors."""

_CONTENT_EVENTS = (TextDelta, ReasoningDelta, ToolUseStart, ToolUseDelta)
"""Events that count as the model's first token."""


class LambdaContext(Protocol):
    """The parts of the Lambda context object the app uses."""

    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


class InternalError(AppError):
    """A bug: reported as 500 (or in-band), logged with its traceback."""


class App:
    """Routes, validation, encoding and error mapping over a :class:`BedrockSource`."""

    def __init__(
        self,
        settings: Settings,
        source: BedrockSource,
        observer: Observer,
        clock: Callable[[], float] = time.time,
        surfaces: Sequence[Surface] = SURFACES,
        guard: KeyGuard | None = None,
    ) -> None:
        self.settings = settings
        self._source = source
        self._observer = observer
        self._clock = clock
        self._surfaces = surfaces
        self._guard = guard

    def handle(self, event: Any, context: LambdaContext) -> StreamingResponse:
        """The Lambda handler: never raises for bad input; returns before the stream is consumed."""
        record = RequestRecord(request_id=context.aws_request_id)
        request: HttpRequest | None = None
        surface: Surface | None = None
        try:
            request = parse_head(event)
            record.api_key_id = request.api_key_id
            key = None
            if self._guard is not None and request.is_http:  # API_KEY mode: the key before anything else
                key = self._guard.authenticate(request.headers)
                record.api_key = key.name
            if request.is_http:
                # The row first: a bad or too large body is then answered in that surface's error shape.
                surface, params = match_surface(request.method, request.path, self._surfaces)
                record.route = surface.name
                request = read_body(request, event, max_body_bytes=self.settings.max_body_bytes)
            else:
                surface, params = DIRECT_INVOKE, {}
            return self._dispatch(request, surface, params, context, record, key)
        except AppError as exc:
            if surface is None and request is not None and request.is_http:
                surface = path_surface(request.path, self._surfaces)  # a 405 still answers in the path's shape
            return self._fail(exc, record, request, surface)
        except Exception as exc:
            self._observer.logger.exception("unhandled error before streaming")
            return self._fail(InternalError(f"internal error: {type(exc).__name__}"), record, request, surface)

    # -- routing -------------------------------------------------------------------------------------------

    def _dispatch(
        self,
        request: HttpRequest,
        surface: Surface,
        params: dict[str, str],
        context: LambdaContext,
        record: RequestRecord,
        key: ApiKey | None = None,
    ) -> StreamingResponse:
        record.route = surface.name
        fmt = surface.default
        if surface.negotiated:
            fmt = choose_format(request.query, request.headers, offers=surface.formats, default=surface.default)
        settings = self.settings if key is None else key.settings_for(self.settings)
        plan = surface.parse(SurfaceRequest(request, settings, params))
        if key is not None:
            key.authorize(plan)  # the key's model allowlist and max-tokens cap, before Bedrock is called
        if isinstance(plan, Document):
            self._observer.finish(record)
            return json_response(dict(plan.body), request_id=record.request_id)
        if isinstance(plan, CountTokens):
            return self._count_tokens(plan, record)
        deadline = self._deadline(context)
        if isinstance(plan, Converse):
            if not plan.stream:
                fmt = Format.JSON
            if self._observer.log_content:
                record.prompt = _last_user_text(plan.chat)
            encoder = self._encoder(
                surface, fmt, plan.chat.model, record, include_usage=plan.include_usage, echo=plan.echo
            )
            stream = self._source.converse(plan.chat, budget=deadline)
            return self._respond(stream, encoder, deadline, record, extra_headers=plan.headers)
        encoder = self._encoder(surface, fmt, plan.model, record)
        return self._respond(self._source.invoke(plan.model, plan.body, budget=deadline), encoder, deadline, record)

    def _encoder(
        self,
        surface: Surface,
        fmt: Format,
        model: str,
        record: RequestRecord,
        *,
        include_usage: bool = False,
        echo: Mapping[str, Any] | None = None,
    ) -> Encoder:
        record.model, record.format = model, fmt.value
        exchange = Exchange(
            model=model,
            request_id=record.request_id,
            created=int(self._clock()),
            include_usage=include_usage,
            echo=echo or {},
        )
        return surface.formats[fmt].create(exchange)

    def _count_tokens(self, plan: CountTokens, record: RequestRecord) -> StreamingResponse:
        """Bedrock's count; the plan's estimate when Bedrock cannot count for this model or this function may not
        call CountTokens (logged with Bedrock's error code; the ``x-token-count`` header tells the caller)."""
        record.model = plan.chat.model
        try:
            tokens, source = self._source.count_tokens(plan.chat), "bedrock"
        except UpstreamError as exc:
            if exc.code not in _COUNT_FALLBACK_CODES:
                raise
            self._observer.logger.warning(
                "CountTokens refused; answering the estimate", extra={"error_code": exc.code, "model": record.model}
            )
            tokens, source = plan.estimate, "estimate"
        self._observer.finish(record)
        headers = {"x-token-count": source}
        return json_response({"input_tokens": tokens}, request_id=record.request_id, extra_headers=headers)

    # -- responses -----------------------------------------------------------------------------------------

    def _deadline(self, context: LambdaContext) -> Deadline:
        """The invocation's deadline margin: it bounds the wait for Bedrock's headers, then the stream."""
        return Deadline(context.get_remaining_time_in_millis, self.settings.deadline_margin_ms)

    def _respond(
        self,
        stream: EventStream,
        encoder: Encoder,
        deadline: Deadline,
        record: RequestRecord,
        *,
        extra_headers: Mapping[str, str] | None = None,
    ) -> StreamingResponse:
        source = self._noted(guarded_events(stream, deadline), record)
        pump = self._pump(source, stream, heartbeats=not encoder.buffers)
        events: Iterator[BedrockEvent | Heartbeat] = source if pump is None else iter(pump)
        if encoder.buffers:
            try:
                for event in events:
                    if not isinstance(event, Heartbeat):
                        encoder.encode(event)
            finally:
                _stop(pump, stream)
            self._observer.finish(record)
            return json_response(
                encoder.finish(),
                request_id=record.request_id,
                content_type=encoder.content_type,
                extra_headers=extra_headers,
            )
        headers = {**base_headers(encoder.content_type, record.request_id), **(extra_headers or {})}
        if encoder.holds_prelude:
            # A format without framing (plain text): an answer without text would be a prelude and an empty body,
            # which can leave a Function URL connection hanging. Hold the prelude until the first text (an error
            # before it gets a real status) and answer a text-less stream with content-length 0.
            try:
                seen, ended = _read_until_text(events)
            except BaseException:
                _stop(pump, stream)
                raise
            if ended:
                _stop(pump, stream)
                self._observer.finish(record)
                return StreamingResponse(status_code=200, headers={**headers, "content-length": "0"}, body=())
            events = itertools.chain(seen, events)
        body = self._body(stream, pump, encoder, events, record)
        return StreamingResponse(status_code=200, headers=headers, body=body)

    def _pump(self, events: Iterator[BedrockEvent], stream: EventStream, *, heartbeats: bool) -> EventPump | None:
        """The producer/consumer pacing of ``events`` when heartbeats or the idle timeout are on, else None (the
        body then reads Bedrock in the runtime's thread: no extra thread on the hot path)."""
        heartbeat_s = self.settings.heartbeat_seconds if heartbeats else 0.0
        idle_s = self.settings.idle_timeout_seconds
        if heartbeat_s <= 0 and idle_s <= 0:
            return None
        return EventPump(events, stream, heartbeat_s=heartbeat_s, idle_s=idle_s)

    def _body(
        self,
        stream: EventStream,
        pump: EventPump | None,
        encoder: Encoder,
        events: Iterator[BedrockEvent | Heartbeat],
        record: RequestRecord,
    ) -> Iterator[bytes]:
        try:
            head = encoder.start()
            if head:
                yield utf8(head)
            for event in events:
                chunk = encoder.heartbeat() if isinstance(event, Heartbeat) else encoder.encode(event)
                if chunk:
                    yield utf8(chunk)
            tail = encoder.finish()
            if tail:
                yield utf8(tail)
        except AppError as exc:
            self._record_error(exc, record)
            yield utf8(encoder.error(exc))
            if not encoder.ends_after_error:
                raise
        except Exception as exc:
            self._observer.logger.exception("unhandled error while streaming")
            error = InternalError(f"internal error: {type(exc).__name__}")
            self._record_error(error, record)
            yield utf8(encoder.error(error))
            if not encoder.ends_after_error:
                raise error from exc
        finally:
            _stop(pump, stream)  # the producer has ended before the record is finished
            self._observer.finish(record)

    def _noted(self, events: Iterator[BedrockEvent], record: RequestRecord) -> Iterator[BedrockEvent]:
        """``events`` unchanged, each one recorded (time to first token, usage, stop reason) as it is read."""
        log_content = self._observer.log_content
        for event in events:
            if isinstance(event, _CONTENT_EVENTS):
                record.first_token()
                if log_content and isinstance(event, TextDelta):
                    record.completion.append(event.text)
            elif isinstance(event, Usage):
                record.note_usage(event)
            elif isinstance(event, Stop):
                record.stop_reason = event.reason
            yield event

    def _fail(
        self, exc: AppError, record: RequestRecord, request: HttpRequest | None, surface: Surface | None
    ) -> StreamingResponse:
        if isinstance(exc, MidStreamError) and exc.before_first_byte is not None:
            exc = exc.before_first_byte  # nothing was sent yet: answer as if Bedrock had refused before the stream
        self._record_error(exc, record)
        self._observer.finish(record)
        if request is not None and not request.is_http:
            headers = base_headers("application/x-ndjson", record.request_id)
            return StreamingResponse(status_code=exc.status_code, headers=headers, body=direct_error_body(exc))
        body = None
        if surface is not None and request is not None:
            body = surface.error_body(exc, request, record.request_id)
        return error_response(exc, request_id=record.request_id, body=body)

    @staticmethod
    def _record_error(exc: AppError, record: RequestRecord) -> None:
        record.status = exc.status_code
        record.error_type = exc.error_type
        record.error_code = getattr(exc, "code", None)
        record.error_message = exc.message
        record.error_detail = exc.detail


def _stop(pump: EventPump | None, stream: EventStream) -> None:
    """End the producer thread (if any), then release the Bedrock connection."""
    if pump is not None:
        pump.close()
    stream.close()


def _read_until_text(
    events: Iterator[BedrockEvent | Heartbeat],
) -> tuple[list[BedrockEvent | Heartbeat], bool]:
    """Items up to and including the first non-empty text delta, and whether the stream ended before one."""
    seen: list[BedrockEvent | Heartbeat] = []
    for event in events:
        seen.append(event)
        if isinstance(event, TextDelta) and event.text:
            return seen, False
    return seen, True


def _last_user_text(chat: ChatRequest) -> str:
    for message in reversed(chat.messages):
        if message.role == "user":
            return "\n".join(str(block["text"]) for block in message.content if "text" in block)
    return ""


def create_app(
    settings: Settings,
    source: BedrockSource,
    *,
    observer: Observer | None = None,
    clock: Callable[[], float] = time.time,
    surfaces: Sequence[Surface] = SURFACES,
    guard: KeyGuard | None = None,
) -> App:
    """Build the application; by default with the Powertools logger and metrics and every surface. With ``guard``
    (API_KEY mode) every HTTP request must carry a valid key."""
    if observer is None:
        observer = Observer(create_logger(), create_metrics(), log_content=settings.log_content)
    return App(settings, source, observer, clock, surfaces, guard)
