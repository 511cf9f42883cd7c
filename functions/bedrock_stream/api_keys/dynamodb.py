"""DynamoDB ``GetItem`` and nothing else, over botocore's own SigV4 signer and HTTP session.

Why not ``boto3.client("dynamodb")``: making that client loads the whole DynamoDB service model and its endpoint
rules, 38-57 ms measured at init (docs/api-keys.md), about a fifth of this function's start. The function calls one
operation, so this module sends it directly: the JSON 1.0 protocol request (``POST /``, ``X-Amz-Target:
DynamoDB_20120810.GetItem``, ``Content-Type: application/x-amz-json-1.0``; DynamoDB developer guide
Programming.LowLevelAPI.html), signed by ``botocore.auth.SigV4Auth`` for service ``dynamodb`` with the process's
credentials (refreshed by botocore as they rotate), sent by ``botocore.httpsession.URLLib3Session`` (all already
loaded for Bedrock). Service errors become ``botocore.exceptions.ClientError`` with the code from ``__type``
(Programming.Errors.html), transport failures stay botocore's own exceptions, so callers handle both as for a boto3
client. Throttling, 5xx and connection failures are retried (3 attempts, jittered exponential backoff from 25 ms),
re-signed each time.

The endpoint is ``AWS_ENDPOINT_URL_DYNAMODB`` or ``AWS_ENDPOINT_URL`` when set (boto3's service-specific endpoint
variables; tests point it at moto's server), else ``https://dynamodb.<region>.<partition DNS suffix>``
(https://docs.aws.amazon.com/general/latest/gr/ddb.html).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import BotoCoreError, ClientError
from botocore.httpsession import URLLib3Session

__all__ = ["DNS_SUFFIXES", "DynamoGetItem", "dynamodb_endpoint"]

DNS_SUFFIXES: Final[Mapping[str, str]] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
}
"""Partition -> the DNS suffix of its DynamoDB endpoints."""
_TARGET: Final = "DynamoDB_20120810.GetItem"
_RETRIED_CODES: Final = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "InternalServerError"}
)
_ATTEMPTS: Final = 3


class Credentials(Protocol):
    """What SigV4 signing reads (botocore ``Credentials`` / ``RefreshableCredentials``)."""

    access_key: str
    secret_key: str
    token: str | None


def dynamodb_endpoint(region: str, partition: str, environ: Mapping[str, str]) -> str:
    """The DynamoDB endpoint URL for ``region`` (an ``AWS_ENDPOINT_URL*`` override first); raises ValueError for a
    partition without a known DNS suffix."""
    override = environ.get("AWS_ENDPOINT_URL_DYNAMODB") or environ.get("AWS_ENDPOINT_URL")
    if override:
        return override.rstrip("/")
    if partition not in DNS_SUFFIXES:
        raise ValueError(f"no DynamoDB endpoint known for partition {partition!r} (set AWS_ENDPOINT_URL_DYNAMODB)")
    return f"https://dynamodb.{region}.{DNS_SUFFIXES[partition]}"


class DynamoGetItem:
    """A DynamoDB client that can only call ``get_item`` (keyword arguments as boto3's low-level client takes them)."""

    def __init__(
        self,
        *,
        credentials: Credentials,
        region: str,
        endpoint: str,
        timeout: tuple[float, float] = (2.0, 3.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._credentials = credentials
        self._region = region
        self._url = endpoint + "/"
        self._http = URLLib3Session(timeout=timeout)
        self._sleep = sleep

    def get_item(self, **kwargs: Any) -> Mapping[str, Any]:
        """The GetItem response document (``{"Item": {...}}`` or ``{}``); raises ClientError / BotoCoreError."""
        body = json.dumps(kwargs, separators=(",", ":")).encode()
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return self._once(body)
            except ClientError as exc:
                retried = (
                    exc.response["Error"]["Code"] in _RETRIED_CODES
                    or exc.response["ResponseMetadata"].get("HTTPStatusCode", 0) >= 500
                )
                if not retried or attempt == _ATTEMPTS:
                    raise
            except BotoCoreError:
                if attempt == _ATTEMPTS:
                    raise
            self._sleep(random.uniform(0, 0.025 * 2**attempt))
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _once(self, body: bytes) -> Mapping[str, Any]:
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": _TARGET}
        request = AWSRequest(method="POST", url=self._url, data=body, headers=headers)
        SigV4Auth(self._credentials, "dynamodb", self._region).add_auth(request)
        response = self._http.send(request.prepare())
        try:
            document = json.loads(response.content or b"{}")
        except ValueError:
            document = {}
        if response.status_code == 200 and isinstance(document, dict):
            return document
        error = document if isinstance(document, dict) else {}
        code = str(error.get("__type", "")).rpartition("#")[2] or f"HTTP{response.status_code}"
        message = str(error.get("message") or error.get("Message") or response.content[:200].decode("utf-8", "replace"))
        raise ClientError(
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": response.status_code}},
            "GetItem",
        )
