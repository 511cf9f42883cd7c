"""``python -m client``: the bedrock-stream CLI."""

from __future__ import annotations

from client.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
