"""The geography -> destination Regions table for geographic cross-Region inference profiles (``us.``, ``eu.`` ...).

The ONE place this table lives. Sources, checked 2026-12-02:

- AWS CDK's own Bedrock construct library, ``@aws-cdk/aws-bedrock-alpha`` 2.275.0-alpha.0 (the release matching our
  aws-cdk-lib), enum ``CrossRegionInferenceProfileRegion`` in
  ``packages/@aws-cdk/aws-bedrock-alpha/bedrock/inference-profiles/cross-region-inference-profile.ts`` of aws/aws-cdk:
  for each geography it lists the Regions a profile "might include" depending on the model.
- Amazon Bedrock user guide, "Supported Regions and models for inference profiles"
  (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html) and the per-model cards it
  now points to, plus "Geographic cross-Region inference"
  (https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html).

AWS publishes no machine-readable version of this mapping (the CDK construct keeps it in doc comments only and grants
its foundation models on every Region with a wildcard, which this project does not do), so the table is kept here and
``tests/infra/test_regions.py`` checks it against the construct library's documented lists and against aws-cdk-lib's
Region table (``aws_cdk.region_info``). Each entry is the UNION of what those sources list for that geography:
granting a foundation model in a Region the profile never routes to is harmless, because every such grant is
conditioned on ``bedrock:InferenceProfileArn``. Destination lists grow over time; extend an entry with the
``geoRegions`` context key until this table catches up. ``global.`` profiles need no list (the Region-less ARN covers
them).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["GEO_DESTINATION_REGIONS", "GLOBAL_PREFIX"]

GLOBAL_PREFIX: Final = "global"

GEO_DESTINATION_REGIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        # us-west-1 is not in the CDK construct's list but is a destination of several models' us. profiles.
        "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
        "us-gov": ("us-gov-east-1", "us-gov-west-1"),
        "eu": (
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
        ),
        "apac": (
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-7",
            "me-central-1",
        ),
        "jp": ("ap-northeast-1", "ap-northeast-3"),
        "au": ("ap-southeast-2", "ap-southeast-4"),
    }
)
"""Geography prefix -> every Region a profile of that geography may route a request to."""
