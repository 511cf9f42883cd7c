"""SigV4 on incoming Function URL requests, as a URL with ``AuthType: AWS_IAM`` checks it (``--verify-sigv4``).

The caller signs for service ``lambda`` in the URL's region (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html);
the signature is recomputed with botocore's own SigV4 (``botocore.auth.SigV4Auth``: canonical request, string to
sign, signing key) over exactly the headers the ``Authorization`` header names, following "Create a signed AWS API
request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). Credentials come from a
local table (access key id -> secret and session token), the emulator's stand-in for IAM and STS.

What is checked: the ``AWS4-HMAC-SHA256`` header form, the scope (date of ``x-amz-date``, the URL's region,
``lambda``), ``host`` and ``x-amz-date`` among the signed headers, a known access key, the session token of
temporary credentials (sent and signed as ``x-amz-security-token``), ``x-amz-date`` within 5 minutes of the clock, a
``x-amz-content-sha256`` that is the body's SHA-256 when sent, and the signature. Presigned query-string requests are
not accepted. Any failure is answered 403 ``{"Message": "Forbidden"}`` by the URL (``FORBIDDEN_BODY`` in
emulator/function_url.py); the reason is only logged (AWS does not say which part failed).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

__all__ = ["MAX_CLOCK_SKEW", "SigV4Credentials", "SigV4Verifier", "verifier_from_environment"]

MAX_CLOCK_SKEW = timedelta(minutes=5)
"""How far ``x-amz-date`` may be from the emulator's clock."""

SERVICE = "lambda"
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/\s]+)/(?P<date>\d{8})/(?P<region>[^/\s]+)/(?P<service>[^/\s]+)"
    r"/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;_.-]+), ?Signature=(?P<signature>[0-9a-f]{64})"
)
_UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


@dataclass(frozen=True, slots=True)
class SigV4Credentials:
    """One identity the emulator knows: its secret, and the session token when the credentials are temporary."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


class _ExactHeaders(SigV4Auth):  # type: ignore[misc]  # botocore ships no type hints
    """botocore's SigV4 over the headers a request says it signed, no more and no fewer."""

    def __init__(self, credentials: Credentials, region: str, signed: HTTPHeaders) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return self._signed


class SigV4Verifier:
    """Checks SigV4 on a request against a table of credentials; :meth:`check` returns why it fails, or None."""

    def __init__(self, credentials: Iterable[SigV4Credentials], region: str) -> None:
        self._table = {entry.access_key_id: entry for entry in credentials}
        if not self._table:
            raise ValueError("SigV4 checking needs at least one set of credentials")
        self.region = region

    def check(
        self,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        now: datetime | None = None,
    ) -> str | None:
        """The reason the request's signature does not hold, or None when it does."""
        values = _header_values(headers)
        authorization = values.get("authorization")
        if authorization is None:
            return "no Authorization header"
        match = _AUTHORIZATION.fullmatch(authorization.strip())
        if match is None:
            return "the Authorization header is not AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
        scope_problem = self._scope_problem(match, values, now or datetime.now(UTC))
        if scope_problem is not None:
            return scope_problem
        known = self._table.get(match["key"])
        if known is None:
            return f"unknown access key id {match['key']}"
        signed_names = match["signed"].split(";")
        missing = [name for name in ("host", "x-amz-date") if name not in signed_names]
        if missing:
            return f"SignedHeaders lacks {', '.join(missing)}"
        if known.session_token is not None and (
            "x-amz-security-token" not in signed_names or values.get("x-amz-security-token") != known.session_token
        ):
            return "temporary credentials need their session token, signed, in x-amz-security-token"
        content_sha = values.get("x-amz-content-sha256")
        if content_sha is not None and content_sha not in (_UNSIGNED_PAYLOAD, hashlib.sha256(body).hexdigest()):
            return "x-amz-content-sha256 is not the SHA-256 of the body"
        expected = _signature(method, target, values, signed_names, body, known, match["region"])
        if expected is None:
            return "a signed header is not in the request"
        if not hmac.compare_digest(expected, match["signature"]):
            return "the signature does not match"
        return None

    def _scope_problem(self, match: re.Match[str], values: Mapping[str, str], now: datetime) -> str | None:
        if match["service"] != SERVICE:
            return f"signed for service {match['service']}, not {SERVICE}"
        if match["region"] != self.region:
            return f"signed for region {match['region']}, not {self.region}"
        stamp = values.get("x-amz-date", "")
        try:
            signed_at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "no x-amz-date in the form YYYYMMDDTHHMMSSZ"
        if stamp[:8] != match["date"]:
            return "the credential scope's date is not the date of x-amz-date"
        if abs(now - signed_at) > MAX_CLOCK_SKEW:
            return f"x-amz-date {stamp} is more than {MAX_CLOCK_SKEW} away from the clock"
        return None


def _header_values(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names; repeated headers joined with commas, as SigV4's canonical headers join them."""
    values: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        values[key] = f"{values[key]},{value}" if key in values else value
    return values


def _signature(
    method: str,
    target: str,
    values: Mapping[str, str],
    signed_names: list[str],
    body: bytes,
    known: SigV4Credentials,
    region: str,
) -> str | None:
    """botocore's signature for the request as it arrived, or None if a signed header is absent."""
    signed = HTTPHeaders()
    for name in signed_names:
        if name not in values:
            return None
        signed[name] = values[name]
    request = AWSRequest(method=method.upper(), url=f"http://{values['host']}{target}", data=body, headers=signed)
    request.context["timestamp"] = values["x-amz-date"]
    credentials = Credentials(known.access_key_id, known.secret_access_key, known.session_token)
    signer = _ExactHeaders(credentials, region, signed)
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


def verifier_from_environment(region: str, environ: Mapping[str, str] | None = None) -> SigV4Verifier:
    """A verifier knowing the standard ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``
    credentials of ``environ`` (default: this process); ValueError when they are not set."""
    env = os.environ if environ is None else environ
    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        raise ValueError("--verify-sigv4 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
    return SigV4Verifier([SigV4Credentials(key, secret, env.get("AWS_SESSION_TOKEN") or None)], region)
