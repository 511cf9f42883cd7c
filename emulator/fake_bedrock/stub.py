"""The deterministic stub model: its answer text, its token-like deltas, stop handling and usage estimates.

The answer depends only on the prompt (the text of the last user message), so tests anywhere in the project can
compute the exact expected text with :func:`stub_text`. It contains multi-byte UTF-8 (é, °, an emoji) on purpose.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from dataclasses import dataclass

__all__ = [
    "StubAnswer",
    "answer",
    "answer_with",
    "estimate_tokens",
    "reasoning_signature",
    "reasoning_text",
    "split_deltas",
    "stub_text",
]

_OPENERS = (
    "Here is a deterministic answer from the fake Bedrock stub.",
    "The fake Bedrock stub model answers deterministically.",
    "This reply comes from the offline stub model, not from a real one.",
)
_FACTS = (
    "Café au lait tastes best at 65 °C, or so the stub believes ☕.",
    "A crème brûlée sets at about 80 °C in a water bath 🍮.",
    "Streaming makes the first words appear sooner 🚀, even at 21 °C.",
)
_ECHO_LIMIT = 120
_TOKEN_RE = re.compile(r"\s*\S+|\s+")
_GROUPING = (1, 2, 1, 1, 3, 1, 2, 1)


def _summary(prompt: str) -> str:
    flat = " ".join(prompt.split())
    if not flat:
        return "(an empty prompt)"
    if len(flat) > _ECHO_LIMIT:
        return flat[: _ECHO_LIMIT - 1].rstrip() + "…"
    return flat


def stub_text(prompt: str) -> str:
    """The full stub answer for ``prompt`` (text of the last user message, text blocks joined with ``"\\n"``)."""
    seed = zlib.crc32(prompt.encode("utf-8"))
    words = len(prompt.split())
    return (
        f"{_OPENERS[seed % len(_OPENERS)]} You wrote: «{_summary(prompt)}» "
        f"({words} {'word' if words == 1 else 'words'}). {_FACTS[(seed >> 8) % len(_FACTS)]} Naïve, but complete."
    )


def reasoning_text(prompt: str) -> str:
    """The stub's reasoning for ``prompt`` (streamed before the answer when a request asks for reasoning)."""
    return (
        f"The user wrote «{_summary(prompt)}». A deterministic stub has no thoughts of its own, "
        "so it plans to answer with its usual sentences 🤔."
    )


def reasoning_signature(prompt: str) -> str:
    """A deterministic stand-in for the signature Claude models put after their reasoning (base64 text)."""
    digest = hashlib.sha256(b"stub-reasoning\n" + prompt.encode("utf-8")).digest()
    return base64.b64encode(digest * 3).decode("ascii")


def split_deltas(text: str) -> list[str]:
    """Split ``text`` into token-like deltas of varying size (1 to 3 words, long words cut in pieces).

    Deterministic; ``"".join(split_deltas(t)) == t`` for every ``t``.
    """
    pieces: list[str] = []
    for token in _TOKEN_RE.findall(text):
        while len(token) > 7:
            cut = 4 + len(token) % 3
            pieces.append(token[:cut])
            token = token[cut:]
        pieces.append(token)
    deltas: list[str] = []
    index = 0
    turn = 0
    while index < len(pieces):
        size = _GROUPING[turn % len(_GROUPING)]
        deltas.append("".join(pieces[index : index + size]))
        index += size
        turn += 1
    return deltas


def estimate_tokens(text: str) -> int:
    """A deterministic token estimate: one token per 4 characters, at least 1."""
    return max(1, (len(text) + 3) // 4)


@dataclass(frozen=True)
class StubAnswer:
    """What the stub emits for one request: deltas, the stop reason kind and usage."""

    deltas: tuple[str, ...]
    stop: str  # "end_turn" | "max_tokens" | "stop_sequence"
    stop_sequence: str | None
    input_tokens: int

    @property
    def text(self) -> str:
        return "".join(self.deltas)

    @property
    def output_tokens(self) -> int:
        return len(self.deltas)


def answer(prompt: str, *, max_tokens: int | None = None, stop_sequences: tuple[str, ...] = ()) -> StubAnswer:
    """The stub answer for ``prompt``: cut at the earliest stop sequence, then at ``max_tokens`` deltas."""
    return answer_with(stub_text(prompt), prompt, max_tokens=max_tokens, stop_sequences=stop_sequences)


def answer_with(
    text: str, prompt: str, *, max_tokens: int | None = None, stop_sequences: tuple[str, ...] = ()
) -> StubAnswer:
    """:func:`answer` for a given answer ``text`` (e.g. the reply to tool results); usage counts ``prompt``."""
    stop, matched = "end_turn", None
    hits = [(text.find(s), s) for s in stop_sequences if s and s in text]
    if hits:
        position, matched = min(hits)
        text, stop = text[:position], "stop_sequence"
    deltas = split_deltas(text)
    if max_tokens is not None and 0 <= max_tokens < len(deltas):
        deltas, stop, matched = deltas[:max_tokens], "max_tokens", None
    return StubAnswer(tuple(deltas), stop, matched, estimate_tokens(prompt))
