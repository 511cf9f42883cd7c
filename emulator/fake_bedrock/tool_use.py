"""When the stub calls a tool, which one, with what input; and its answer to tool results (a tool loop).

Reads Converse's ``toolConfig`` (``tools[].toolSpec {name, description, inputSchema.json}``, ``toolChoice``
``auto`` / ``any`` / ``tool: {name}``; https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolConfiguration.html).
The stub calls a tool when the last user message holds no ``toolResult`` and

- ``toolChoice`` is ``tool`` (that tool) or ``any`` (the tool the prompt names, else the first tool), or
- the prompt asks for one: it contains ``use the <name> tool`` (that tool) or ``call a tool`` (the first tool),
  case-insensitive, under ``auto`` or no ``toolChoice``.

The input is :func:`~emulator.fake_bedrock.schema_instance.minimal_instance` of the tool's schema. When the last
user message holds ``toolResult`` blocks the stub answers with text quoting each result.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.fake_bedrock.errors import BodyError
from emulator.fake_bedrock.schema_instance import minimal_instance

__all__ = ["ToolCall", "plan_tool_call", "split_json", "tool_result_text", "tool_results"]

_NAMED = re.compile(r"\buse the ([A-Za-z0-9_-]+) tool\b", re.IGNORECASE)
_ANY = re.compile(r"\bcall a tool\b", re.IGNORECASE)
_QUOTE_LIMIT = 200


@dataclass(frozen=True)
class ToolCall:
    """A tool call the stub makes: id, tool name and the input as JSON text."""

    tool_use_id: str
    name: str
    input_json: str

    @property
    def input(self) -> Any:
        return json.loads(self.input_json)


def _specs(tool_config: Any) -> dict[str, Mapping[str, Any]]:
    if tool_config is None:
        return {}
    if not isinstance(tool_config, Mapping):
        raise BodyError("toolConfig must be an object")
    tools = tool_config.get("tools")
    if not isinstance(tools, list) or not tools:
        raise BodyError("toolConfig.tools must be a non-empty list")
    specs: dict[str, Mapping[str, Any]] = {}
    for tool in tools:
        spec = tool.get("toolSpec") if isinstance(tool, Mapping) else None
        if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
            specs[spec["name"]] = spec
    return specs


def _wanted(choice: Any, prompt: str, names: list[str]) -> str | None:
    named: str | None = next((str(m) for m in _NAMED.findall(prompt) if m in names), None)
    if isinstance(choice, Mapping) and "tool" in choice:
        name = choice["tool"].get("name") if isinstance(choice["tool"], Mapping) else None
        if not isinstance(name, str) or name not in names:
            raise BodyError(f"toolChoice names a tool that is not in toolConfig.tools: {name!r}")
        return name
    if isinstance(choice, Mapping) and "any" in choice:
        return named or names[0]
    if named is not None:
        return named
    return names[0] if _ANY.search(prompt) else None


def plan_tool_call(body: Mapping[str, Any], prompt: str) -> ToolCall | None:
    """The tool call the stub makes for ``body`` (None: it answers with text). Raises :class:`BodyError`."""
    tool_config = body.get("toolConfig")
    specs = _specs(tool_config)
    if not specs or tool_results(body.get("messages")):
        return None
    choice = tool_config.get("toolChoice") if isinstance(tool_config, Mapping) else None
    name = _wanted(choice, prompt, list(specs))
    if name is None:
        return None
    schema = specs[name].get("inputSchema")
    instance = minimal_instance(schema.get("json") if isinstance(schema, Mapping) else None)
    input_json = json.dumps(instance, ensure_ascii=False, separators=(",", ":"))
    turn = len(body.get("messages") or [])
    digest = hashlib.sha256(f"{name}\n{turn}\n{prompt}".encode()).digest()
    tool_use_id = "tooluse_" + base64.urlsafe_b64encode(digest).decode("ascii")[:22]
    return ToolCall(tool_use_id, name, input_json)


def split_json(text: str) -> list[str]:
    """``text`` in several pieces (as Bedrock streams ``toolUse.input``); ``"".join(...) == text``."""
    if len(text) < 2:
        return [text]
    if len(text) < 8:
        return [text[: len(text) // 2], text[len(text) // 2 :]]
    pieces: list[str] = []
    start, sizes = 0, (4, 7, 5)
    while start < len(text):
        size = sizes[len(pieces) % len(sizes)]
        pieces.append(text[start : start + size])
        start += size
    return pieces


def tool_results(messages: Any) -> list[Mapping[str, Any]]:
    """The ``toolResult`` blocks of the last user message (empty when there are none)."""
    if not isinstance(messages, list):
        return []
    for message in reversed(messages):
        if isinstance(message, Mapping) and message.get("role") == "user":
            content = message.get("content")
            if not isinstance(content, list):
                return []
            return [
                block["toolResult"]
                for block in content
                if isinstance(block, Mapping) and isinstance(block.get("toolResult"), Mapping)
            ]
    return []


def _tool_names(messages: list[Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for message in messages:
        content = message.get("content") if isinstance(message, Mapping) else None
        for block in content if isinstance(content, list) else []:
            use = block.get("toolUse") if isinstance(block, Mapping) else None
            if isinstance(use, Mapping) and isinstance(use.get("toolUseId"), str):
                names[use["toolUseId"]] = str(use.get("name"))
    return names


def _result_text(result: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for item in result.get("content") or []:
        if isinstance(item, Mapping) and isinstance(item.get("text"), str):
            parts.append(item["text"])
        elif isinstance(item, Mapping) and "json" in item:
            parts.append(json.dumps(item["json"], ensure_ascii=False, separators=(",", ":")))
    flat = " ".join(" ".join(parts).split()) or "(no content)"
    return flat if len(flat) <= _QUOTE_LIMIT else flat[: _QUOTE_LIMIT - 1].rstrip() + "…"


def tool_result_text(messages: list[Any], results: list[Mapping[str, Any]]) -> str:
    """The stub's text answer to ``results``: each tool (named from the earlier ``toolUse``) and its result."""
    names = _tool_names(messages)
    lines = []
    for result in results:
        tool_use_id = str(result.get("toolUseId"))
        name = names.get(tool_use_id, tool_use_id)
        failed = " (reported as an error)" if result.get("status") == "error" else ""
        lines.append(f"The {name} tool returned{failed}: «{_result_text(result)}».")
    return " ".join(lines) + " That is what the stub knows now ✅."
