"""Least-privilege Bedrock IAM statements derived from the configured model list.

Follows the Amazon Bedrock user guide: inference-prereq.html (actions), geographic-cross-region-inference.html
#geographic-cris-iam-setup (geo profiles), global-cross-region-inference.html#global-cris-iam-setup (the three-part
global policy) and the Service Authorization Reference for ARN formats
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html).

The function only calls ConverseStream and InvokeModelWithResponseStream, and both are authorised by the single
action ``bedrock:InvokeModelWithResponseStream`` (there is no ``bedrock:ConverseStream`` action). No statement has a
wildcard resource. The pure functions here return plain :class:`Statement` data (easy to test with concrete
account/Region values); :func:`to_policy_statements` turns them into CDK objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from aws_cdk import aws_iam as iam

from infra.regions import GLOBAL_PREFIX

__all__ = [
    "INVOKE_STREAM",
    "ArnModel",
    "DirectModel",
    "GeoProfile",
    "GlobalProfile",
    "ModelIdError",
    "ModelRef",
    "Statement",
    "Target",
    "bedrock_statements",
    "classify_model",
    "to_policy_statements",
]

INVOKE_STREAM: Final = "bedrock:InvokeModelWithResponseStream"
GUARDRAIL_ACTIONS: Final = ("bedrock:ApplyGuardrail", "bedrock:GetGuardrail")
PROVISIONED_ACTIONS: Final = (INVOKE_STREAM, "bedrock:GetProvisionedModelThroughput")
PROFILE_ARN_KEY: Final = "bedrock:InferenceProfileArn"
REQUESTED_REGION_KEY: Final = "aws:RequestedRegion"
# Bedrock evaluates the Region-less foundation-model ARN of a global profile with this aws:RequestedRegion
# (global-cross-region-inference.html#global-cris-iam-setup).
UNSPECIFIED_REGION: Final = "unspecified"

_MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9._-]+)*$")
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):bedrock:(?P<region>[a-z0-9-]+):(?P<account>(\d{12})?):(?P<kind>[a-z-]+)/(?P<id>.+)$"
)
# ARN kinds the function may call directly, and the extra actions each needs (inference-prereq.html).
_ARN_KINDS: Final[Mapping[str, tuple[str, ...]]] = {
    "application-inference-profile": (INVOKE_STREAM,),
    "provisioned-model": PROVISIONED_ACTIONS,
    "imported-model": (INVOKE_STREAM,),
    "custom-model-deployment": (INVOKE_STREAM,),
}


class ModelIdError(ValueError):
    """A configured model is not something the IAM policy can be derived for."""


@dataclass(frozen=True, slots=True)
class DirectModel:
    """An in-Region foundation model id, e.g. ``amazon.nova-micro-v1:0``."""

    model_id: str


@dataclass(frozen=True, slots=True)
class GeoProfile:
    """A geographic system inference profile, e.g. ``us.anthropic.claude-sonnet-4-5-20250929-v1:0``."""

    profile_id: str
    geo: str
    model_id: str


@dataclass(frozen=True, slots=True)
class GlobalProfile:
    """A global system inference profile, e.g. ``global.anthropic.claude-haiku-4-5-20251001-v1:0``."""

    profile_id: str
    model_id: str


@dataclass(frozen=True, slots=True)
class ArnModel:
    """A model given by ARN: application inference profile, provisioned, imported or deployed custom model."""

    arn: str
    kind: str
    partition: str
    region: str
    account: str
    resource_id: str


ModelRef = DirectModel | GeoProfile | GlobalProfile | ArnModel


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where the function runs (concrete values in tests, CDK tokens in the stack)."""

    partition: str
    region: str
    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """One IAM Allow statement as plain data; ``conditions`` is ``{operator: {key: value or values}}``."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: Mapping[str, Mapping[str, str | tuple[str, ...]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The statement in IAM JSON policy grammar (single values unwrapped, as IAM and CDK render them)."""
        doc: dict[str, Any] = {"Sid": self.sid, "Effect": "Allow", "Action": _one_or_list(self.actions)}
        doc["Resource"] = _one_or_list(self.resources)
        if self.conditions:
            doc["Condition"] = self.condition_json()
        return doc

    def condition_json(self) -> dict[str, dict[str, str | list[str]]]:
        """``conditions`` in IAM JSON (value tuples as lists); empty when there are none."""
        return {
            op: {key: value if isinstance(value, str) else list(value) for key, value in keys.items()}
            for op, keys in self.conditions.items()
        }


