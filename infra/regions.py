"""The geography -> destination Regions table for geographic cross-Region inference profiles (``us.``, ``eu.`` ...).

The ONE place this table lives. Source: Amazon Bedrock user guide, "Supported Regions and models for inference
profiles" (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html) and
"Geographic cross-Region inference" (geographic-cross-region-inference.html#geographic-cris-iam-setup); see
docs/iam.md, "Destination Regions". Each entry is the UNION of the destination Regions AWS lists for that geography
across models (as of 2026-11): granting a foundation model in a Region the profile never routes to is harmless,
because every such grant is conditioned on ``bedrock:InferenceProfileArn``. Destination lists grow over time (the EU
list did); override or extend an entry with the ``geoRegions`` context key instead of editing this file.
``global.`` profiles need no list (the Region-less ARN covers them; docs/iam.md, "Statements per kind of model").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["GEO_DESTINATION_REGIONS", "GLOBAL_PREFIX"]

GLOBAL_PREFIX: Final = "global"

GEO_DESTINATION_REGIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
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
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
        ),
        "jp": ("ap-northeast-1", "ap-northeast-3"),
        "au": ("ap-southeast-2", "ap-southeast-4"),
    }
)
"""Geography prefix -> every Region a profile of that geography may route a request to."""
