"""FunctionName forms of the Lambda Invoke API (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html)."""

from __future__ import annotations

import pytest

from emulator.function_names import FunctionNameError, FunctionNotFound, resolve_function

EU_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:fn"
LOCAL = {"name": "fn", "region": "us-east-1", "account_id": "123456789012"}


@pytest.mark.parametrize(
    ("segment", "qualifier"),
    [
        ("fn", None),
        ("fn%3A%24LATEST", None),
        ("fn:$LATEST", None),
        ("arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afn", None),
        ("arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST", None),
        ("123456789012%3Afunction%3Afn", None),
        ("fn", "$LATEST"),
        ("fn:$LATEST", "$LATEST"),
    ],
)
def test_the_local_function_in_every_form(segment: str, qualifier: str | None) -> None:
    assert resolve_function(segment, qualifier, **LOCAL) == "$LATEST"


@pytest.mark.parametrize(
    ("segment", "qualifier", "arn"),
    [
        ("other", None, "arn:aws:lambda:us-east-1:123456789012:function:other"),
        ("fn:live", None, "arn:aws:lambda:us-east-1:123456789012:function:fn:live"),
        ("fn", "7", "arn:aws:lambda:us-east-1:123456789012:function:fn:7"),
        (EU_ARN, None, EU_ARN),
        ("111111111111:function:fn", None, "arn:aws:lambda:us-east-1:111111111111:function:fn"),
    ],
)
def test_another_function_version_region_or_account_is_not_found(segment: str, qualifier: str | None, arn: str) -> None:
    with pytest.raises(FunctionNotFound) as caught:
        resolve_function(segment, qualifier, **LOCAL)
    assert str(caught.value) == f"Function not found: {arn}"


@pytest.mark.parametrize(("segment", "qualifier"), [("fn name", None), ("fn:a:b", None), ("fn:$LATEST", "v1")])
def test_malformed_names_and_conflicting_qualifiers_are_validation_errors(segment: str, qualifier: str | None) -> None:
    with pytest.raises(FunctionNameError):
        resolve_function(segment, qualifier, **LOCAL)