def classify_model(model: str, geo_regions: Mapping[str, Sequence[str]]) -> ModelRef:
    """Tell what kind of Bedrock resource ``model`` names; raise :class:`ModelIdError` with the reason."""
    match = _ARN.match(model)
    if match:
        kind = match["kind"]
        if kind == "foundation-model":
            raise ModelIdError(f"{model}: give the foundation model id ({match['id']}), not its ARN")
        if kind == "inference-profile":
            raise ModelIdError(f"{model}: give the system inference profile id ({match['id']}), not its ARN")
        if kind not in _ARN_KINDS:
            raise ModelIdError(
                f"{model}: unsupported Bedrock resource type {kind!r} (supported: {', '.join(_ARN_KINDS)})"
            )
        if not match["account"]:
            raise ModelIdError(f"{model}: a {kind} ARN must include the account id")
        return ArnModel(
            arn=model,
            kind=kind,
            partition=match["partition"],
            region=match["region"],
            account=match["account"],
            resource_id=match["id"],
        )
    if model.startswith("arn:"):
        raise ModelIdError(f"{model}: not a Bedrock ARN of the form arn:PARTITION:bedrock:REGION:ACCOUNT:TYPE/ID")
    if not _MODEL_ID.fullmatch(model):
        raise ModelIdError(f"{model!r}: not a Bedrock model id")
    parts = model.split(":", 1)[0].split(".")
    prefix, rest = parts[0], model[len(parts[0]) + 1 :]
    if prefix == GLOBAL_PREFIX and len(parts) >= 3:
        return GlobalProfile(profile_id=model, model_id=rest)
    if prefix in geo_regions and len(parts) >= 3:
        return GeoProfile(profile_id=model, geo=prefix, model_id=rest)
    if len(parts) >= 3:
        known = ", ".join(sorted([*geo_regions, GLOBAL_PREFIX]))
        raise ModelIdError(
            f"{model}: unknown cross-Region inference geography {prefix!r} (known: {known}); "
            f"add its destination Regions with the geoRegions context key"
        )
    if len(parts) == 2:
        return DirectModel(model_id=model)
    raise ModelIdError(f"{model!r}: expected PROVIDER.MODEL, GEO.PROVIDER.MODEL or an ARN")


def bedrock_statements(
    models: Sequence[str],
    *,
    target: Target,
    geo_regions: Mapping[str, Sequence[str]],
    model_sources: Mapping[str, str] | None = None,
    guardrail_id: str | None = None,
) -> tuple[Statement, ...]:
    """Every statement the function needs to stream from ``models`` (and apply the guardrail, if any).

    ``model_sources`` maps an application inference profile ARN to the model or system profile it was created from;
    it is required for application profiles, because Bedrock also authorises the call on that source.
    """
    sources = model_sources or {}
    statements: list[Statement] = []
    for index, model in enumerate(models):
        ref = classify_model(model, geo_regions)
        sid = f"Model{index}"
        if isinstance(ref, ArnModel):
            statements.append(
                Statement(sid=f"{sid}{_camel(ref.kind)}", actions=_ARN_KINDS[ref.kind], resources=(ref.arn,))
            )
            if ref.kind == "application-inference-profile":
                source = sources.get(ref.arn)
                if source is None:
                    raise ModelIdError(
                        f"{ref.arn}: an application inference profile also needs access to the model it was created "
                        f"from; name it in modelSources (e.g. {{{ref.arn!r}: 'us.anthropic...'}})"
                    )
                source_ref = classify_model(source, geo_regions)
                if isinstance(source_ref, ArnModel):
                    raise ModelIdError(f"modelSources.{ref.arn}: the source must be a model or system profile id")
                source_target = Target(partition=ref.partition, region=ref.region, account=ref.account)
                statements += _statements_for(source_ref, f"{sid}Source", source_target, geo_regions, via=(ref.arn,))
        else:
            statements += _statements_for(ref, sid, target, geo_regions, via=())
    if guardrail_id is not None:
        guardrail_arn = f"arn:{target.partition}:bedrock:{target.region}:{target.account}:guardrail/{guardrail_id}"
        statements.append(Statement(sid="Guardrail", actions=GUARDRAIL_ACTIONS, resources=(guardrail_arn,)))
    return tuple(statements)


