"""The token cap on ``/model/{id}/invoke`` bodies: every family's limit field is checked against ``maxTokensCap``
(400 naming the field and the cap), and the default is added where the body has none and the model does not
require the field. Field names from the registry (model-parameters pages cited in
functions/bedrock_stream/bedrock/registry.py), e.g.
https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html (``inferenceConfig.maxTokens``) and
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html (``max_tokens``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bedrock_stream.bedrock import FAMILIES, ModelFamily
from bedrock_stream.bedrock.token_limits import capped_invoke_body
from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.settings import Settings

MODELS = {
    ModelFamily.ANTHROPIC: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ModelFamily.META: "meta.llama3-8b-instruct-v1:0",
    ModelFamily.MISTRAL: "mistral.mistral-large-2407-v1:0",
    ModelFamily.TITAN: "amazon.titan-text-express-v1",
    ModelFamily.COHERE: "cohere.command-r-plus-v1:0",
    ModelFamily.NOVA: "amazon.nova-micro-v1:0",
    ModelFamily.AI21: "ai21.jamba-1-5-large-v1:0",
    ModelFamily.DEEPSEEK: "us.deepseek.r1-v1:0",
    ModelFamily.OPENAI: "openai.gpt-oss-120b-1:0",
}
SETTINGS = Settings(models=tuple(MODELS.values()), default_model=MODELS[ModelFamily.NOVA], max_tokens_cap=4096)
OPAQUE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3"


def _body(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _body(rest, value) if rest else value, "prompt": "hi"}


def _cap(model_id: str, document: dict[str, Any]) -> bytes:
    return capped_invoke_body(model_id, document, json.dumps(document).encode(), SETTINGS)


def test_every_family_has_a_model_here() -> None:
    assert set(MODELS) == {spec.family for spec in FAMILIES}


CASES = [(spec.family, path) for spec in FAMILIES for path in spec.limit_fields]


@pytest.mark.parametrize(("family", "path"), CASES, ids=[f"{f.value}-{p}" for f, p in CASES])
def test_limit_above_the_cap_is_refused_naming_field_and_cap(family: ModelFamily, path: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _cap(MODELS[family], _body(path, 1_000_000))
    assert caught.value.field == path
    assert path in caught.value.message
    assert "4096" in caught.value.message


@pytest.mark.parametrize(("family", "path"), CASES, ids=[f"{f.value}-{p}" for f, p in CASES])
def test_limit_at_the_cap_passes_unchanged(family: ModelFamily, path: str) -> None:
    document = _body(path, 4096.0)
    raw = json.dumps(document).encode()
    assert capped_invoke_body(MODELS[family], document, raw, SETTINGS) is raw


def test_opaque_model_checks_every_known_limit_field() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _cap(OPAQUE, {"inferenceConfig": {"maxTokens": 5000}})
    assert caught.value.field == "inferenceConfig.maxTokens"
    assert json.loads(_cap(OPAQUE, {"messages": []})) == {"messages": []}


@pytest.mark.parametrize("family", [s.family for s in FAMILIES if not s.limit_required], ids=lambda f: f.value)
def test_default_is_added_where_the_body_has_no_limit(family: ModelFamily) -> None:
    spec = next(s for s in FAMILIES if s.family is family)
    sent = json.loads(_cap(MODELS[family], {"prompt": "hi", "inferenceConfig": {"temperature": 0.5}}))
    value: Any = sent
    for key in spec.limit_fields[0].split("."):
        value = value[key]
    assert value == SETTINGS.default_max_tokens
    assert sent["prompt"] == "hi"
    if family is ModelFamily.NOVA:
        assert sent["inferenceConfig"] == {"temperature": 0.5, "maxTokens": SETTINGS.default_max_tokens}


def test_no_default_where_the_model_requires_the_field() -> None:
    document = {"messages": [], "anthropic_version": "bedrock-2023-05-31"}
    assert json.loads(_cap(MODELS[ModelFamily.ANTHROPIC], document)) == document


def test_a_non_object_parent_is_left_for_bedrock_to_refuse() -> None:
    document = {"messages": [], "inferenceConfig": "fast"}
    assert json.loads(_cap(MODELS[ModelFamily.NOVA], document)) == document
