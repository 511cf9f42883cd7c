"""``bedrock-stream proxy``: serve an ``AWS_IAM`` Function URL on http://127.0.0.1:8787, signing every request.

Credentials come from one botocore session (``--profile``, else the standard chain: environment, SSO, assume-role,
container, instance metadata) and are looked up per request, so refreshed credentials are used as they renew.
The Region is ``--region``, else the one in ``*.lambda-url.<region>.on.aws``, else the profile's Region.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import botocore.session
from botocore.exceptions import BotoCoreError

from client.auth import FunctionUrlAuth, SessionCredentials
from client.discovery import discover_url
from client.errors import ClientError, ConfigError, UsageError
from client.proxy import DEFAULT_PORT, ProxyServer
from client.urls import URL_ENV, normalize_base_url, region_from_url

__all__ = ["build_parser", "main", "make_server"]

_EPILOG = f"""\
Point any tool at http://127.0.0.1:{DEFAULT_PORT} with a dummy key; the proxy drops Authorization and x-api-key:
  OPENAI_BASE_URL=http://127.0.0.1:{DEFAULT_PORT}/v1 OPENAI_API_KEY=dummy ...
  ANTHROPIC_BASE_URL=http://127.0.0.1:{DEFAULT_PORT} ANTHROPIC_API_KEY=dummy claude
  curl -N http://127.0.0.1:{DEFAULT_PORT}/ -H 'content-type: application/json' -d '{{"prompt": "Hi"}}'

endpoint: --url, else --stack, else ${URL_ENV}
Listens on 127.0.0.1 only and refuses requests whose Host or Origin is not loopback. Ctrl-C stops it.
"""


def build_parser() -> argparse.ArgumentParser:
    """The ``proxy`` subcommand's command line."""
    parser = argparse.ArgumentParser(
        prog="bedrock-stream proxy",
        description="Local signing proxy: forwards every request to an AWS_IAM Function URL, SigV4-signed with "
        "your AWS credentials, and streams the responses back unbuffered.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free)"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help=f"the Function URL (default: ${URL_ENV})")
    where.add_argument("--stack", metavar="NAME", help="find the URL in this CloudFormation stack's outputs")
    parser.add_argument("--region", help="signing Region (default: from the URL, then the AWS config)")
    parser.add_argument("--profile", help="AWS profile for credentials and the stack lookup")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds without upstream data before giving up")
    return parser


def _target(args: argparse.Namespace) -> str:
    if args.url:
        return normalize_base_url(str(args.url))
    if args.stack:
        return normalize_base_url(discover_url(args.stack, region=args.region, profile=args.profile))
    from_env = os.environ.get(URL_ENV)
    if from_env:
        return normalize_base_url(from_env)
    raise UsageError(f"no endpoint: pass --url URL or --stack NAME (or set ${URL_ENV})")


def _region(args: argparse.Namespace, url: str, session: botocore.session.Session) -> str:
    if args.region:
        return str(args.region)
    region = region_from_url(url)
    if region:
        return region
    try:
        configured = session.get_config_variable("region")
    except BotoCoreError as exc:  # e.g. ProfileNotFound
        raise ConfigError(f"cannot read the AWS config: {exc}") from exc
    configured = configured or os.environ.get("AWS_REGION")
    if configured:
        return str(configured)
    raise ConfigError(f"cannot tell the signing Region of {url}: pass --region or set AWS_REGION")


def make_server(args: argparse.Namespace) -> ProxyServer:
    """The configured, bound (not yet serving) proxy; ``ClientError`` when it cannot be set up."""
    url = _target(args)
    session = botocore.session.Session(profile=args.profile)
    region = _region(args, url, session)
    credentials = SessionCredentials(session)
    credentials.get_frozen_credentials()  # fail now, not on the first request, when there are none at all
    auth = FunctionUrlAuth(region=region, credentials=credentials)
    return ProxyServer(url, auth, port=args.port, timeout=args.timeout)


def _log_to_stderr() -> None:
    """The proxy's request lines and botocore's credential messages (which source, refreshes) on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("bedrock-stream proxy: %(message)s"))
    for name in ("client.proxy", "botocore.credentials"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the proxy until Ctrl-C; returns the process exit code."""
    args = build_parser().parse_args(argv)
    _log_to_stderr()
    try:
        server = make_server(args)
    except ClientError as exc:
        print(f"bedrock-stream proxy: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    region = server.auth.region
    print(
        f"bedrock-stream proxy: {server.url} -> {server.target_url} (SigV4, service lambda, {region}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("bedrock-stream proxy: stopped", file=sys.stderr, flush=True)
    finally:
        server.server_close()
    return 0
