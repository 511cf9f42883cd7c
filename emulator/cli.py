"""``python -m emulator``: serve the function on a local Function URL until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from emulator.api_gateway import REGIONAL_IDLE_TIMEOUT_S, ApiGatewayOptions, StreamLimits
from emulator.api_keys import api_key_env, with_key_headers
from emulator.cors import CorsConfig
from emulator.launcher import LOG_FORMATS, LOG_LEVELS, REPO_ROOT, split_env_items
from emulator.local import BedrockOptions, EmulatorError, LocalLambda
from emulator.sigv4_check import verifier_from_environment
from emulator.web_static import WebPageError, serve_page

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Local Lambda Function URL (RESPONSE_STREAM) + Runtime API + function processes.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="Function URL port (default 3000; 0 = ephemeral)")
    parser.add_argument("--handler", default="bedrock_stream.handler.handle", help="_HANDLER (MODULE.FUNC)")
    parser.add_argument("--timeout", type=float, default=60.0, help="function timeout in seconds (default 60)")
    parser.add_argument("--concurrency", type=int, default=2, help="function processes (default 2)")
    parser.add_argument(
        "--queue-limit",
        type=int,
        default=100,
        help="requests that may wait for a busy function before the rest get 429 (default 100)",
    )
    parser.add_argument(
        "--queue-timeout", type=float, default=900.0, help="seconds a queued request waits before its 429 (default 900)"
    )
    parser.add_argument("--memory", type=int, default=512, help="AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 512)")
    parser.add_argument("--function-name", default="bedrock-stream-local", help="AWS_LAMBDA_FUNCTION_NAME")
    parser.add_argument("--region", default=None, help="AWS_REGION for the function (default us-east-1)")
    parser.add_argument("--task-root", default=str(REPO_ROOT / "functions"), help="LAMBDA_TASK_ROOT")
    parser.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="function environment variable (repeatable)"
    )
    parser.add_argument(
        "--bedrock", default="stub", metavar="stub|replay:PATH|aws", help="which Bedrock the function calls"
    )
    parser.add_argument("--first-token-ms", type=int, default=0, help="fake Bedrock: delay before the first token")
    parser.add_argument("--token-delay-ms", type=int, default=0, help="fake Bedrock: delay between tokens")
    parser.add_argument("--quiet", action="store_true", help="do not echo the function's log lines")
    parser.add_argument(
        "--snapstart",
        action="store_true",
        help="initialize as SnapStart does (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): hooks and /restore/next",
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=None,
        metavar="N",
        help="Lambda Managed Instances: each function process serves N invocations at once "
        "(AWS_LAMBDA_MAX_CONCURRENCY=N; no kill on timeout)",
    )
    parser.add_argument(
        "--log-format", choices=LOG_FORMATS, default="JSON", help="AWS_LAMBDA_LOG_FORMAT (default JSON, as the stack)"
    )
    parser.add_argument(
        "--log-level", choices=LOG_LEVELS, default="INFO", help="AWS_LAMBDA_LOG_LEVEL for JSON logs (default INFO)"
    )
    cors = parser.add_argument_group("CORS", "the Function URL's own CORS (off unless --cors-origin is given)")
    cors.add_argument(
        "--cors-origin", action="append", default=[], metavar="ORIGIN", help="allowed origin, or * (repeatable)"
    )
    cors.add_argument(
        "--cors-allow-method",
        action="append",
        default=None,
        metavar="METHOD",
        help="allowed method (repeatable; default GET and POST)",
    )
    cors.add_argument(
        "--cors-allow-header",
        action="append",
        default=None,
        metavar="HEADER",
        help="allowed request header (repeatable; default the SigV4 headers, content-type and accept)",
    )
    cors.add_argument(
        "--cors-expose-header",
        action="append",
        default=[],
        metavar="HEADER",
        help="exposed response header (repeatable; default the function's own x- headers)",
    )
    cors.add_argument("--cors-max-age", type=int, default=None, help="preflight cache seconds (0..86400)")
    cors.add_argument("--cors-allow-credentials", action="store_true", help="Access-Control-Allow-Credentials: true")
    gateway = parser.add_argument_group(
        "API Gateway", "a local REST API front with response streaming (off unless --api-gateway-port is given)"
    )
    gateway.add_argument("--api-gateway-port", type=int, default=None, help="serve it on this port (0 = any)")
    gateway.add_argument(
        "--api-gateway-key", action="append", default=[], metavar="KEY", help="accepted x-api-key (repeatable)"
    )
    gateway.add_argument(
        "--api-gateway-idle-timeout",
        type=float,
        default=REGIONAL_IDLE_TIMEOUT_S,
        help="seconds a stream may stay silent (default 300, Regional; edge-optimized: 30)",
    )
    gateway.add_argument(
        "--api-gateway-integration-timeout",
        type=float,
        default=None,
        help="seconds the whole response may take (default: --timeout, at most 900)",
    )
    web = parser.add_argument_group("web page", "the chat page (web/dist/) on its own origin, and IAM auth")
    web.add_argument(
        "--web-port", type=int, default=None, metavar="PORT", help="serve the built chat page on this port (0: any)"
    )
    web.add_argument(
        "--verify-sigv4",
        action="store_true",
        help="check SigV4 (service lambda) on Function URL requests against AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        "/AWS_SESSION_TOKEN of this process, as AuthType AWS_IAM does; bad or missing signatures get 403",
    )
    keys = parser.add_argument_group("API keys", "behave like authType API_KEY (off unless a key option is given)")
    keys.add_argument(
        "--api-key", action="append", default=[], metavar="KEY", help="accept this bsk_... key (repeatable)"
    )
    keys.add_argument(
        "--api-key-file", metavar="PATH", help="accept the keys of this key file (bedrock-stream keys create --file)"
    )
    keys.add_argument(
        "--api-key-cache-seconds", type=float, default=None, help="seconds a key record is cached (default 60)"
    )
    parser.add_argument(
        "--command",
        nargs=argparse.REMAINDER,
        default=None,
        metavar="CMD",
        help="run this runtime process instead of functions/bootstrap (must be the last option)",
    )
    return parser


DEFAULT_REGION = "us-east-1"  # LocalLambda's default AWS_REGION, the region a signature is checked against

# The stack's defaults (infra/config.py, CorsConfig), repeated: the emulator never imports infra.
DEFAULT_CORS_METHODS = ("GET", "POST")
DEFAULT_CORS_HEADERS = (
    "content-type",
    "accept",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
)
DEFAULT_CORS_EXPOSE_HEADERS = ("x-request-id", "x-ignored-params", "x-token-count")


def cors_from_args(args: argparse.Namespace) -> CorsConfig | None:
    """The ``--cors-*`` options as the URL's CORS, or None without ``--cors-origin``; raises ValueError."""
    if not args.cors_origin:
        if args.cors_allow_method or args.cors_allow_header or args.cors_expose_header or args.cors_max_age:
            raise ValueError("the --cors-* options need at least one --cors-origin")
        return None
    if args.cors_max_age is not None and not 0 <= args.cors_max_age <= 86400:
        raise ValueError("--cors-max-age must be within 0..86400")
    if args.cors_allow_credentials and "*" in args.cors_origin:
        raise ValueError("--cors-allow-credentials cannot go with --cors-origin * (browsers refuse it)")
    return CorsConfig(
        allow_origins=tuple(args.cors_origin),
        allow_methods=tuple(m.upper() for m in args.cors_allow_method or DEFAULT_CORS_METHODS),
        allow_headers=tuple(args.cors_allow_header or DEFAULT_CORS_HEADERS),
        expose_headers=tuple(args.cors_expose_header or DEFAULT_CORS_EXPOSE_HEADERS),
        max_age=3600 if args.cors_max_age is None else args.cors_max_age,
        allow_credentials=args.cors_allow_credentials,
    )


