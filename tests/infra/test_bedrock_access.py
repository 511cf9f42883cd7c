"""Exact IAM statements derived from model ids (pure functions, concrete account and Region)."""

from __future__ import annotations

import pytest

from infra.bedrock_access import (
    ArnModel,
    DirectModel,
    GeoProfile,
    GlobalProfile,
    ModelIdError,
    Target,
    bedrock_statements,
    classify_model,
)
from infra.regions import GEO_DESTINATION_REGIONS

TARGET = Target(partition="aws", region="us-east-1", account="111122223333")
STREAM = "bedrock:InvokeModelWithResponseStream"
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
US_PROFILE_ARN = f"arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.{SONNET}"
GLOBAL_PROFILE_ARN = f"arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.{HAIKU}"
APP_PROFILE_ARN = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6"


def policy(models: list[str], **kwargs: object) -> list[dict[str, object]]:
    statements = bedrock_statements(models, target=TARGET, geo_regions=GEO_DESTINATION_REGIONS, **kwargs)  # type: ignore[arg-type]
    return [s.to_json() for s in statements]


def test_direct_model_id_gets_its_foundation_model_in_the_stack_region_only() -> None:
    assert policy(["amazon.nova-micro-v1:0"]) == [
        {
            "Sid": "Model0Direct",
            "Effect": "Allow",
            "Action": STREAM,
            "Resource": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
        }
    ]


def test_us_profile_gets_profile_plus_fm_in_every_us_region_only_through_that_profile() -> None:
    assert policy([f"us.{SONNET}"]) == [
        {"Sid": "Model0Profile", "Effect": "Allow", "Action": STREAM, "Resource": US_PROFILE_ARN},
        {
            "Sid": "Model0ViaProfile",
            "Effect": "Allow",
            "Action": STREAM,
            "Resource": [
                f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET}",
                f"arn:aws:bedrock:us-east-2::foundation-model/{SONNET}",
                f"arn:aws:bedrock:us-west-1::foundation-model/{SONNET}",
                f"arn:aws:bedrock:us-west-2::foundation-model/{SONNET}",
            ],
            "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": US_PROFILE_ARN}},
        },
    ]


def test_global_profile_gets_the_three_part_policy_with_the_region_less_arn() -> None:
    assert policy([f"global.{HAIKU}"]) == [
        {
            "Sid": "Model0GlobalProfile",
            "Effect": "Allow",
            "Action": STREAM,
            "Resource": GLOBAL_PROFILE_ARN,
            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
        },
        {
            "Sid": "Model0GlobalInRegion",
            "Effect": "Allow",
            "Action": STREAM,
            "Resource": f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}",
            "Condition": {
                "StringEquals": {"aws:RequestedRegion": "us-east-1", "bedrock:InferenceProfileArn": GLOBAL_PROFILE_ARN}
            },
        },
        {
            "Sid": "Model0GlobalAnyRegion",
            "Effect": "Allow",
            "Action": STREAM,
            "Resource": f"arn:aws:bedrock:::foundation-model/{HAIKU}",
            "Condition": {
                "StringEquals": {
                    "aws:RequestedRegion": "unspecified",
                    "bedrock:InferenceProfileArn": GLOBAL_PROFILE_ARN,
                }
            },
        },
    ]


def test_application_profile_gets_its_arn_plus_its_source_reachable_only_through_the_profiles() -> None:
    got = policy([APP_PROFILE_ARN], model_sources={APP_PROFILE_ARN: f"us.{SONNET}"})
    assert got == [
        {"Sid": "Model0ApplicationInferenceProfile", "Effect": "Allow", "Action": STREAM, "Resource": APP_PROFILE_ARN},
        {"Sid": "Model0SourceProfile", "Effect": "Allow", "Action": STREAM, "Resource": US_PROFILE_ARN},
        {
            "Sid": "Model0SourceViaProfile",
            "Effect": "Allow",
            "Action": STREAM,
            "Resource": [
                f"arn:aws:bedrock:{region}::foundation-model/{SONNET}"
                for region in ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
            ],
            "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": [US_PROFILE_ARN, APP_PROFILE_ARN]}},
        },
    ]


