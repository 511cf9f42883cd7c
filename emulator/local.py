"""``LocalLambda``: the whole local stack in process (Function URL + Runtime APIs + N function processes).

Used by the CLI, tests and benches. Optionally starts the fake Bedrock (``emulator.fake_bedrock``, imported lazily)
and points the function at it through boto3's standard ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``; ``aws`` mode passes the
caller's real credentials and region instead (resolved with boto3, as Lambda would hand a role's credentials over).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from emulator.api_gateway import ApiGatewayOptions, serve_api_gateway
from emulator.cors import CorsConfig
from emulator.function_url import FunctionUrlServer
from emulator.http_base import BODY_TIMEOUT_S, serve_in_thread
from emulator.invocation import Invocation
from emulator.invoke_api import INVOKE_PREFIXES, handle_invoke_api
from emulator.launcher import REPO_ROOT, FunctionConfig, app_defaults
from emulator.logs import LogBook, LogLine
from emulator.sandbox import Pool, Sandbox
from emulator.url_event import UrlConfig

if TYPE_CHECKING:
    from emulator.sigv4_check import SigV4Verifier

__all__ = ["BedrockOptions", "EmulatorError", "LocalLambda"]


class EmulatorError(Exception):
    """The emulator could not start as configured."""


@dataclass(frozen=True, slots=True)
class BedrockOptions:
    """Which Bedrock the function talks to: the fake one (``stub``/``replay``) or the real one (``aws``)."""

    mode: Literal["stub", "replay", "aws"] = "stub"
    replay_path: str | None = None
    first_token_ms: int = 0
    token_delay_ms: int = 0

    @classmethod
    def parse(cls, spec: str, *, first_token_ms: int = 0, token_delay_ms: int = 0) -> BedrockOptions:
        """From the CLI form ``stub``, ``replay:PATH`` or ``aws``."""
        if spec == "stub":
            return cls("stub", None, first_token_ms, token_delay_ms)
        if spec == "aws":
            return cls("aws", None, first_token_ms, token_delay_ms)
        if spec.startswith("replay:") and len(spec) > len("replay:"):
            return cls("replay", spec[len("replay:") :], first_token_ms, token_delay_ms)
        raise ValueError(f"--bedrock expects stub, replay:PATH or aws, got {spec!r}")


def _aws_environment(region: str | None) -> dict[str, str]:
    """The caller's resolved AWS credentials and region as Lambda-style environment variables."""
    import boto3  # only for real-AWS pass-through

    session = boto3.Session(region_name=region) if region else boto3.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise EmulatorError("--bedrock aws: no AWS credentials found (environment, profile or SSO)")
    frozen = credentials.get_frozen_credentials()
    env = {"AWS_ACCESS_KEY_ID": frozen.access_key, "AWS_SECRET_ACCESS_KEY": frozen.secret_key}
    if frozen.token:
        env["AWS_SESSION_TOKEN"] = frozen.token
    if session.region_name:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = session.region_name
    return env