def api_gateway_from_args(args: argparse.Namespace) -> ApiGatewayOptions | None:
    """The ``--api-gateway-*`` options, or None without ``--api-gateway-port``; raises ValueError."""
    if args.api_gateway_port is None:
        if args.api_gateway_key or args.api_gateway_integration_timeout is not None:
            raise ValueError("the --api-gateway-* options need --api-gateway-port")
        return None
    integration = args.api_gateway_integration_timeout
    limits = StreamLimits(
        idle_timeout_s=args.api_gateway_idle_timeout,
        integration_timeout_s=min(args.timeout, 900.0) if integration is None else integration,
    )
    return ApiGatewayOptions(port=args.api_gateway_port, api_keys=tuple(args.api_gateway_key), limits=limits)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        env = split_env_items(args.env)
        bedrock = BedrockOptions.parse(
            args.bedrock, first_token_ms=args.first_token_ms, token_delay_ms=args.token_delay_ms
        )
        cors = cors_from_args(args)
        api_gateway = api_gateway_from_args(args)
        iam_auth = verifier_from_environment(args.region or DEFAULT_REGION) if args.verify_sigv4 else None
    except ValueError as exc:
        parser.error(str(exc))
    if args.queue_limit < 0:
        parser.error("--queue-limit must be 0 or more")
    if args.command is not None and not args.command:
        parser.error("--command needs the command to run")
    if args.max_concurrency is not None and args.max_concurrency < 1:
        parser.error("--max-concurrency must be at least 1")
    if args.max_concurrency is not None and args.snapstart:
        parser.error("--snapstart cannot go with --max-concurrency: SnapStart is not available on Managed Instances")
    if args.max_concurrency is not None and args.log_format != "JSON":
        parser.error("--max-concurrency needs --log-format JSON: Managed Instances functions always log JSON")
    try:  # last: it may write a temporary key file, removed when the emulator stops
        key_env, key_file = api_key_env(args.api_key, args.api_key_file, cache_seconds=args.api_key_cache_seconds)
    except ValueError as exc:
        parser.error(str(exc))
    env = {**env, **key_env}
    if key_env:
        cors = with_key_headers(cors)  # as the stack's CORS in API_KEY mode
    emulator = LocalLambda(
        handler=args.handler,
        timeout=args.timeout,
        concurrency=args.concurrency,
        memory=args.memory,
        env=env,
        command=args.command,
        task_root=args.task_root,
        bedrock=bedrock,
        host=args.host,
        port=args.port,
        function_name=args.function_name,
        region=args.region,
        wait_ready=False,
        echo_logs=not args.quiet,
        queue_limit=args.queue_limit,
        queue_timeout=args.queue_timeout,
        snapstart=args.snapstart,
        cors=cors,
        log_format=args.log_format,
        log_level=args.log_level,
        max_concurrency=args.max_concurrency,
        api_gateway=api_gateway,
        iam_auth=iam_auth,
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with (
            emulator,
            serve_page(
                args.web_port, emulator.url, args.host, sigv4=iam_auth is not None, region=args.region or DEFAULT_REGION
            ),
        ):
            fake = emulator.fake_bedrock
            bedrock_text = f"fake Bedrock ({bedrock.mode}) at {fake.url}" if fake is not None else "real AWS Bedrock"
            runtime = " ".join(args.command) if args.command else "functions/bootstrap"
            if args.snapstart:
                runtime += " (SnapStart init)"
            if args.max_concurrency is not None:
                runtime += f" (Managed Instances, {args.max_concurrency} at once per process)"
            print(
                f"emulator: Function URL {emulator.url} -> {args.handler} via {runtime} "
                f"(concurrency {args.concurrency}, timeout {args.timeout:g}s, {bedrock_text}); Ctrl-C to stop",
                flush=True,
            )
            if api_gateway is not None:
                keys = "x-api-key required" if api_gateway.api_keys else "no key required"
                print(f"emulator: API Gateway {emulator.api_gateway_url} ({keys})", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        print("emulator: stopped", file=sys.stderr, flush=True)
    except (EmulatorError, WebPageError, OSError) as exc:
        print(f"emulator: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if key_file is not None:
            key_file.unlink(missing_ok=True)
    return 0
