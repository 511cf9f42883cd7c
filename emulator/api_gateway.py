"""A local API Gateway REST API front with response streaming (``responseTransferMode: STREAM``), as the stack's
``frontDoor: "apiGateway"`` deploys it (infra/api_gateway_front.py).

It is the Function URL front (emulator/function_url.py) with a different event and API Gateway's rules:

* every request becomes a REST proxy event (payload 1.0, emulator/rest_event.py) for ``/`` or ``/{proxy+}``; a
  method the API does not define (the stack defines GET and POST) gets **403** ``{"message":"Missing Authentication
  Token"}``, API Gateway's answer for a method or resource it does not have
  (https://repost.aws/knowledge-center/api-gateway-authentication-token-errors);
* with keys configured, a request without a known ``x-api-key`` gets **403** ``{"message":"Forbidden"}`` with
  ``x-amzn-ErrorType: ForbiddenException`` and never reaches the function (API keys and usage plans,
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html); the event carries
  the key and its id in ``requestContext.identity`` (the id: the first 10 hex digits of the key's SHA-256, the
  emulator's own choice);
* the function's output is the HTTP-integration prelude (JSON, 8 NUL bytes, body) that must end within its first
  16 KB (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html);
* streaming limits (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html): a
  stream silent for the idle timeout (5 minutes Regional, 30 s edge-optimized) is cut; the integration timeout (at
  most 15 minutes) bounds the whole response; the first 10 MB go out uncapped, the rest at 2 MB/s
  (emulator/bandwidth.py). All are :class:`StreamLimits` fields, so tests shrink them.
* errors in API Gateway's shape: a function error or a bad prelude is **502** ``{"message": "Internal server
  error"}``; a timeout before the first byte is **504** ``{"message": "Endpoint request timed out"}``; after it, the
  body ends without its last chunk (as the Function URL front does). A cut stream detaches the invocation: the
  function runs on, as AWS says it may.

Not emulated: usage-plan throttling and quotas (429), stage prefixes in the URL, CORS, WAF.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.bandwidth import BandwidthCap
from emulator.function_url import FunctionUrlHandler, FunctionUrlServer, InvokeFn
from emulator.http_base import serve_in_thread
from emulator.invocation import FunctionError, Invocation, InvocationAborted, ResponseEvent
from emulator.prelude import PRELUDE_WINDOW, PreludeParser
from emulator.rest_event import RestApiConfig, build_rest_event, trace_id

__all__ = [
    "EDGE_IDLE_TIMEOUT_S",
    "IDLE_TIMEOUT",
    "INTEGRATION_TIMEOUT",
    "METHODS",
    "REGIONAL_IDLE_TIMEOUT_S",
    "ApiGatewayHandler",
    "ApiGatewayOptions",
    "ApiGatewayServer",
    "StreamLimits",
    "api_key_id",
    "serve_api_gateway",
]

REGIONAL_IDLE_TIMEOUT_S = 300.0
EDGE_IDLE_TIMEOUT_S = 30.0
IDLE_TIMEOUT = "ApiGateway.IdleTimeout"
INTEGRATION_TIMEOUT = "ApiGateway.IntegrationTimeout"
"""``InvocationAborted.error_type`` of the two cuts (the emulator's names, in its platform log)."""
_TIMEOUTS = frozenset({IDLE_TIMEOUT, INTEGRATION_TIMEOUT, "Sandbox.Timeout"})
METHODS = ("GET", "POST")
"""The methods the stack defines on ``/`` and ``/{proxy+}`` (infra/api_gateway_front.py ``METHODS``, repeated: the
emulator never imports infra; tests/infra cross-checks the two)."""


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """API Gateway's response-streaming limits (response-transfer-mode.html); defaults as AWS documents them."""

    idle_timeout_s: float = REGIONAL_IDLE_TIMEOUT_S
    integration_timeout_s: float = 900.0
    uncapped_bytes: int = 10 * 1000 * 1000
    bytes_per_second: float = 2 * 1000 * 1000
    prelude_window: int = PRELUDE_WINDOW

    def __post_init__(self) -> None:
        if self.idle_timeout_s <= 0 or not 0 < self.integration_timeout_s <= 900:
            raise ValueError("the idle timeout must be positive and the integration timeout within (0, 900] s")


@dataclass(frozen=True, slots=True)
class ApiGatewayOptions:
    """``LocalLambda(api_gateway=...)``: serve the REST API front too, on ``port`` (0: any free port)."""

    port: int = 0
    api_keys: tuple[str, ...] = ()
    limits: StreamLimits = StreamLimits()
    stage: str = "prod"
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def api_key_id(key: str) -> str:
    """The id the emulator gives an API key (API Gateway's ids are random; these are stable)."""
    return hashlib.sha256(key.encode()).hexdigest()[:10]


class ApiGatewayServer(FunctionUrlServer):
    """The REST API front; ``api_keys`` empty: no key required. ``clock``/``sleep`` pace the bandwidth cap."""

    def __init__(
        self,
        invoke: InvokeFn,
        log: Callable[[str], None],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Iterable[str] = (),
        limits: StreamLimits | None = None,
        rest_config: RestApiConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        self.api_keys: Mapping[str, str] = {key: api_key_id(key) for key in api_keys}
        self.limits = limits or StreamLimits()
        self.rest_config = rest_config or RestApiConfig()
        self.clock = clock
        self.sleep = sleep
        super().__init__(invoke, log, host=host, port=port, **kwargs)
        self.RequestHandlerClass = ApiGatewayHandler


class ApiGatewayHandler(FunctionUrlHandler):
    """One client connection to the REST API."""

    server: ApiGatewayServer
    _api_key: str | None = None
    _deadline = 0.0
    _last_byte = 0.0
    _cap: BandwidthCap | None = None

    def _handle(self) -> None:
        limits = self.server.limits
        self._api_key = self.headers.get("x-api-key")
        if self.command not in METHODS:
            self._refuse("Missing Authentication Token", "MissingAuthenticationTokenException")
            return
        if self.server.api_keys and self._api_key not in self.server.api_keys:
            self._refuse("Forbidden", "ForbiddenException")
            return
        self._deadline = time.monotonic() + limits.integration_timeout_s
        self._last_byte = time.monotonic()
        self._cap = BandwidthCap(
            limits.uncapped_bytes, limits.bytes_per_second, clock=self.server.clock, sleep=self.server.sleep
        )
        super()._handle()

    def _refuse(self, message: str, error_type: str) -> None:
        """API Gateway's own 403, after the request body was read; the function is not invoked."""
        if self.read_request() is not None:
            self.server.log(f"{self.command} {self.path} refused with 403: {message}")
            self.send_json(403, {"message": message}, headers={"x-amzn-ErrorType": error_type})

    # --- hooks of the Function URL front -----------------------------------------------------------------------

    def build_event(self, body: bytes, request_id: str) -> tuple[dict[str, Any], str | None]:
        """The REST proxy event of the current request."""
        key = self._api_key if self._api_key in self.server.api_keys else None
        event = build_rest_event(
            method=self.command,
            target=self.path,
            headers=self.headers.items(),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
            config=self.server.rest_config,
            request_id=request_id,
            api_key=key,
            api_key_id=self.server.api_keys[key] if key is not None else None,
        )
        return event, trace_id(event)

    def next_event(self, invocation: Invocation) -> ResponseEvent:
        """The next event, or an abort once the stream was idle or the integration ran out of time."""
        limits = self.server.limits
        idle_end = self._last_byte + limits.idle_timeout_s
        end = min(idle_end, self._deadline)
        event = invocation.next_event(timeout=max(0.0, end - time.monotonic()))
        if event is None:
            invocation.detach()  # the function runs on; its output goes nowhere
            if end == self._deadline:
                return InvocationAborted(
                    INTEGRATION_TIMEOUT, f"integration timeout of {limits.integration_timeout_s:g} s reached"
                )
            return InvocationAborted(IDLE_TIMEOUT, f"stream idle for {limits.idle_timeout_s:g} s")
        self._last_byte = time.monotonic()
        return event

    def write_chunk(self, data: bytes) -> None:
        """Send a body chunk within the bandwidth cap."""
        if self._cap is not None:
            self._cap.pace(len(data))
        super().write_chunk(data)

    def prelude_parser(self) -> PreludeParser:
        """The prelude must end within the front's window (16 KB on AWS)."""
        return PreludeParser(window=self.server.limits.prelude_window)

    # --- API Gateway's error answers ---------------------------------------------------------------------------

    def _internal_error(self, error_type: str, request_id: str) -> None:
        self.server.log(f"{request_id} answered 502 ({error_type})")
        self.send_json(502, {"message": "Internal server error"}, headers={"x-amzn-RequestId": request_id})

    def _fail(self, event: FunctionError | InvocationAborted, request_id: str) -> None:
        if isinstance(event, InvocationAborted) and event.error_type in _TIMEOUTS:
            self.server.log(f"{request_id} {event.error_type}: {event.message}")
            body = {"message": "Endpoint request timed out"}
            self.send_json(504, body, headers={"x-amzn-RequestId": request_id})
            return
        super()._fail(event, request_id)


def serve_api_gateway(
    options: ApiGatewayOptions, invoke: InvokeFn, log: Callable[[str], None], *, host: str, region: str
) -> ApiGatewayServer:
    """Start the REST API front in a thread (``LocalLambda`` calls this); stop it with ``shutdown()``."""
    server = ApiGatewayServer(
        invoke,
        log,
        host=host,
        port=options.port,
        api_keys=options.api_keys,
        limits=options.limits,
        rest_config=RestApiConfig(stage=options.stage, region=region),
        clock=options.clock,
        sleep=options.sleep,
    )
    serve_in_thread(server, "api-gateway")
    return server
