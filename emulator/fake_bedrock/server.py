"""The fake Amazon Bedrock Runtime HTTP server (stdlib ``ThreadingHTTPServer``), consumed by real boto3.

Routes (``{id}`` is URL-decoded; any ``Authorization`` is accepted):

- ``POST /model/{id}/converse-stream``: ConverseStream events from the stub (any model id; tool calls, tool
  loops, reasoning and prompt-cache counts per ``emulator.fake_bedrock.converse``), or the replay body.
- ``POST /model/{id}/invoke-with-response-stream``: native ``chunk`` events in the family's shape; an unknown
  family gets ``400 ValidationException`` "The provided model identifier is invalid." (what Bedrock answers for an
  id it does not know), an unusable body ``400 ValidationException`` naming the problem.
- ``POST /model/{id}/converse``: the stub answer as one Converse JSON document (stub mode only).
- ``POST /model/{id}/invoke``: ``400 ValidationException``: the project only calls the streaming APIs.
- ``POST /model/{id}/count-tokens``: CountTokens for a ``converse`` input, ``{"inputTokens"}`` as the stub's
  estimate over every text in it (both modes; API reference: API_runtime_CountTokens.html).
- anything else: ``404 UnknownOperationException``.
- any request, when ``FakeBedrock.responder`` returns a :class:`~emulator.fake_bedrock.scripted.ScriptedReply`:
  exactly the scripted bytes (status, headers, pieces, drop / stall / silence).

Streams are ``200``, ``Content-Type: application/vnd.amazon.eventstream``, chunked with one HTTP chunk per frame,
written as soon as each frame exists; ``x-amzn-RequestId`` always, ``X-Amzn-Bedrock-Content-Type`` on invoke.
Errors are ``{"message"}`` JSON with ``x-amzn-ErrorType: <Code>:http://internal.amazon.com/coral/com.amazon.bedrock/``.

Whatever arrives, the server answers in that shape and keeps serving: a body that is not JSON, JSON whose strings
hold unpaired surrogates (``"\ud800"``, not encodable as UTF-8), a ``Content-Length`` that is not a length or a
body shorter than announced get ``400 ValidationException``; a body over the 25,000,000-byte ``body`` limit of
InvokeModel (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html) is drained and
gets ``400 ValidationException``; anything unexpected ``500 InternalServerException``. The requests it keeps for
inspection are bounded (``record_limit``, oldest dropped).

Follows docs/bedrock-formats.md: "Operations and model ids", "How botocore reads a stream" and the two error
sections.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import unquote, urlsplit

from emulator.chunked import LAST_CHUNK, encode_chunk
from emulator.eventstream import CONTENT_TYPE, chunk_frame, error_frame, event_frame, exception_frame, padding
from emulator.fake_bedrock.converse import converse_answer, converse_events, converse_response
from emulator.fake_bedrock.families import BodyError, invoke_events, parse_invoke
from emulator.fake_bedrock.faults import (
    DropAfter,
    ErrorFrameAfter,
    ExceptionAfter,
    Fault,
    HttpError,
    StallAfter,
    TruncateFinalFrame,
)
from emulator.fake_bedrock.prompt_cache import PromptCache
from emulator.fake_bedrock.scripted import Responder, ScriptedReply
from emulator.fake_bedrock.stub import StubAnswer, answer, estimate_tokens
from emulator.http_base import BodyReadError, LoopbackServer, StreamingRequestHandler, serve_in_thread

__all__ = ["FakeBedrock", "RecordedRequest", "split_frames"]

LOG = logging.getLogger(__name__)

Mode = Literal["stub", "replay"]
Frames = Iterator[tuple[bytes, bool]]  # (encoded frame, carries a token)

_ROUTE = re.compile(
    r"^/model/(?P<id>[^/]+)/(?P<op>converse-stream|invoke-with-response-stream|converse|invoke|count-tokens)$"
)
_STREAMING = ("converse-stream", "invoke-with-response-stream")
_ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
_MALFORMED = "Malformed input request, please reformat your input and try again."
_INVALID_MODEL = "The provided model identifier is invalid."
_RELEASE_CHECK_S = 0.05  # how often a stall held by a release event checks whether the server is stopping
BODY_LIMIT = 25_000_000
"""The largest request body Bedrock's InvokeModel accepts (``body``: maximum length 25000000)."""
RECORD_LIMIT = 1000
"""Default number of requests :attr:`FakeBedrock.requests` keeps (the oldest are dropped)."""


