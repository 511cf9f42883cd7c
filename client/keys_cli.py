"""``bedrock-stream keys``: create, list and revoke the API keys of an ``authType: "API_KEY"`` deployment.

``create`` prints the key once, on stdout and alone (``KEY=$(bedrock-stream keys create --name ci)``); only its
salted hash and policy are stored. ``list`` never shows key material. ``revoke`` marks every active key of that name
revoked; the function stops accepting it within ``apiKeyCacheSeconds`` (docs/api-keys.md).

The store: ``--file PATH`` (a local key file for ``make dev``), else ``--table NAME``, else the table named by the
stack output ``ApiKeyTable`` of ``--stack`` (default ``BedrockStream``), in ``--region`` with ``--profile``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import boto3

from client.api_keys import OUTPUT_TABLE, DynamoKeyStore, FileKeyStore, KeyPolicy, KeyStore, make_key, stored_key
from client.discovery import discover_url
from client.errors import ClientError, ConfigError, UsageError

__all__ = ["build_parser", "main", "parse_expiry"]

DEFAULT_STACK = "BedrockStream"


def build_parser() -> argparse.ArgumentParser:
    """The ``keys`` subcommand's command line."""
    parser = argparse.ArgumentParser(
        prog="bedrock-stream keys", description="Manage the API keys of an authType API_KEY deployment."
    )
    where = parser.add_argument_group("key store (default: the stack output ApiKeyTable of --stack BedrockStream)")
    where.add_argument("--stack", metavar="NAME", help=f"find the key table in this stack's outputs ({DEFAULT_STACK})")
    where.add_argument("--table", metavar="NAME", help="the DynamoDB key table, by name")
    where.add_argument("--file", metavar="PATH", type=Path, help="a local key file (make dev, the emulator)")
    parser.add_argument("--region", help="AWS Region (default: the AWS config)")
    parser.add_argument("--profile", help="AWS profile")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="make a key; prints it once")
    create.add_argument("--name", required=True, help="the key's name (logs, metrics, revoke)")
    create.add_argument("--models", nargs="+", metavar="MODEL", help="models the key may call (default: all)")
    create.add_argument("--max-tokens", type=int, metavar="N", help="cap on max_tokens for this key")
    create.add_argument("--expires", metavar="DATE", help="YYYY-MM-DD (valid through that day, UTC) or ISO 8601 time")
    commands.add_parser("list", help="list keys (names, policy, status; never key material)")
    revoke = commands.add_parser("revoke", help="revoke every active key with this name")
    revoke.add_argument("name")
    return parser


def parse_expiry(text: str, *, now: float) -> int:
    """Epoch seconds of ``--expires``: a date means the end of that day (UTC); raises ``UsageError``."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
    except ValueError:
        raise UsageError(f"--expires {text!r}: use YYYY-MM-DD or an ISO 8601 time such as 2027-01-31T12:00Z") from None
    epoch = int(moment.timestamp())
    if epoch <= now:
        raise UsageError(f"--expires {text!r} is in the past")
    return epoch


def _store(args: argparse.Namespace) -> KeyStore:
    if sum(option is not None for option in (args.file, args.table, args.stack)) > 1:
        raise UsageError("give one of --file, --table, --stack")
    if args.file is not None:
        return FileKeyStore(args.file)
    table = args.table
    if table is None:
        stack = args.stack or DEFAULT_STACK
        table = discover_url(stack, region=args.region, profile=args.profile, output_key=OUTPUT_TABLE)
    session = boto3.Session(profile_name=args.profile, region_name=args.region or os.environ.get("AWS_REGION") or None)
    if session.region_name is None:
        raise ConfigError("no AWS Region for the key table: pass --region or set AWS_REGION")
    return DynamoKeyStore(session.client("dynamodb"), table)


def _create(args: argparse.Namespace, store: KeyStore, out: TextIO, err: TextIO) -> None:
    now = time.time()
    if args.max_tokens is not None and args.max_tokens < 1:
        raise UsageError("--max-tokens must be at least 1")
    models = None if args.models is None else tuple(m for arg in args.models for m in arg.split(",") if m)
    policy = KeyPolicy(
        models=models,
        max_tokens=args.max_tokens,
        expires_at=None if args.expires is None else parse_expiry(args.expires, now=now),
    )
    new = make_key(args.name, policy, now=now)
    if any(stored_key(item).name == args.name and stored_key(item).status(now) == "active" for item in store.items()):
        raise UsageError(f"an active key named {args.name!r} exists; revoke it first or pick another name")
    store.add(new.item)
    err.write(f"created key {args.name!r}; it is shown once, store it now:\n")
    err.flush()
    out.write(new.key + "\n")
    out.flush()


def _list(store: KeyStore, out: TextIO) -> None:
    now = time.time()
    rows = [("NAME", "STATUS", "MODELS", "MAX TOKENS", "EXPIRES", "CREATED")]
    for key in sorted((stored_key(item) for item in store.items()), key=lambda k: (k.name, k.created_at)):
        rows.append(
            (
                key.name,
                key.status(now),
                ",".join(key.models) if key.models is not None else "*",
                "-" if key.max_tokens is None else str(key.max_tokens),
                _when(key.expires_at),
                _when(key.created_at),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")


def _revoke(args: argparse.Namespace, store: KeyStore, err: TextIO) -> None:
    now = time.time()
    active = [key for key in map(stored_key, store.items()) if key.name == args.name and key.status(now) == "active"]
    if not active:
        raise UsageError(f"no active key named {args.name!r}")
    for key in active:
        store.revoke(key.key_id, int(now))
    err.write(f"revoked key {args.name!r}; the function refuses it within its apiKeyCacheSeconds\n")


def _when(epoch: int | None) -> str:
    if epoch is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``keys``; returns the exit code (the client's codes, ``client.errors``)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        store = _store(args)
        if args.command == "create":
            _create(args, store, out, err)
        elif args.command == "list":
            _list(store, out)
        else:
            _revoke(args, store, err)
    except ClientError as exc:
        err.write(f"bedrock-stream keys: error: {exc}\n")
        return exc.exit_code
    return 0
