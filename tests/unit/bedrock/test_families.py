"""Model id -> family resolution: base ids, inference-profile prefixes, ARNs, unknown providers."""

from __future__ import annotations

import pytest

from bedrock_stream.bedrock import ModelFamily, UnsupportedModelError, parse_model_id, resolve_family
from bedrock_stream.errors import RequestError

F = ModelFamily
TABLE = [
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", F.ANTHROPIC),
    ("anthropic.claude-v2:1", F.ANTHROPIC),
    ("anthropic.claude-instant-v1", F.ANTHROPIC),
    ("us.anthropic.claude-opus-4-6-v1", F.ANTHROPIC),
    ("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", F.ANTHROPIC),
    ("apac.anthropic.claude-sonnet-4-20250514-v1:0", F.ANTHROPIC),
    ("jp.anthropic.claude-sonnet-4-5-20250929-v1:0", F.ANTHROPIC),
    ("au.anthropic.claude-sonnet-4-5-20250929-v1:0", F.ANTHROPIC),
    ("us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0", F.ANTHROPIC),
    ("global.anthropic.claude-opus-5", F.ANTHROPIC),
    ("ca.anthropic.claude-sonnet-5", F.ANTHROPIC),  # an unknown short prefix is stripped too
    ("meta.llama3-3-70b-instruct-v1:0", F.META),
    ("us.meta.llama4-maverick-17b-instruct-v1:0", F.META),
    ("mistral.mistral-7b-instruct-v0:2", F.MISTRAL),
    ("mistral.mistral-large-3-675b-instruct", F.MISTRAL),
    ("cohere.command-text-v14", F.COHERE),
    ("cohere.command-r-plus-v1:0", F.COHERE),
    ("amazon.titan-text-express-v1", F.TITAN),
    ("amazon.titan-text-premier-v1:0", F.TITAN),
    ("amazon.nova-micro-v1:0", F.NOVA),
    ("us.amazon.nova-2-lite-v1:0", F.NOVA),
    ("ai21.jamba-1-5-large-v1:0", F.AI21),
    ("deepseek.r1-v1:0", F.DEEPSEEK),
    ("us.deepseek.r1-v1:0", F.DEEPSEEK),
    ("deepseek.v3.2", F.DEEPSEEK),
    ("openai.gpt-oss-120b-1:0", F.OPENAI),
    ("qwen.qwen3-32b-v1:0", F.OPENAI),
    ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", F.ANTHROPIC),
    ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-2-1b-instruct-v1:0", F.META),
    ("arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.titan-text-lite-v1", F.TITAN),
]


@pytest.mark.parametrize(("model_id", "family"), TABLE)
def test_model_id_resolves_to_family(model_id: str, family: ModelFamily) -> None:
    assert resolve_family(model_id) is family


@pytest.mark.parametrize(
    "model_id",
    [
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdef123456",
        "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcdef123456",
        "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/abcdef123456",
        "arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint",
    ],
)
def test_opaque_arns_resolve_to_none(model_id: str) -> None:
    assert resolve_family(model_id) is None
    assert parse_model_id(model_id).provider is None


def test_hint_wins() -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2"
    assert resolve_family(arn, {arn: ModelFamily.NOVA}) is ModelFamily.NOVA


@pytest.mark.parametrize(
    "model_id",
    [
        "writer.palmyra-x5-v1:0",
        "us.writer.palmyra-x5-v1:0",
        "google.gemma-3-27b-it",
        "ai21.j2-ultra-v1",
        "amazon.titan-embed-text-v2:0",
        "cohere.embed-english-v3",
        "nonsense",
    ],
)
def test_unknown_family_is_a_clear_request_error(model_id: str) -> None:
    with pytest.raises(UnsupportedModelError) as caught:
        resolve_family(model_id)
    assert isinstance(caught.value, RequestError)
    assert caught.value.status_code == 400
    assert caught.value.error_type == "unsupported_model"
    assert model_id in caught.value.message
    assert caught.value.model_id == model_id


def test_parse_strips_prefix() -> None:
    ref = parse_model_id("global.anthropic.claude-opus-5")
    assert (ref.base_id, ref.provider) == ("anthropic.claude-opus-5", "anthropic")
