"""One reasoning rule for every surface (functions/bedrock_stream/openai_reasoning.py).

Each parser reads its own field names (Chat Completions ``reasoning_effort``, Responses ``reasoning.effort``,
native ``reasoning``, Anthropic ``thinking``); the per-family shapes and the effort -> Claude budget rule are
shared, and 400s name the surface's own field. Shapes:
https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html,
https://docs.aws.amazon.com/nova/latest/nova2-userguide/using-converse-api.html,
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html.
"""

from __future__ import annotations

from typing import Any

import pytest

from bedrock_stream.anthropic_request import parse_anthropic_request
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.native_request import parse_native_request
from bedrock_stream.openai_request import parse_openai_request
from bedrock_stream.responses_request import parse_responses_request
from tests.unit.api.support import settings

CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA2 = "global.amazon.nova-2-lite-v1:0"
NOVA = "us.amazon.nova-lite-v1:0"
GPT_OSS = "openai.gpt-oss-120b-1:0"
ALL = settings(models=(CLAUDE, NOVA2, NOVA, GPT_OSS), default_model=CLAUDE, max_tokens_cap=20000)
USER = [{"role": "user", "content": "Hi"}]


def _chat(model: str, effort: str, limit: int) -> Any:
    body = {"model": model, "messages": USER, "max_tokens": limit, "reasoning_effort": effort}
    return parse_openai_request(body, ALL).chat.additional_model_request_fields


def _responses(model: str, effort: str, limit: int) -> Any:
    body = {"model": model, "input": "Hi", "max_output_tokens": limit, "reasoning": {"effort": effort}}
    return parse_responses_request(body, ALL).chat.additional_model_request_fields


def _native(model: str, effort: str, limit: int) -> Any:
    body = {"model": model, "prompt": "Hi", "max_tokens": limit, "reasoning": {"effort": effort}}
    return parse_native_request(body, ALL).chat.additional_model_request_fields


@pytest.mark.parametrize(
    ("model", "effort", "limit", "fields"),
    [
        (CLAUDE, "low", 20000, {"thinking": {"type": "enabled", "budget_tokens": 1024}}),
        (CLAUDE, "medium", 20000, {"thinking": {"type": "enabled", "budget_tokens": 4096}}),
        (CLAUDE, "high", 20000, {"thinking": {"type": "enabled", "budget_tokens": 16384}}),
        (CLAUDE, "high", 8000, {"thinking": {"type": "enabled", "budget_tokens": 7999}}),
        (NOVA2, "medium", 2000, {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "medium"}}),
        (GPT_OSS, "high", 2000, {"reasoning_effort": "high"}),
    ],
)
def test_an_effort_means_the_same_fields_on_every_surface(model: str, effort: str, limit: int, fields: Any) -> None:
    assert _chat(model, effort, limit) == _responses(model, effort, limit) == _native(model, effort, limit) == fields


@pytest.mark.parametrize(
    ("parse", "field"),
    [(_chat, "reasoning_effort"), (_responses, "reasoning.effort"), (_native, "reasoning.effort")],
)
def test_too_small_an_output_limit_for_claude_names_the_surfaces_effort_field(parse: Any, field: str) -> None:
    with pytest.raises(InvalidRequestError, match="minimum thinking budget") as caught:
        parse(CLAUDE, "low", 1024)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("parse", "field"), [(_chat, "reasoning_effort"), (_responses, "reasoning.effort"), (_native, "reasoning")]
)
def test_a_model_that_cannot_reason_names_the_surfaces_field(parse: Any, field: str) -> None:
    with pytest.raises(InvalidRequestError, match="cannot reason") as caught:
        parse(NOVA, "low", 2000)
    assert caught.value.field == field


def test_anthropic_thinking_on_a_model_without_budgets_is_a_400_on_thinking() -> None:
    body = {
        "model": NOVA2,
        "max_tokens": 4000,
        "messages": USER,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
    }
    with pytest.raises(InvalidRequestError) as caught:
        parse_anthropic_request(body, ALL)
    assert caught.value.field == "thinking"


def test_anthropic_thinking_goes_to_claude_as_sent() -> None:
    thinking = {"type": "enabled", "budget_tokens": 2048, "display": "summarized"}
    body = {"model": CLAUDE, "max_tokens": 4000, "messages": USER, "thinking": thinking}
    assert parse_anthropic_request(body, ALL).chat.additional_model_request_fields == {"thinking": thinking}


def test_native_budget_without_effort_on_nova2_asks_for_the_effort() -> None:
    body = {"model": NOVA2, "prompt": "Hi", "max_tokens": 4000, "reasoning": {"budget_tokens": 2048}}
    with pytest.raises(InvalidRequestError) as caught:
        parse_native_request(body, ALL)
    assert caught.value.field == "reasoning.effort"
