"""The geography -> destination Regions table against AWS-maintained data shipped in the venv.

- AWS CDK's Bedrock construct library (``aws-cdk.aws-bedrock-alpha``, pinned to our aws-cdk-lib release) documents,
  for each member of ``CrossRegionInferenceProfileRegion``, the Regions that geography's profiles may route to
  (aws/aws-cdk, packages/@aws-cdk/aws-bedrock-alpha/bedrock/inference-profiles/cross-region-inference-profile.ts).
  The test reads those lists from the package's jsii assembly, so a version bump that adds a Region fails here.
- aws-cdk-lib's Region table (``aws_cdk.region_info``) tells whether each name is a real Region and its partition.
"""

from __future__ import annotations

import json
import re
import tarfile
from importlib import metadata

import pytest
from aws_cdk import region_info

from infra.bedrock_access import Target, bedrock_statements
from infra.regions import GEO_DESTINATION_REGIONS, GLOBAL_PREFIX

ENUM_FQN = "@aws-cdk/aws-bedrock-alpha.CrossRegionInferenceProfileRegion"


def cdk_documented_destinations() -> dict[str, set[str]]:
    """Geography prefix -> the Regions the CDK construct library lists for it (from its jsii assembly)."""
    (bundle,) = [f for f in metadata.files("aws-cdk.aws-bedrock-alpha") or [] if f.name.endswith(".jsii.tgz")]
    with tarfile.open(str(bundle.locate())) as archive:
        member = archive.extractfile("package/.jsii")
        assert member is not None
        assembly = json.load(member)
    documented: dict[str, set[str]] = {}
    for entry in assembly["types"][ENUM_FQN]["members"]:
        prefix = entry["name"].lower().replace("_", "-")
        documented[prefix] = set(re.findall(r"`([a-z]{2}(?:-[a-z]+)+-\d)`", entry["docs"].get("remarks", "")))
    return documented


def test_the_construct_library_documents_the_geographies_we_know() -> None:
    documented = cdk_documented_destinations()
    assert set(documented) == {*GEO_DESTINATION_REGIONS, GLOBAL_PREFIX}
    assert documented[GLOBAL_PREFIX] == set()  # global profiles are covered by the Region-less ARN instead
    assert {"ap-southeast-5", "ap-southeast-7", "ap-east-2", "me-central-1"} <= documented["apac"]


@pytest.mark.parametrize("geo", sorted(GEO_DESTINATION_REGIONS))
def test_every_documented_destination_is_in_our_table(geo: str) -> None:
    missing = cdk_documented_destinations()[geo] - set(GEO_DESTINATION_REGIONS[geo])
    assert not missing, f"{geo}. profiles may route to {sorted(missing)}: add them to infra/regions.py"


@pytest.mark.parametrize("geo", sorted(GEO_DESTINATION_REGIONS))
def test_every_destination_is_a_real_region_of_the_geography_partition(geo: str) -> None:
    regions = GEO_DESTINATION_REGIONS[geo]
    assert len(set(regions)) == len(regions)
    known = {info.name for info in region_info.RegionInfo.regions}
    partition = "aws-us-gov" if geo == "us-gov" else "aws"
    for region in regions:
        assert region in known, region
        assert region_info.RegionInfo.get(region).partition == partition, region


def test_apac_profile_grants_the_model_in_every_apac_destination() -> None:
    target = Target(partition="aws", region="ap-southeast-1", account="111122223333")
    _, via = bedrock_statements(["apac.amazon.nova-micro-v1:0"], target=target, geo_regions=GEO_DESTINATION_REGIONS)
    granted = {arn.split(":")[3] for arn in via.resources}
    assert {"ap-southeast-5", "ap-southeast-7", "ap-east-2", "me-central-1"} <= granted
