"""SigV4 signing of httpx requests for a Lambda Function URL with ``AuthType: AWS_IAM``.

Signs with botocore's public signer (``botocore.auth.SigV4Auth(credentials, service, region).add_auth``), service
``lambda``, the function's Region (AWS Lambda developer guide, urls-auth.html and urls-invocation.html; see
docs/lambda-streaming.md, "Function URL access"). The exact request body bytes are hashed into
``x-amz-content-sha256`` and signed. Signed headers: ``host``, ``content-type`` and every ``x-amz-*`` header.

Usage with the OpenAI SDK::

    import httpx
    from openai import OpenAI
    from client.auth import FunctionUrlAuth

    url = "https://abc123.lambda-url.us-east-1.on.aws"
    openai = OpenAI(base_url=f"{url}/v1", api_key="unused",
                    http_client=httpx.Client(auth=FunctionUrlAuth(), timeout=None))

The SDK's ``Authorization: Bearer`` header is dropped before signing: the Function URL reads ``Authorization``
for the SigV4 signature.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Generator
from typing import Any

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import BotoCoreError
from httpx import Auth, Request, Response

from client.errors import ConfigError, CredentialsError
from client.urls import canonical_query, region_from_url

__all__ = ["SERVICE", "FunctionUrlAuth", "SessionCredentials", "resolve_credentials"]

SERVICE = "lambda"
_SIGNED_PLAIN_HEADERS = ("host", "content-type")


class SessionCredentials:
    """The current credentials of one botocore ``Session``, looked up on every use.

    botocore caches the session's credentials object; refreshable ones (SSO, assume-role, container, instance
    metadata) renew themselves inside ``get_frozen_credentials`` shortly before they expire, so a long-running
    process that calls :meth:`get_frozen_credentials` per request always signs with valid keys.
    """

    def __init__(self, session: botocore.session.Session) -> None:
        self.session = session

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        """Access key, secret key and token as of now; ``CredentialsError`` when there are none."""
        try:
            credentials = self.session.get_credentials()
        except BotoCoreError as exc:  # e.g. ProfileNotFound
            raise CredentialsError(f"cannot load AWS credentials: {exc}") from exc
        if credentials is None:
            profile = self.session.profile
            hint = f" for profile {profile!r}" if profile else ""
            raise CredentialsError(
                f"no AWS credentials found{hint}: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                "or run `aws sso login`"
            )
        try:
            frozen: ReadOnlyCredentials = credentials.get_frozen_credentials()
        except BotoCoreError as exc:  # refresh failed (expired SSO token, unreachable metadata service)
            raise CredentialsError(f"cannot refresh AWS credentials: {exc}") from exc
        return frozen


def resolve_credentials(profile: str | None = None) -> ReadOnlyCredentials:
    """Frozen credentials from the standard chain (env, profile, SSO, container, instance metadata)."""
    return SessionCredentials(botocore.session.Session(profile=profile)).get_frozen_credentials()


def _configured_region(profile: str | None) -> str | None:
    try:
        region = botocore.session.Session(profile=profile).get_config_variable("region")
    except BotoCoreError:
        return None
    return str(region) if region else os.environ.get("AWS_REGION") or None


class FunctionUrlAuth(Auth):
    """An ``httpx.Auth`` that SigV4-signs each request (service ``lambda``) for a Function URL.

    ``region``: the function's Region; default: parsed from ``*.lambda-url.<region>.on.aws``, then the profile's
    configured Region. ``credentials``: fixed credentials (``botocore`` ``Credentials``/``ReadOnlyCredentials``);
    default: the standard credential chain for ``profile``, resolved per request so refreshed credentials are used.
    """

    requires_request_body = True

    def __init__(
        self,
        region: str | None = None,
        profile: str | None = None,
        credentials: Any = None,
    ) -> None:
        self.region = region
        self.profile = profile
        self._credentials = credentials

    def auth_flow(self, request: Request) -> Generator[Request, Response, None]:
        """Sign ``request`` in place and send it once."""
        self.sign(request)
        yield request

    def sign(self, request: Request) -> None:
        """Add ``x-amz-content-sha256``, ``x-amz-date``, the session token if any and ``Authorization``."""
        region = self.region or region_from_url(str(request.url)) or _configured_region(self.profile)
        if not region:
            raise ConfigError(
                f"cannot tell the AWS Region of {request.url.host}: pass region= (CLI: --region) or set AWS_REGION"
            )
        credentials = self._frozen_credentials()
        if request.url.query:  # sent as signed: botocore signs a URL's query string as written
            request.url = request.url.copy_with(query=canonical_query(request.url.query.decode("ascii")).encode())
        body = request.content  # requires_request_body: httpx has read the exact bytes it will send
        for name in ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"):
            request.headers.pop(name, None)
        request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        to_sign = {
            name: value
            for name, value in request.headers.items()
            if name in _SIGNED_PLAIN_HEADERS or name.startswith("x-amz-")
        }
        aws_request = AWSRequest(method=request.method, url=str(request.url), data=body, headers=to_sign)
        SigV4Auth(credentials, SERVICE, region).add_auth(aws_request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            value = aws_request.headers.get(name)
            if value is not None:
                request.headers[name] = value

    def _frozen_credentials(self) -> ReadOnlyCredentials:
        if self._credentials is None:
            return resolve_credentials(self.profile)
        if isinstance(self._credentials, ReadOnlyCredentials):
            return self._credentials
        frozen: ReadOnlyCredentials = self._credentials.get_frozen_credentials()
        return frozen