class LocalLambda:
    """A local streaming Lambda behind a Function URL; a context manager exposing ``.url`` and ``.logs``."""

    def __init__(
        self,
        *,
        handler: str = "bedrock_stream.handler.handle",
        timeout: float = 60.0,
        concurrency: int = 1,
        memory: int = 512,
        env: Mapping[str, str] | None = None,
        command: Sequence[str] | None = None,
        task_root: str | Path | None = None,
        extra_paths: Sequence[str | Path] = (),
        bedrock: BedrockOptions | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        function_name: str = "bedrock-stream-local",
        region: str | None = None,
        init_timeout: float = 10.0,
        wait_ready: bool = True,
        echo_logs: bool = False,
        queue_limit: int = 100,
        queue_timeout: float = 900.0,
        body_timeout: float = BODY_TIMEOUT_S,
        snapstart: bool = False,
        cors: CorsConfig | None = None,
        log_format: str = "JSON",
        log_level: str | None = "INFO",
        max_concurrency: int | None = None,
        api_gateway: ApiGatewayOptions | None = None,
        iam_auth: SigV4Verifier | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if queue_limit < 0:
            raise ValueError("queue_limit must be 0 or more")
        self._queue_limit = queue_limit
        self._queue_timeout = queue_timeout
        self._body_timeout = body_timeout
        self._cors = cors
        self._iam_auth = iam_auth
        self.logs = LogBook(echo=_echo if echo_logs else None)
        self.bedrock = bedrock
        self.fake_bedrock: Any = None
        self._region = region or "us-east-1"
        self._user_env = dict(env or {})
        self._concurrency = concurrency
        self._host = host
        self._port = port
        self._init_timeout = init_timeout
        self._wait_ready = wait_ready
        self._config = FunctionConfig(
            handler=handler,
            timeout_s=timeout,
            memory_mb=memory,
            function_name=function_name,
            region=self._region,
            task_root=Path(task_root) if task_root is not None else REPO_ROOT / "functions",
            command=tuple(command) if command else None,
            extra_paths=tuple(str(p) for p in extra_paths),
            snapstart=snapstart,
            log_format=log_format,
            log_level=log_level,
            max_concurrency=max_concurrency,
        )
        self._server: FunctionUrlServer | None = None
        self._api_gateway = api_gateway
        self._api_gateway_server: FunctionUrlServer | None = None
        self._pool: Pool | None = None
        self._started = False

    # --- public API ---------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the local Function URL, e.g. ``http://127.0.0.1:3000``."""
        if self._server is None:
            raise EmulatorError("LocalLambda is not started")
        return self._server.url

    @property
    def api_gateway_url(self) -> str:
        """Base URL of the local API Gateway front (``api_gateway=ApiGatewayOptions(...)``)."""
        if self._api_gateway_server is None:
            raise EmulatorError("LocalLambda runs no API Gateway front (pass api_gateway=ApiGatewayOptions())")
        return self._api_gateway_server.url

    @property
    def config(self) -> FunctionConfig:
        """The function configuration the processes run with."""
        return self._config

    @property
    def pids(self) -> list[int]:
        """Process ids of the function processes currently running."""
        if self._pool is None:
            return []
        return [pid for sandbox in self._pool.sandboxes if (pid := sandbox.pid) is not None]

    @property
    def runtime_apis(self) -> list[str]:
        """``host:port`` of each function process's Runtime API (for tests that act as the runtime themselves)."""
        if self._pool is None:
            return []
        return [address for sandbox in self._pool.sandboxes if (address := sandbox.runtime_api) is not None]

    def log_lines(self, source_prefix: str = "") -> list[LogLine]:
        """Captured log lines whose source starts with ``source_prefix`` (``function`` or ``emulator``)."""
        return [line for line in self.logs.lines() if line.source.startswith(source_prefix)]

    def invoke(self, invocation: Invocation, *, queue_timeout_s: float | None = None) -> bool:
        """Dispatch a raw invocation (any payload) to the pool; consume it with ``invocation.next_event``.

        False when every sandbox is busy and the queue is full or ``queue_timeout_s`` (default: the configured
        ``queue_timeout``) passed.
        """
        if self._pool is None:
            raise EmulatorError("LocalLambda is not started")
        return self._pool.invoke(invocation, queue_timeout_s=queue_timeout_s)

    def start(self) -> LocalLambda:
        """Start fake Bedrock (if asked), the function processes and the Function URL."""
        if self._started:
            return self
        self._started = True
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop everything; kills every function process group (no orphans). Idempotent."""
        for server in (self._server, self._api_gateway_server):
            if server is not None:
                server.shutdown()
                server.server_close()
        self._server = self._api_gateway_server = None
        pool, self._pool = self._pool, None
        if pool is not None:
            threads = [threading.Thread(target=s.close, daemon=True) for s in pool.sandboxes]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        fake, self.fake_bedrock = self.fake_bedrock, None
        if fake is not None:
            fake.stop()
        self._started = False

    def __enter__(self) -> LocalLambda:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- internals ----------------------------------------------------------------------------------------------

    def _bedrock_env(self) -> tuple[dict[str, str], bool]:
        """Extra environment for the function and whether fake credentials are wanted."""
        options = self.bedrock
        if options is None:
            return {}, True
        if options.mode == "aws":
            return _aws_environment(self._user_env.get("AWS_REGION") or os.environ.get("AWS_REGION")), False
        try:
            from emulator.fake_bedrock import FakeBedrock  # type: ignore[attr-defined,unused-ignore]
        except ImportError as exc:
            raise EmulatorError(f"--bedrock {options.mode}: emulator.fake_bedrock is not available ({exc})") from exc
        fake = FakeBedrock(
            mode=options.mode,
            replay_path=options.replay_path,
            first_token_ms=options.first_token_ms,
            token_delay_ms=options.token_delay_ms,
            host=self._host,
        )
        fake.start()
        self.fake_bedrock = fake
        return {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": str(fake.url)}, True

    def _start(self) -> None:
        extra_env, fake_credentials = self._bedrock_env()
        app_env = app_defaults() if self._config.command is None and _is_app(self._config.handler) else {}
        env = {**app_env, **extra_env, **self._user_env}
        config = dataclasses.replace(self._config, env=env)
        self._config = config
        sandboxes: list[Sandbox] = []
        pool = Pool(
            sandboxes, queue_limit=self._queue_limit, queue_timeout_s=self._queue_timeout, on_queued=self._queued
        )
        for index in range(self._concurrency):
            sandbox = Sandbox(
                index,
                config,
                self.logs,
                on_idle=pool.release,
                credentials=fake_credentials,
                init_timeout_s=self._init_timeout,
                host=self._host,
            )
            sandboxes.append(sandbox)
            for _ in range(sandbox.slots):  # Lambda Managed Instances: several invocations per sandbox
                pool.release(sandbox)
        self._pool = pool
        for sandbox in sandboxes:
            sandbox.start()
        server = FunctionUrlServer(
            self._invoke,
            self._platform_log,
            host=self._host,
            port=self._port,
            url_config=UrlConfig(region=config.region),
            body_timeout_s=self._body_timeout,
            cors=self._cors,
            iam_auth=self._iam_auth,
        )
        for prefix in INVOKE_PREFIXES:
            server.extra_routes[prefix] = lambda handler: handle_invoke_api(handler, config)
        self._server = server
        serve_in_thread(server, "function-url")
        if self._api_gateway is not None:
            self._api_gateway_server = serve_api_gateway(
                self._api_gateway, self._invoke, self._platform_log, host=self._host, region=config.region
            )
        if self._wait_ready:
            for sandbox in sandboxes:
                sandbox.ready.wait(self._init_timeout)

    def _invoke(self, invocation: Invocation) -> bool:
        pool = self._pool
        return pool is not None and pool.invoke(invocation)

    def _queued(self, waiting: int) -> None:
        self._platform_log(f"every sandbox is busy: request queued ({waiting} of {self._queue_limit} waiting)")

    def _platform_log(self, message: str) -> None:
        self.logs.add("emulator", "platform", message)


def _is_app(handler: str) -> bool:
    return handler.startswith("bedrock_stream.")


def _echo(line: LogLine) -> None:
    print(f"[{line.source}] {line.text}", file=sys.stderr, flush=True)
