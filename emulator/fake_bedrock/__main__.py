"""Run the fake Bedrock alone: ``python -m emulator.fake_bedrock [--port N] [--replay PATH] [--token-delay-ms N]``.

Prints ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<url>`` and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import threading

from emulator.fake_bedrock.server import FakeBedrock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.fake_bedrock", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--replay", metavar="PATH", help="serve this raw event-stream body for every request")
    parser.add_argument("--first-token-ms", type=int, default=0)
    parser.add_argument("--token-delay-ms", type=int, default=0)
    args = parser.parse_args(argv)
    fake = FakeBedrock(
        mode="replay" if args.replay else "stub",
        replay_path=args.replay,
        first_token_ms=args.first_token_ms,
        token_delay_ms=args.token_delay_ms,
        host=args.host,
        port=args.port,
    )
    with fake:
        print(f"AWS_ENDPOINT_URL_BEDROCK_RUNTIME={fake.url}", flush=True)
        done = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: done.set())
        done.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
