"""A tiny loopback HTTP/1.1 server that plays scripted Bedrock responses byte for byte (chunked), for real boto3.

Each request is answered by ``responder(request) -> Reply``. A reply can stream body pieces as separate HTTP chunks,
drop the connection mid-body, stall, or end cleanly. Binds 127.0.0.1 on an ephemeral port.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.http_base import serve_in_thread


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/vnd.amazon.eventstream"})
    pieces: list[bytes] = field(default_factory=list)
    drop_after: int | None = None
    """Close the socket abruptly after this many pieces (no terminating chunk)."""
    stall_after: int | None = None
    """Stop sending after this many pieces and hold the connection open until the server stops."""
    chunked: bool = True
    silent: bool = False
    """Never answer: hold the request until the server stops (a stall before the response headers)."""


class ScriptedBedrock:
    """Context manager; ``.url``, ``.requests``, settable ``.responder``."""

    def __init__(self, responder: Callable[[Request], Reply] | None = None) -> None:
        self.responder: Callable[[Request], Reply] = responder or (lambda _request: Reply())
        self.requests: list[Request] = []
        self._stopping = threading.Event()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._serve(self.rfile, self.connection)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> ScriptedBedrock:
        self._thread = serve_in_thread(self._server, "scripted-bedrock")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _serve(self, rfile: Any, conn: socket.socket) -> None:
        conn.settimeout(10)
        line = rfile.readline().decode("latin-1").strip()
        if not line:
            return
        method, path, _ = line.split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            header = rfile.readline().decode("latin-1")
            if header in ("\r\n", "\n", ""):
                break
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = rfile.read(int(headers.get("content-length", "0")))
        request = Request(method, path, headers, body)
        self.requests.append(request)
        reply = self.responder(request)
        self._write(conn, reply)

    def _write(self, conn: socket.socket, reply: Reply) -> None:
        if reply.silent:
            self._stopping.wait(30)
            return
        head = [
            f"HTTP/1.1 {reply.status} X",
            "x-amzn-RequestId: 0b5d1c1a-0000-4000-8000-000000000000",
            "Connection: close",
        ]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        if reply.chunked:
            head.append("Transfer-Encoding: chunked")
        else:
            head.append(f"Content-Length: {sum(len(p) for p in reply.pieces)}")
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for number, piece in enumerate(reply.pieces):
            if reply.drop_after is not None and number >= reply.drop_after:
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
                return
            if reply.stall_after is not None and number >= reply.stall_after:
                self._stopping.wait(30)
                return
            if reply.chunked and piece:
                conn.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            elif not reply.chunked:
                conn.sendall(piece)
        if reply.drop_after is not None:
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()
            return
        if reply.stall_after is not None:
            self._stopping.wait(30)
            return
        if reply.chunked:
            conn.sendall(b"0\r\n\r\n")
