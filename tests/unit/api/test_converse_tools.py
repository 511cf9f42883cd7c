"""The toolConfig pieces every request parser shares (functions/bedrock_stream/converse_tools.py).

Converse's ToolChoice union: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolChoice.html
"""

from __future__ import annotations

import pytest

from bedrock_stream.chat import ChatMessage
from bedrock_stream.converse_tools import tool_choice, tools_in_history
from bedrock_stream.errors import InvalidRequestError


def _use(name: str) -> dict[str, object]:
    return {"toolUse": {"toolUseId": f"id-{name}", "name": name, "input": {}}}


def test_tools_in_history_lists_each_called_tool_once_in_order_of_first_use() -> None:
    messages = (
        ChatMessage("user", ({"text": "Hi"},)),
        ChatMessage("assistant", (_use("weather"), _use("time"))),
        ChatMessage("assistant", (_use("weather"),)),
    )
    assert tools_in_history(messages) == ["weather", "time"]


def test_tool_choice_shapes() -> None:
    assert tool_choice("auto") == {"auto": {}}
    assert tool_choice("any") == {"any": {}}
    assert tool_choice("tool", "weather", {"weather"}, "tool_choice.name") == {"tool": {"name": "weather"}}


def test_tool_choice_naming_an_undeclared_tool_is_a_400_on_the_surfaces_field() -> None:
    with pytest.raises(InvalidRequestError, match="unknown tool 'time'") as caught:
        tool_choice("tool", "time", {"weather"}, "tool_choice.function.name")
    assert caught.value.field == "tool_choice.function.name"
