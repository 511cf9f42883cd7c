"""A minimal Runtime API stand-in for the runtime wire tests: raw sockets, parsed by the independent ``h11`` parser.

Serves queued events on ``GET /next`` (long-poll: it holds the request until an event is queued or it stops),
captures every request (raw bytes, headers, each chunk with its boundaries, trailers) and answers ``/response``,
``/error`` and ``/init/error`` with a configurable status (202 by default). SnapStart's ``GET /restore/next`` is
answered at once with ``restore_status`` (200: "the environment was restored"); ``/restore/error`` like ``/error``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import h11

NEXT_PATH = "/2018-06-01/runtime/invocation/next"
RESTORE_NEXT_PATH = "/2018-06-01/runtime/restore/next"


@dataclass
class NextSpec:
    """One event to serve on /next."""

    request_id: str
    payload: Any
    trace_id: str | None = None
    invocation_id: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    deadline_ms: int | None = None

    def headers(self) -> list[tuple[str, str]]:
        deadline = self.deadline_ms if self.deadline_ms is not None else int(time.time() * 1000) + 60_000
        out = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", self.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:wire-test"),
        ]
        if self.trace_id:
            out.append(("Lambda-Runtime-Trace-Id", self.trace_id))
        if self.invocation_id:
            out.append(("Lambda-Runtime-Invocation-Id", self.invocation_id))
        out.extend(self.extra_headers.items())
        return out

    def body(self) -> bytes:
        return self.payload if isinstance(self.payload, bytes) else json.dumps(self.payload).encode()


@dataclass
class Captured:
    """One request the runtime sent, as h11 parsed it."""

    conn_id: int
    method: str
    target: str
    http_version: str
    headers: list[tuple[str, str]]
    chunks: list[bytes] = field(default_factory=list)
    chunk_times: list[float] = field(default_factory=list)
    trailers: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = False
    raw: bytes = b""

    def header(self, name: str) -> str | None:
        values = self.header_all(name)
        return values[-1] if values else None

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


#: Called for every complete chunk; return True to drop the connection at once.
ChunkHook = Callable[[Captured, bytes], bool]


class RuntimeApiStandIn:
    """Loopback Runtime API on an ephemeral port; use as a context manager."""

    def __init__(
        self,
        *,
        on_chunk: ChunkHook | None = None,
        reply_status: Callable[[Captured], int] | None = None,
        restore_status: int = 200,
        next_status: Callable[[int], int] | None = None,
    ) -> None:
        self._restore_status = restore_status
        self._next_status = next_status or (lambda _n: 200)  # the n-th /next (from 1) -> its status
        self._next_count = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)  # the accept loop notices stop() quickly
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self._events: queue.Queue[NextSpec] = queue.Queue()
        self._on_chunk = on_chunk
        self._reply_status = reply_status or (lambda _c: 202)
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self.requests: list[Captured] = []
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._next_conn_id = 0

    def __enter__(self) -> RuntimeApiStandIn:
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads[:1]:
            thread.join(timeout=5)
        self._sock.close()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def queue(self, *specs: NextSpec) -> None:
        for spec in specs:
            self._events.put(spec)

    def wait_for(self, predicate: Callable[[list[Captured]], bool], timeout: float = 15.0) -> list[Captured]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.requests):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out; requests so far: {[(r.method, r.target) for r in self.requests]}")
                self._cond.wait(remaining)
            return list(self.requests)

    def wait_complete(self, suffix: str, count: int = 1, timeout: float = 15.0) -> list[Captured]:
        def done(reqs: list[Captured]) -> bool:
            return len([r for r in reqs if r.target.endswith(suffix) and r.complete]) >= count

        reqs = self.wait_for(done, timeout)
        return [r for r in reqs if r.target.endswith(suffix) and r.complete]

    def wait_polling(self, count: int, timeout: float = 15.0) -> None:
        """Wait until the runtime has sent its ``count``-th ``/next`` (it is idle and alive)."""
        self.wait_for(lambda reqs: len([r for r in reqs if r.target == NEXT_PATH]) >= count, timeout)

    # -- server internals ---------------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(0.2)
            self._conns.append(conn)
            self._next_conn_id += 1
            thread = threading.Thread(target=self._serve, args=(conn, self._next_conn_id), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _serve(self, sock: socket.socket, conn_id: int) -> None:
        parser = h11.Connection(h11.SERVER)
        raw = bytearray()
        current: Captured | None = None
        partial = bytearray()
        try:
            while not self._stop.is_set():
                event = parser.next_event()
                if event is h11.NEED_DATA:
                    try:
                        data = sock.recv(65536)
                    except TimeoutError:
                        continue
                    raw.extend(data)
                    parser.receive_data(data)
                    continue
                if isinstance(event, h11.Request):
                    current = Captured(
                        conn_id=conn_id,
                        method=event.method.decode(),
                        target=event.target.decode(),
                        http_version=event.http_version.decode(),
                        headers=[(k.decode(), v.decode()) for k, v in event.headers],
                    )
                    with self._cond:
                        self.requests.append(current)
                        self._cond.notify_all()
                elif isinstance(event, h11.Data):
                    assert current is not None
                    partial.extend(event.data)
                    if event.chunk_end or not current.header("transfer-encoding"):
                        piece = bytes(partial)
                        partial.clear()
                        current.chunks.append(piece)
                        current.chunk_times.append(time.monotonic())
                        self._notify()
                        if self._on_chunk is not None and self._on_chunk(current, piece):
                            current.raw = bytes(raw)
                            return
                elif isinstance(event, h11.EndOfMessage):
                    assert current is not None
                    current.trailers = [(k.decode(), v.decode()) for k, v in event.headers]
                    current.raw = bytes(raw)
                    raw.clear()
                    with self._cond:
                        current.complete = True
                        self._cond.notify_all()
                    if not self._respond(sock, parser, current):
                        return
                    if parser.our_state is h11.MUST_CLOSE or parser.their_state is h11.MUST_CLOSE:
                        return
                    parser.start_next_cycle()
                    current = None
                elif isinstance(event, h11.ConnectionClosed):
                    current_raw = bytes(raw)
                    if current is not None and not current.complete:
                        current.raw = current_raw
                    return
        except (OSError, h11.RemoteProtocolError):
            return
        finally:
            sock.close()
            self._notify()

    def _respond(self, sock: socket.socket, parser: h11.Connection, req: Captured) -> bool:
        if req.target == NEXT_PATH:
            with self._cond:
                self._next_count += 1
                status = self._next_status(self._next_count)
            if status != 200:
                body = b'{"errorMessage":"stand-in says no","errorType":"Test"}'
                self._send(sock, parser, status, [("Content-Length", str(len(body)))], body)
                return True
            spec = None
            while spec is None:
                if self._stop.is_set():
                    return False
                try:
                    spec = self._events.get(timeout=0.1)
                except queue.Empty:
                    continue
            body = spec.body()
            headers = [*spec.headers(), ("Content-Length", str(len(body)))]
            self._send(sock, parser, 200, headers, body)
            return True
        if req.target == RESTORE_NEXT_PATH:
            self._send(sock, parser, self._restore_status, [("Content-Length", "0")], b"")
            return True
        status = self._reply_status(req)
        body = b'{"status":"OK"}' if status == 202 else b'{"errorMessage":"stand-in says no","errorType":"Test"}'
        self._send(
            sock, parser, status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))], body
        )
        return True

    @staticmethod
    def _send(
        sock: socket.socket, parser: h11.Connection, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        out = parser.send(h11.Response(status_code=status, headers=headers))
        out += parser.send(h11.Data(data=body)) if body else b""
        out += parser.send(h11.EndOfMessage())
        sock.sendall(out)