def _statements_for(
    ref: DirectModel | GeoProfile | GlobalProfile,
    sid: str,
    target: Target,
    geo_regions: Mapping[str, Sequence[str]],
    *,
    via: tuple[str, ...],
) -> list[Statement]:
    """Statements for a model id or system profile; ``via`` = application profile ARNs it is reached through."""
    p, region, account = target.partition, target.region, target.account
    if isinstance(ref, DirectModel):
        fm_arn = _fm_arn(p, region, ref.model_id)
        if via:  # reached only through an application profile: the FM grant must not allow direct calls
            return [Statement(sid=f"{sid}Direct", actions=(INVOKE_STREAM,), resources=(fm_arn,), conditions=_via(via))]
        return [Statement(sid=f"{sid}Direct", actions=(INVOKE_STREAM,), resources=(fm_arn,))]
    profile_arn = f"arn:{p}:bedrock:{region}:{account}:inference-profile/{ref.profile_id}"
    through = (profile_arn, *via)
    if isinstance(ref, GeoProfile):
        regions = geo_regions[ref.geo]
        return [
            Statement(sid=f"{sid}Profile", actions=(INVOKE_STREAM,), resources=(profile_arn,)),
            Statement(
                sid=f"{sid}ViaProfile",
                actions=(INVOKE_STREAM,),
                resources=tuple(_fm_arn(p, r, ref.model_id) for r in regions),
                conditions=_via(through),
            ),
        ]
    return [
        Statement(
            sid=f"{sid}GlobalProfile",
            actions=(INVOKE_STREAM,),
            resources=(profile_arn,),
            conditions={"StringEquals": {REQUESTED_REGION_KEY: region}},
        ),
        Statement(
            sid=f"{sid}GlobalInRegion",
            actions=(INVOKE_STREAM,),
            resources=(_fm_arn(p, region, ref.model_id),),
            conditions={"StringEquals": {REQUESTED_REGION_KEY: region, PROFILE_ARN_KEY: _one(through)}},
        ),
        Statement(
            sid=f"{sid}GlobalAnyRegion",
            actions=(INVOKE_STREAM,),
            resources=(_fm_arn(p, "", ref.model_id),),
            conditions={"StringEquals": {REQUESTED_REGION_KEY: UNSPECIFIED_REGION, PROFILE_ARN_KEY: _one(through)}},
        ),
    ]


def to_policy_statements(statements: Sequence[Statement]) -> list[iam.PolicyStatement]:
    """CDK policy statements for the plain statements."""
    return [
        iam.PolicyStatement(
            sid=s.sid,
            effect=iam.Effect.ALLOW,
            actions=list(s.actions),
            resources=list(s.resources),
            conditions=s.condition_json() or None,
        )
        for s in statements
    ]


def _fm_arn(partition: str, region: str, model_id: str) -> str:
    return f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}"


def _via(profile_arns: tuple[str, ...]) -> dict[str, dict[str, str | tuple[str, ...]]]:
    return {"StringEquals": {PROFILE_ARN_KEY: _one(profile_arns)}}


def _one(values: tuple[str, ...]) -> str | tuple[str, ...]:
    return values[0] if len(values) == 1 else values


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("-"))
