"""Pieces of a Converse ``toolConfig`` every request parser builds the same way.

- :func:`tools_in_history`: the tools a conversation's ``toolUse`` blocks call (Converse refuses tool blocks
  without a ``toolConfig``, so parsers declare them when the request sends no tools);
- :func:`tool_choice`: the ``toolChoice`` for a choice the parser has already read from its own field names
  (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolChoice.html).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from bedrock_stream.chat import ChatMessage
from bedrock_stream.errors import InvalidRequestError

__all__ = ["ChoiceKind", "tool_choice", "tools_in_history"]

ChoiceKind = Literal["auto", "any", "tool"]
"""Converse's three choices: the model decides, it must call some tool, it must call the named tool."""


def tools_in_history(messages: tuple[ChatMessage, ...]) -> list[str]:
    """Names of the tools the conversation's toolUse blocks call, in order of first use."""
    names: list[str] = []
    for message in messages:
        for block in message.content:
            if "toolUse" in block and block["toolUse"]["name"] not in names:
                names.append(block["toolUse"]["name"])
    return names


def tool_choice(kind: ChoiceKind, name: Any = None, declared: Collection[str] = (), field: str = "") -> dict[str, Any]:
    """The ``toolChoice`` for ``kind``; for ``tool``, ``name`` must be one of ``declared`` (400 on ``field``)."""
    if kind != "tool":
        return {kind: {}}
    if name not in declared:
        raise InvalidRequestError(f"tool_choice names unknown tool {name!r}", field=field)
    return {"tool": {"name": name}}
