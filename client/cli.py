"""``bedrock-stream``: stream a Bedrock answer from a bedrock-stream endpoint to the terminal.

Text is written to stdout as it arrives (one flush per delta, UTF-8 decoded incrementally) and ends with a
newline, on a terminal or not (pipes and files get whole lines); diagnostics, the spinner, ``--reasoning`` and
``--stats`` go to stderr, each diagnostic on its own line (open reasoning text is ended first).
Exit codes: see ``client.errors`` (also in the README "Usage" section).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from client.api import CompletionRequest, Endpoint
from client.consume import consume
from client.discovery import API_URL_OUTPUT_KEY, OUTPUT_KEY, discover_url
from client.errors import EXIT_BROKEN_PIPE, EXIT_CODES, EXIT_INTERRUPTED, ClientError, UsageError
from client.events import ReasoningEvent, StreamEvent, TextEvent
from client.readers import FORMATS, make_reader
from client.status import Spinner, StreamStats
from client.urls import DEFAULT_URL, URL_ENV

__all__ = ["API_KEY_ENV", "DEFAULT_URL", "PROXY_COMMAND", "URL_ENV", "build_parser", "main"]

API_KEY_ENV = "BEDROCK_STREAM_API_KEY"
"""The environment variable ``--api-key`` defaults to."""
PROXY_COMMAND = "proxy"
"""``bedrock-stream proxy ...``: the signing proxy (a prompt starting with the word goes after ``--``)."""
KEYS_COMMAND = "keys"
"""``bedrock-stream keys ...``: API keys of an authType API_KEY deployment (``client.keys_cli``)."""


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    codes = "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())
    parser = argparse.ArgumentParser(
        prog="bedrock-stream",
        description="Stream an Amazon Bedrock answer from a bedrock-stream Function URL.",
        epilog=f"endpoint: --url, else --stack, else ${URL_ENV}, else {DEFAULT_URL} (make dev)\n\n"
        f"signing proxy for other tools: bedrock-stream {PROXY_COMMAND} --help "
        f"(a prompt starting with the word {PROXY_COMMAND!r} goes after --)\n"
        f"API keys (authType API_KEY): bedrock-stream {KEYS_COMMAND} --help\n\nexit codes:\n{codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("prompt", nargs="*", help="the prompt (default: read from stdin)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help=f"the Function URL (default: ${URL_ENV} or {DEFAULT_URL})")
    where.add_argument("--stack", metavar="NAME", help="find the URL in this CloudFormation stack's outputs")
    parser.add_argument(
        "--api-gateway",
        action="store_true",
        help=f"with --stack: the stack's API Gateway front door (output {API_URL_OUTPUT_KEY}), not its Function URL",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get(API_KEY_ENV) or None,
        help=f"send this key as x-api-key (authType API_KEY, or the API Gateway front door; default ${API_KEY_ENV}); "
        "the request is not signed",
    )
    parser.add_argument("--region", help="AWS Region (default: from the URL, then the AWS config)")
    parser.add_argument("--profile", help="AWS profile for credentials and the stack lookup")
    parser.add_argument("-m", "--model", help="model id (default: the deployment's default model)")
    parser.add_argument("-s", "--system", help="system prompt")
    parser.add_argument("-t", "--temperature", type=float)
    parser.add_argument("--top-p", type=float)
    parser.add_argument("--max-tokens", type=int)
    parser.add_argument(
        "-f", "--format", choices=FORMATS, default="sse", help="wire format to request (default: sse; output is text)"
    )
    parser.add_argument("--raw", action="store_true", help="print the response bytes as received, not just text")
    parser.add_argument("--reasoning", action="store_true", help="also print the model's reasoning, to stderr")
    parser.add_argument("--stats", action="store_true", help="time to first token, tokens, duration on stderr")
    parser.add_argument(
        "--unsigned", action="store_true", help="never sign (AuthType NONE); loopback URLs are never signed"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds without data before giving up")
    return parser


def _prompt(args: argparse.Namespace, stdin: TextIO) -> str:
    prompt = " ".join(args.prompt)
    if not prompt and not stdin.isatty():
        prompt = stdin.read()
    if not prompt.strip():
        raise UsageError("no prompt: pass it as arguments or on stdin")
    return prompt


def _url(args: argparse.Namespace) -> str:
    if args.api_gateway and not args.stack:
        raise UsageError("--api-gateway picks a stack output: use it with --stack NAME")
    if args.url:
        return str(args.url)
    if args.stack:
        output_key = API_URL_OUTPUT_KEY if args.api_gateway else OUTPUT_KEY
        return discover_url(args.stack, region=args.region, profile=args.profile, output_key=output_key)
    return os.environ.get(URL_ENV) or DEFAULT_URL


class _Output:
    """Writes answer text to stdout and reasoning to stderr, flushing every piece."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, reasoning: bool) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.reasoning = reasoning
        self.at_line_start = True
        self.stderr_at_line_start = True

    def text(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
        self.at_line_start = text.endswith("\n")

    def raw(self, data: bytes) -> None:
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is not None:
            self.stdout.flush()
            buffer.write(data)
            buffer.flush()
        else:
            self.stdout.write(data.decode("utf-8", errors="replace"))
            self.stdout.flush()
        self.at_line_start = data.endswith(b"\n")

    def event(self, event: StreamEvent) -> None:
        if isinstance(event, TextEvent) and event.text:
            self.text(event.text)
        elif isinstance(event, ReasoningEvent) and event.text and self.reasoning:
            self.stderr.write(event.text)
            self.stderr.flush()
            self.stderr_at_line_start = event.text.endswith("\n")

    def end_line(self) -> None:
        """Finish the answer's last line (on a terminal or not)."""
        if not self.at_line_start:
            self.text("\n")

    def diagnostic(self, line: str) -> None:
        """One ``bedrock-stream: ...`` line on stderr, after ending any open reasoning line."""
        if not self.stderr_at_line_start:
            self.stderr.write("\n")
        self.stderr.write(f"bedrock-stream: {line}\n")
        self.stderr_at_line_start = True


def _stream(args: argparse.Namespace, prompt: str, out: _Output, stats: StreamStats, spinner: Spinner) -> None:
    request = CompletionRequest(
        prompt=prompt,
        model=args.model,
        system=args.system,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        top_p=args.top_p,
    )
    url = _url(args)
    reader = make_reader(args.format)
    signed = False if args.unsigned else None
    with (
        Endpoint(
            url, region=args.region, profile=args.profile, signed=signed, timeout=args.timeout, api_key=args.api_key
        ) as endpoint,
        endpoint.stream(request, args.format) as chunks,
    ):
        on_chunk = out.raw if args.raw else None
        for event in consume(chunks, reader, on_chunk=on_chunk):
            stats.observe(event, time.monotonic())
            if stats.first_token is not None or args.raw:
                spinner.stop()
            if not args.raw:
                out.event(event)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code. ``proxy ...`` runs the signing proxy (``client.proxy_cli``)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [PROXY_COMMAND]:
        from client import proxy_cli  # the server's imports are only paid for by the subcommand

        return proxy_cli.main(arguments[1:])
    if arguments[:1] == [KEYS_COMMAND]:
        from client import keys_cli  # boto3's DynamoDB calls are only paid for by the subcommand

        return keys_cli.main(arguments[1:])
    stdout, stderr = sys.stdout, sys.stderr
    args = build_parser().parse_args(arguments)
    out = _Output(stdout, stderr, reasoning=args.reasoning)
    stats = StreamStats(started=time.monotonic())
    spinner = Spinner(stderr, "waiting for the first token", enabled=stderr.isatty() and not args.raw)
    code = 0
    try:
        prompt = _prompt(args, sys.stdin)
        spinner.start()
        _stream(args, prompt, out, stats, spinner)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        # stdout went away (e.g. `| head`): stop quietly; point stdout at /dev/null so the final flush cannot fail
        os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        return EXIT_BROKEN_PIPE
    except ClientError as exc:
        code = exc.exit_code
        spinner.stop()
        out.end_line()
        out.diagnostic(f"error: {exc}")
    finally:
        spinner.stop()
    stats.finished = time.monotonic()
    if code == EXIT_INTERRUPTED:
        out.end_line()
        out.diagnostic("interrupted")
    elif code == 0:
        out.end_line()
    if args.stats:
        out.diagnostic(stats.summary())
    stderr.flush()
    return code