def test_application_profile_over_a_direct_model_does_not_allow_direct_calls() -> None:
    got = policy([APP_PROFILE_ARN], model_sources={APP_PROFILE_ARN: "amazon.nova-micro-v1:0"})
    assert got[1] == {
        "Sid": "Model0SourceDirect",
        "Effect": "Allow",
        "Action": STREAM,
        "Resource": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
        "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": APP_PROFILE_ARN}},
    }


def test_application_profile_without_its_source_is_refused() -> None:
    with pytest.raises(ModelIdError, match="modelSources"):
        policy([APP_PROFILE_ARN])


def test_provisioned_model_gets_invoke_and_get_throughput_on_its_arn() -> None:
    arn = "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/pt123abc"
    assert policy([arn]) == [
        {
            "Sid": "Model0ProvisionedModel",
            "Effect": "Allow",
            "Action": [STREAM, "bedrock:GetProvisionedModelThroughput"],
            "Resource": arn,
        }
    ]


def test_guardrail_gets_apply_and_get_on_its_arn() -> None:
    got = policy(["amazon.nova-micro-v1:0"], guardrail_id="gr0abc123")
    assert got[-1] == {
        "Sid": "Guardrail",
        "Effect": "Allow",
        "Action": ["bedrock:ApplyGuardrail", "bedrock:GetGuardrail"],
        "Resource": "arn:aws:bedrock:us-east-1:111122223333:guardrail/gr0abc123",
    }


def test_only_the_streaming_action_is_granted_for_models_and_no_resource_has_a_wildcard() -> None:
    statements = bedrock_statements(
        ["amazon.nova-micro-v1:0", f"us.{SONNET}", f"global.{HAIKU}", f"eu.{SONNET}", APP_PROFILE_ARN],
        target=TARGET,
        geo_regions=GEO_DESTINATION_REGIONS,
        model_sources={APP_PROFILE_ARN: f"global.{HAIKU}"},
        guardrail_id="gr0abc123",
    )
    assert {a for s in statements if s.sid != "Guardrail" for a in s.actions} == {STREAM}
    assert all("*" not in resource for s in statements for resource in s.resources)
    assert len({s.sid for s in statements}) == len(statements)


def test_classification() -> None:
    regions = GEO_DESTINATION_REGIONS
    assert classify_model("amazon.nova-micro-v1:0", regions) == DirectModel("amazon.nova-micro-v1:0")
    assert classify_model(f"us.{SONNET}", regions) == GeoProfile(f"us.{SONNET}", "us", SONNET)
    assert classify_model(f"us-gov.{SONNET}", regions) == GeoProfile(f"us-gov.{SONNET}", "us-gov", SONNET)
    assert classify_model(f"global.{HAIKU}", regions) == GlobalProfile(f"global.{HAIKU}", HAIKU)
    ref = classify_model(APP_PROFILE_ARN, regions)
    assert isinstance(ref, ArnModel)
    assert (ref.kind, ref.region, ref.account) == ("application-inference-profile", "us-east-1", "111122223333")


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (f"xx.{SONNET}", "unknown cross-Region inference geography 'xx'.*geoRegions"),
        (
            f"arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.{SONNET}",
            "give the system inference profile id",
        ),
        (f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET}", "give the foundation model id"),
        ("arn:aws:bedrock:us-east-1:111122223333:agent/abc", "unsupported Bedrock resource type 'agent'"),
        ("claude", "expected PROVIDER.MODEL"),
        ("amazon nova", "not a Bedrock model id"),
    ],
)
def test_unusable_model_ids_are_refused_with_the_reason(model: str, message: str) -> None:
    with pytest.raises(ModelIdError, match=message):
        classify_model(model, GEO_DESTINATION_REGIONS)


def test_geo_table_can_be_extended() -> None:
    regions = {**GEO_DESTINATION_REGIONS, "ca": ("ca-central-1", "ca-west-1")}
    got = bedrock_statements([f"ca.{SONNET}"], target=TARGET, geo_regions=regions)
    assert got[1].resources == (
        f"arn:aws:bedrock:ca-central-1::foundation-model/{SONNET}",
        f"arn:aws:bedrock:ca-west-1::foundation-model/{SONNET}",
    )