def split_frames(data: bytes) -> list[bytes]:
    """Split a raw event-stream body into its messages (by the prelude's total length); ValueError if ragged."""
    frames: list[bytes] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 16:
            raise ValueError(f"{len(data) - offset} stray bytes after the last frame")
        total = int.from_bytes(data[offset : offset + 4], "big")
        if total < 16 or offset + total > len(data):
            raise ValueError(f"frame at offset {offset} claims {total} bytes")
        frames.append(data[offset : offset + total])
        offset += total
    return frames


def _pad_for(index: int) -> str:
    """Deterministic padding length in the observed range 2..61."""
    return padding(2 + (index * 23 + 7) % 60)


class _Aborted(Exception):
    """The connection was closed on purpose (drop fault, stall ended by stop())."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received. ``headers`` have lower-case names; ``json`` is None if the body is not JSON;
    ``client_port`` is the caller's TCP port (two requests on one keep-alive connection share it)."""

    method: str
    path: str
    operation: str | None
    model_id: str | None
    headers: dict[str, str]
    body: bytes
    json: Any
    fault: Fault | None
    client_port: int = 0
    finished: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


class _Server(LoopbackServer):
    def __init__(self, address: tuple[str, int], fake: FakeBedrock) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class FakeBedrock:
    """A fake Bedrock Runtime on loopback. Use as a context manager; point boto3 at :attr:`url`.

    ``mode="stub"`` serves the deterministic stub model (see :func:`emulator.fake_bedrock.stub_text`);
    ``mode="replay"`` serves the raw body at ``replay_path`` byte for byte for every streaming request.
    ``first_token_ms`` delays the first token-carrying frame, ``token_delay_ms`` every later one (replay: every
    frame). Both may be changed while running. Faults are scripted with :meth:`inject`.
    """

    def __init__(
        self,
        *,
        mode: Mode = "stub",
        replay_path: str | Path | None = None,
        first_token_ms: int = 0,
        token_delay_ms: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        record_limit: int = RECORD_LIMIT,
    ) -> None:
        if record_limit < 1:
            raise ValueError("record_limit must be at least 1")
        if mode not in ("stub", "replay"):
            raise ValueError(f"mode must be 'stub' or 'replay', got {mode!r}")
        if (mode == "replay") != (replay_path is not None):
            raise ValueError("replay_path is required in replay mode and only there")
        self.mode: Mode = mode
        self.replay_frames: list[bytes] = split_frames(Path(replay_path).read_bytes()) if replay_path else []
        self.first_token_ms = first_token_ms
        self.token_delay_ms = token_delay_ms
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._faults: list[list[Any]] = []  # [fault, remaining uses or None for every request]
        self._requests: deque[RecordedRequest] = deque(maxlen=record_limit)
        self.stopping = threading.Event()
        self.prompt_cache = PromptCache()
        """The prefixes cached by earlier Converse requests (``emulator.fake_bedrock.prompt_cache``)."""
        self.responder: Responder | None = None
        """Scripted replies (``emulator.fake_bedrock.scripted``): consulted first for every request."""
        self.on_frame_sent: Callable[[int], None] | None = None
        """Called with a frame's index in its stream right after the frame is written (benchmarks timestamp it)."""

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> FakeBedrock:
        """Bind and serve in a daemon thread. Returns self."""
        if self._server is not None:
            raise RuntimeError("FakeBedrock already started")
        self.stopping.clear()
        self._server = _Server(self._address, self)
        self._thread = serve_in_thread(self._server, "fake-bedrock")
        return self

    def stop(self) -> None:
        """Stop serving: releases stalled streams (dropping them) and closes open connections."""
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        with server.connections_lock:
            for connection in list(server.connections):
                _shutdown(connection)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBedrock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBedrock not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` for ``endpoint_url`` / ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``."""
        return f"http://{self._address[0]}:{self.port}"

    # -- scripting ---------------------------------------------------------------------------------------------

    def inject(self, fault: Fault, *, times: int | None = 1) -> None:
        """Apply ``fault`` to the next ``times`` matching requests (None: every request until cleared).

        Faults queue in order. :class:`HttpError` matches any model route; the other faults only streaming routes.
        """
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 or None")
        with self._lock:
            self._faults.append([fault, times])

    def clear_faults(self) -> None:
        """Forget every scripted fault."""
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """The last ``record_limit`` requests received, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _take_fault(self, streaming: bool) -> Fault | None:
        with self._lock:
            for entry in self._faults:
                fault, remaining = entry
                if isinstance(fault, HttpError) or streaming:
                    if remaining is not None:
                        entry[1] = remaining - 1
                        if entry[1] == 0:
                            self._faults.remove(entry)
                    return cast(Fault, fault)
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)


def _shutdown(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError as exc:  # already closed by the peer or by us
        LOG.debug("fake-bedrock: shutdown of a closed connection: %s", exc)


@dataclass
class _Timing:
    started: float
    first_token: float | None = None

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)

    def metrics(self, stub: StubAnswer) -> dict[str, int]:
        first = self.first_token if self.first_token is not None else time.monotonic()
        return {
            "inputTokenCount": stub.input_tokens,
            "outputTokenCount": stub.output_tokens,
            "invocationLatency": self.elapsed_ms(),
            "firstByteLatency": int((first - self.started) * 1000),
        }


class _Handler(StreamingRequestHandler):
    server: _Server
    _answered = False  # a status line went out for the current request

    # -- plumbing ----------------------------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError as exc:
            LOG.debug("fake-bedrock: finishing a broken connection: %s", exc)

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("fake-bedrock: " + format, *args)

    @property
    def fake(self) -> FakeBedrock:
        return self.server.fake

    def _send_json(self, status: int, document: Any, request_id: str, extra: dict[str, str] | None = None) -> None:
        self.send_json(status, document, headers={"x-amzn-RequestId": request_id, **(extra or {})})

    def _send_error(self, status: int, code: str, message: str, request_id: str) -> None:
        self._send_json(status, {"message": message}, request_id, {"x-amzn-ErrorType": code + _ERROR_TYPE_SUFFIX})

    def _abort(self) -> None:
        self.close_connection = True
        _shutdown(self.connection)
        raise _Aborted

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(encode_chunk(data))

    # -- routing -----------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._unknown_route()

    def do_PUT(self) -> None:
        self._unknown_route()

    def do_DELETE(self) -> None:
        self._unknown_route()

    def _scripted(self, record: RecordedRequest) -> bool:
        """Serve the responder's reply for ``record``; False if there is none (the stub answers)."""
        responder = self.fake.responder
        reply = responder(record) if responder is not None else None
        if reply is None:
            return False
        try:
            self._send_scripted(reply)
        except _Aborted:
            LOG.debug("fake-bedrock: scripted reply ended the connection")
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.close_connection = True
            LOG.debug("fake-bedrock: client went away during a scripted reply: %s", exc)
        return True

    def _send_scripted(self, reply: ScriptedReply) -> None:
        if reply.silent:
            self.fake.stopping.wait()
            self._abort()
        self.send_response(reply.status)
        if not any(name.lower() == "x-amzn-requestid" for name in reply.headers):
            self.send_header("x-amzn-RequestId", _rid())
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(sum(len(piece) for piece in reply.pieces)))
        self.end_headers()
        started = time.monotonic()
        for number, piece in enumerate(reply.pieces):
            self._end_early(reply, number)
            if reply.interval_s and self.fake.stopping.wait(
                max(0.0, started + number * reply.interval_s - time.monotonic())
            ):
                self._abort()
            if reply.chunked and piece:
                self._write_chunk(piece)
            elif not reply.chunked:
                self.wfile.write(piece)
        self._end_early(reply, len(reply.pieces))
        if reply.drop_after is not None:
            self._abort()
        if reply.chunked:
            self.wfile.write(LAST_CHUNK)

    def _end_early(self, reply: ScriptedReply, sent: int) -> None:
        """Drop or stall the scripted body once ``sent`` pieces are out, as the reply asks."""
        if reply.drop_after is not None and sent >= reply.drop_after:
            self._abort()
        if reply.stall_after is not None and sent >= reply.stall_after:
            self.fake.stopping.wait()
            self._abort()

    def _unknown_route(self) -> None:
        body = self._body_or_error()
        if body is None:
            return
        record = RecordedRequest(
            self.command, self.path, None, None, _lower(self), body, _json_or_none(body), None, self.client_address[1]
        )
        self.fake._record(record)
        if self._scripted(record):
            return
        self._send_error(404, "UnknownOperationException", f"No operation for {self.command} {self.path}", _rid())

    def _body_or_error(self) -> bytes | None:
        """The request body, or None after answering Bedrock's 400 for one that cannot be read."""
        try:
            return self.read_body(BODY_LIMIT)
        except BodyReadError as exc:
            if exc.status == 413:
                message = (
                    "1 validation error detected: Value at 'body' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {BODY_LIMIT}"
                )
            else:
                message = f"{_MALFORMED} ({exc})"
            self._send_error(400, "ValidationException", message, _rid())
            return None

    def do_POST(self) -> None:
        try:
            self._post()
        except Exception as exc:  # the fake must outlive whatever it is sent: answer, log, keep serving
            LOG.exception("fake-bedrock: unexpected error on %s %s", self.command, self.path)
            self.close_connection = True
            if not self._answered:
                self._send_error(500, "InternalServerException", f"The fake Bedrock failed: {exc}", _rid())

    def send_response(self, code: int, message: str | None = None) -> None:
        self._answered = True
        super().send_response(code, message)

    def _post(self) -> None:
        self._answered = False
        match = _ROUTE.match(urlsplit(self.path).path)
        if match is None:
            self._unknown_route()
            return
        body = self._body_or_error()
        if body is None:
            return
        operation, model_id = match.group("op"), unquote(match.group("id"))
        streaming = operation in _STREAMING
        fault = self.fake._take_fault(streaming)
        record = RecordedRequest(
            self.command,
            self.path,
            operation,
            model_id,
            _lower(self),
            body,
            _json_or_none(body),
            fault,
            self.client_address[1],
        )
        self.fake._record(record)
        try:
            if not self._scripted(record):
                self._serve(operation, model_id, record, fault)
        finally:
            record.finished.set()

    def _serve(self, operation: str, model_id: str, record: RecordedRequest, fault: Fault | None) -> None:
        request_id = _rid()
        timing = _Timing(time.monotonic())
        if isinstance(fault, HttpError):
            self._send_error(fault.http_status, fault.code, fault.text, request_id)
            return
        if operation == "count-tokens":
            self._count_tokens(record, request_id)
            return
        if operation == "invoke":
            message = "The fake Bedrock serves InvokeModel only as InvokeModelWithResponseStream."
            self._send_error(400, "ValidationException", message, request_id)
            return
        if self.fake.mode == "replay":
            if operation == "converse":
                self._send_error(
                    400, "ValidationException", "Replay mode serves streaming operations only.", request_id
                )
                return
            frames: Frames = ((frame, True) for frame in self.fake.replay_frames)
        else:
            document = record.json
            if not isinstance(document, dict):
                self._send_error(400, "ValidationException", _MALFORMED, request_id)
                return
            try:
                built = self._stub_frames(operation, model_id, document, timing, request_id)
            except BodyError as exc:
                self._send_error(400, "ValidationException", f"{_MALFORMED} ({exc})", request_id)
                return
            if built is None:
                return
            frames = built
        self._stream(operation, frames, fault, timing, request_id)

    def _count_tokens(self, record: RecordedRequest, request_id: str) -> None:
        """CountTokens for a ``converse`` input: the stub's estimate over every text of the request."""
        document = record.json
        converse = document.get("input", {}).get("converse") if isinstance(document, dict) else None
        if not isinstance(converse, dict):
            self._send_error(400, "ValidationException", f"{_MALFORMED} (input.converse is required)", request_id)
            return
        self._send_json(200, {"inputTokens": estimate_tokens(_texts(converse))}, request_id)

    def _stub_frames(
        self, operation: str, model_id: str, body: dict[str, Any], timing: _Timing, request_id: str
    ) -> Frames | None:
        if operation == "converse":
            _, turn = converse_answer(body, self.fake.prompt_cache)
            self._send_json(200, converse_response(turn, timing.elapsed_ms()), request_id)
            return None
        if operation == "converse-stream":
            _, turn = converse_answer(body, self.fake.prompt_cache)
            events = converse_events(turn, timing.elapsed_ms)
            return (
                (event_frame(kind, payload, _pad_for(index)), token)
                for index, (kind, payload, token) in enumerate(events)
            )
        request = parse_invoke(model_id, body)
        if request is None:
            self._send_error(400, "ValidationException", _INVALID_MODEL, request_id)
            return None
        stub = answer(request.prompt, max_tokens=request.max_tokens, stop_sequences=request.stop_sequences)
        model_events = invoke_events(model_id, request, stub, timing.metrics)
        return ((chunk_frame(event, _pad_for(index)), token) for index, (event, token) in enumerate(model_events))

    # -- streaming ---------------------------------------------------------------------------------------------

    def _stream(self, operation: str, frames: Frames, fault: Fault | None, timing: _Timing, request_id: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", request_id)
        if operation == "invoke-with-response-stream":
            self.send_header("X-Amzn-Bedrock-Content-Type", "application/json")
        self.end_headers()
        try:
            self._send_frames(frames, fault, timing)
            self.wfile.write(LAST_CHUNK)
        except _Aborted:
            LOG.debug("fake-bedrock: connection dropped on purpose (%s)", fault)
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.close_connection = True
            LOG.debug("fake-bedrock: client went away mid-stream: %s", exc)

    def _send_frames(self, frames: Frames, fault: Fault | None, timing: _Timing) -> None:
        after = fault.after if isinstance(fault, ExceptionAfter | ErrorFrameAfter | DropAfter | StallAfter) else None
        sent = 0
        pending = next(frames, None)
        while pending is not None:
            if after is not None and sent == after:
                if self._fire(fault, pending[0]):
                    return
                after = None
            frame, token = pending
            if token:
                self._pace(timing)
            following = next(frames, None)
            if following is None and isinstance(fault, TruncateFinalFrame):
                keep = fault.keep if fault.keep is not None else len(frame) // 2
                frame = frame[: max(0, min(keep, len(frame) - 1))]
            if frame:  # an empty chunk would end the body early (``keep=0`` sends nothing of the last frame)
                self._write_chunk(frame)
            if self.fake.on_frame_sent is not None:
                self.fake.on_frame_sent(sent)
            sent += 1
            pending = following
        if after is not None:
            self._fire(fault, None)

    def _pace(self, timing: _Timing) -> None:
        first = timing.first_token is None
        delay_ms = self.fake.first_token_ms if first else self.fake.token_delay_ms
        if delay_ms > 0 and self.fake.stopping.wait(delay_ms / 1000):
            self._abort()
        if first:
            timing.first_token = time.monotonic()

    def _fire(self, fault: Fault | None, next_frame: bytes | None) -> bool:
        """Apply a positional fault before ``next_frame``; True if the stream ends here."""
        if isinstance(fault, ExceptionAfter):
            extra: dict[str, Any] = {}
            if fault.original_status_code is not None:
                extra["originalStatusCode"] = fault.original_status_code
            if fault.original_message is not None:
                extra["originalMessage"] = fault.original_message
            self._write_chunk(exception_frame(fault.exception_type, fault.message, **extra))
            return True
        if isinstance(fault, ErrorFrameAfter):
            self._write_chunk(error_frame(fault.code, fault.message))
            return True
        if isinstance(fault, DropAfter):
            if fault.mid_frame and next_frame is not None:
                # announce the whole frame as one chunk, send half of it, then close
                self.wfile.write(b"%x\r\n%s" % (len(next_frame), next_frame[: len(next_frame) // 2]))
            self._abort()
        if isinstance(fault, StallAfter):
            if fault.release is not None:
                self._wait_for_release(fault.release)
            elif fault.seconds is None:
                self.fake.stopping.wait()
                self._abort()
            elif self.fake.stopping.wait(fault.seconds):
                self._abort()
        return False

    def _wait_for_release(self, release: threading.Event) -> None:
        """Hold the stream until ``release`` is set; drop it if the server stops first."""
        while not release.wait(_RELEASE_CHECK_S):
            if self.fake.stopping.is_set():
                self._abort()


def _rid() -> str:
    return str(uuid.uuid4())


def _lower(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    return {name.lower(): value for name, value in handler.headers.items()}


def _json_or_none(body: bytes) -> Any:
    """The body as JSON, or None if it is not JSON Bedrock could read (bad syntax, not UTF-8, lone surrogates)."""
    try:
        document = json.loads(body) if body else None
        json.dumps(document, ensure_ascii=False).encode("utf-8")  # strings with unpaired surrogates fail here
    except (ValueError, UnicodeError, RecursionError):
        return None
    return document


def _texts(value: Any) -> str:
    """Every ``text`` string in a JSON value, joined (what the stub counts tokens over)."""
    if isinstance(value, dict):
        return "".join(str(v) if k == "text" and isinstance(v, str) else _texts(v) for k, v in value.items())
    if isinstance(value, list):
        return "".join(_texts(item) for item in value)
    return ""
