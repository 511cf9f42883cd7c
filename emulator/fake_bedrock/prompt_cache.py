"""The stub's prompt cache: cache points in a Converse request -> ``cacheReadInputTokens`` / ``cacheWriteInputTokens``.

Bedrock caches the prompt prefix that ends at each ``cachePoint`` block, in the order tools, system, messages
(https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html; the block is ``CachePointBlock`` in
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CachePointBlock.html). The stub's rule: the
longest prefix ending at a cache point that an earlier request of this fake already sent is *read*; the rest, up to
the last cache point, is *written* (and remembered). Sizes are the stub's token estimate of each prefix's canonical
JSON. There is no minimum prefix size and no time to live; :meth:`PromptCache.clear` forgets everything.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.fake_bedrock.stub import estimate_tokens

__all__ = ["CacheUsage", "PromptCache", "cache_prefixes"]

_LIMIT = 10_000


@dataclass(frozen=True)
class CacheUsage:
    """Prompt-cache token counts of one request."""

    read: int = 0
    write: int = 0


def _items(body: Mapping[str, Any]) -> list[Any]:
    """The request as one ordered list of blocks: tools, then system blocks, then each message's blocks."""
    items: list[Any] = []
    tool_config = body.get("toolConfig")
    if isinstance(tool_config, Mapping) and isinstance(tool_config.get("tools"), list):
        items.extend(tool_config["tools"])
    if isinstance(body.get("system"), list):
        items.extend(body["system"])
    for message in body.get("messages") or []:
        if isinstance(message, Mapping) and isinstance(message.get("content"), list):
            role = message.get("role")
            items.extend({"role": role, "block": block} for block in message["content"])
    return items


def _is_cache_point(item: Any) -> bool:
    if isinstance(item, Mapping) and "block" in item:
        item = item["block"]
    return isinstance(item, Mapping) and "cachePoint" in item


def cache_prefixes(body: Mapping[str, Any]) -> list[str]:
    """The canonical JSON of the prefix before each cache point of ``body``, shortest first."""
    items = _items(body)
    return [
        json.dumps(items[:index], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for index, item in enumerate(items)
        if _is_cache_point(item)
    ]


class PromptCache:
    """The prefixes this fake has cached (thread-safe, bounded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, None] = {}

    def use(self, body: Mapping[str, Any]) -> CacheUsage | None:
        """Read and write counts for ``body``, remembering its prefixes; None when it has no cache point."""
        prefixes = cache_prefixes(body)
        if not prefixes:
            return None
        keys = [hashlib.sha256(prefix.encode("utf-8")).hexdigest() for prefix in prefixes]
        with self._lock:
            hits = [i for i, key in enumerate(keys) if key in self._seen]
            for key in keys:
                self._seen[key] = None
            while len(self._seen) > _LIMIT:
                del self._seen[next(iter(self._seen))]
        read = estimate_tokens(prefixes[hits[-1]]) if hits else 0
        total = estimate_tokens(prefixes[-1])
        return CacheUsage(read=read, write=total - read)

    def clear(self) -> None:
        """Forget every cached prefix."""
        with self._lock:
            self._seen.clear()
