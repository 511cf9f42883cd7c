"""The ``FunctionName`` forms the Lambda Invoke API accepts, resolved against the one local function.

Per https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (URI Request Parameters): a name
(``my-function``), a name with a qualifier (``my-function:v1``), a function ARN
(``arn:aws:lambda:us-west-2:123456789012:function:my-function``) or a partial ARN
(``123456789012:function:my-function``); a version or alias may follow any of them, or come as the ``Qualifier``
query parameter. The pattern is the one botocore's Lambda model declares for ``FunctionName``
(boto/botocore ``botocore/data/lambda/2015-03-31/service-2.json``). The path segment arrives URL-encoded (SDKs send
``:`` as ``%3A``) and is decoded first. The emulator has one version, ``$LATEST``; any other qualifier, and an ARN
of another Region or account, is a function that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["LATEST", "FunctionNameError", "FunctionNotFound", "resolve_function"]

LATEST = "$LATEST"

_PATTERN = re.compile(
    r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?"
)


class FunctionNameError(Exception):
    """Not a ``FunctionName`` the Invoke API accepts (Lambda answers 400 ``ValidationException``)."""


@dataclass(frozen=True, slots=True)
class FunctionNotFound(Exception):
    """A well-formed name that is not the local function (Lambda answers 404 ``ResourceNotFoundException``)."""

    arn: str

    def __str__(self) -> str:
        return f"Function not found: {self.arn}"


def resolve_function(raw_segment: str, query_qualifier: str | None, *, name: str, region: str, account_id: str) -> str:
    """The qualifier (``$LATEST``) if the URL-encoded ``raw_segment`` names the local function; raises otherwise."""
    given = unquote(raw_segment)
    match = _PATTERN.fullmatch(given)
    if match is None or len(given) > 256:
        raise FunctionNameError(
            f"1 validation error detected: Value '{given}' at 'functionName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern of a function name or ARN"
        )
    qualifier = match["qualifier"]
    if qualifier and query_qualifier and qualifier != query_qualifier:
        raise FunctionNameError("The derived qualifier from the function name does not match the specified qualifier.")
    qualifier = qualifier or query_qualifier or LATEST
    wanted_region = match["region"] or region
    wanted_account = match["account"] or account_id
    arn = f"arn:aws:lambda:{wanted_region}:{wanted_account}:function:{match['name']}"
    if qualifier != LATEST or (match["name"], wanted_region, wanted_account) != (name, region, account_id):
        raise FunctionNotFound(arn if qualifier == LATEST else f"{arn}:{qualifier}")
    return qualifier
