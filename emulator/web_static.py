"""The chat page's static files (``web/dist/``) on their own loopback port (``--web-port``), plus its ``config.json``.

The page is served from a different origin than the Function URL, as it is when deployed (S3 + CloudFront in front
of a Function URL), so every request it makes is cross-origin and goes through the URL's CORS (emulator/cors.py).
``GET /config.json`` answers the page's settings (``endpoint``: the Function URL; ``auth``: ``none``, ``apikey`` or
``sigv4``; ``region``), the file a deployment writes next to the built page. Everything else is a plain file from
the build directory (stdlib ``SimpleHTTPRequestHandler``: no listing outside it), sent with ``Cache-Control:
no-store`` so a rebuilt page is picked up at once.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Iterator, Mapping
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from emulator.http_base import LoopbackServer, serve_in_thread
from emulator.launcher import REPO_ROOT

__all__ = ["WEB_DIST", "WebPageError", "WebPageServer", "page_config", "serve_page"]

LOG = logging.getLogger(__name__)

WEB_DIST = REPO_ROOT / "web" / "dist"
"""Where ``web/build.mjs`` writes the built page (``make dev`` builds it)."""


class WebPageError(Exception):
    """The page cannot be served as asked (no build)."""


class _PageHandler(SimpleHTTPRequestHandler):
    server: WebPageServer

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.json":
            body = json.dumps(self.server.page_config).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("web page: " + format, *args)


class WebPageServer(LoopbackServer):
    """Serves ``root`` (default ``web/dist``) and ``/config.json`` = ``page_config``; a context manager."""

    def __init__(
        self, page_config: Mapping[str, object], *, root: Path = WEB_DIST, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if not (root / "index.html").is_file():
            raise WebPageError(f"{root / 'index.html'} not found: build the page first (make web, or make dev)")
        self.page_config = dict(page_config)
        super().__init__((host, port), functools.partial(_PageHandler, directory=str(root)))

    @property
    def url(self) -> str:
        """``http://host:port`` (the page's origin)."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> WebPageServer:
        serve_in_thread(self, "web-page")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()
        self.server_close()


def page_config(endpoint: str, *, sigv4: bool = False, region: str = "us-east-1") -> dict[str, object]:
    """The page's ``config.json`` for a Function URL at ``endpoint``."""
    return {"endpoint": endpoint, "auth": "sigv4" if sigv4 else "none", "region": region}


@contextlib.contextmanager
def serve_page(
    port: int | None, endpoint: str, host: str = "127.0.0.1", *, sigv4: bool = False, region: str = "us-east-1"
) -> Iterator[WebPageServer | None]:
    """Serve the built page on ``port`` for the Function URL at ``endpoint`` while the block runs (None: no page)."""
    if port is None:
        yield None
        return
    with WebPageServer(page_config(endpoint, sigv4=sigv4, region=region), host=host, port=port) as server:
        print(f"emulator: chat page on {server.url} (web/dist/, talking to {endpoint})", flush=True)
        yield server
