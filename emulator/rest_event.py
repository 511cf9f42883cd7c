"""Build the API Gateway REST proxy event (payload format 1.0) from a raw HTTP request (pure; no I/O).

Shape per the API Gateway developer guide, "Input format of a Lambda function for proxy integration"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html), which a
streaming integration receives unchanged (response-transfer-mode-lambda.html), for the resources the stack creates
(infra/api_gateway_front.py): ``/`` and ``/{proxy+}``.

- Header names keep the client's spelling; ``headers`` and ``queryStringParameters`` carry the last value of a
  repeated name, the ``multiValue*`` maps every value.
- ``path`` is the request path without the stage, still percent-encoded (``requestContext.path`` adds the stage);
  ``pathParameters.proxy`` is decoded, as live REST API captures show (https://github.com/middleapi/standard-server/pull/93,
  https://github.com/dherault/serverless-offline/issues/638).
- ``identity.apiKey`` / ``apiKeyId`` name the key a method with ``apiKeyRequired`` accepted.
- Bodies are text when they decode as UTF-8, else base64 with ``isBase64Encoded`` (the stack sets no binary media
  types; the emulator's choice for bytes that are not text).

The local API is served without the stage prefix in its URL, as a custom domain mapped at its root serves it.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from emulator.url_event import clf_time

__all__ = ["RestApiConfig", "build_rest_event", "trace_id"]


@dataclass(frozen=True, slots=True)
class RestApiConfig:
    """Identity of the local REST API as it appears in the event."""

    api_id: str = "localrestapi"
    stage: str = "prod"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    resource_id: str = "localproxy"

    @property
    def domain_name(self) -> str:
        """The host name of a real Regional REST API."""
        return f"{self.api_id}.execute-api.{self.region}.amazonaws.com"


def trace_id(event: dict[str, Any]) -> str | None:
    """The ``X-Amzn-Trace-Id`` header of a REST proxy event (any spelling of the name)."""
    headers = event.get("headers") or {}
    return next((str(v) for k, v in headers.items() if k.lower() == "x-amzn-trace-id"), None)


def _multi(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    return multi


def build_rest_event(
    *,
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str,
    protocol: str = "HTTP/1.1",
    config: RestApiConfig | None = None,
    request_id: str | None = None,
    api_key: str | None = None,
    api_key_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The REST proxy event for one HTTP request (``target`` is the request-target, path plus query)."""
    cfg = config or RestApiConfig()
    epoch = time.time() if now is None else now
    raw_path, _, raw_query = target.partition("?")
    path = raw_path.split("#", 1)[0] or "/"
    multi_headers = _multi(headers)
    names = {name.lower() for name in multi_headers}
    if "x-amzn-trace-id" not in names:  # API Gateway adds one to every request it forwards
        multi_headers["X-Amzn-Trace-Id"] = [f"Root=1-{int(epoch):08x}-{uuid.uuid4().hex[:24]}"]
    if "x-forwarded-for" not in names:
        multi_headers["X-Forwarded-For"] = [source_ip]
    multi_query = _multi(parse_qsl(raw_query.split("#", 1)[0], keep_blank_values=True))
    proxy = unquote(path).lstrip("/")
    resource = "/{proxy+}" if proxy else "/"
    event: dict[str, Any] = {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": proxy} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": cfg.account_id,
            "apiId": cfg.api_id,
            "domainName": cfg.domain_name,
            "domainPrefix": cfg.api_id,
            "extendedRequestId": uuid.uuid4().hex[:16],
            "httpMethod": method.upper(),
            "identity": {
                "accessKey": None,
                "accountId": None,
                "apiKey": api_key,
                "apiKeyId": api_key_id,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": source_ip,
                "user": None,
                "userAgent": next((v[-1] for k, v in multi_headers.items() if k.lower() == "user-agent"), None),
                "userArn": None,
                "clientCert": None,
            },
            "path": f"/{cfg.stage}{path}",
            "protocol": protocol,
            "requestId": request_id or str(uuid.uuid4()),
            "requestTime": clf_time(epoch),
            "requestTimeEpoch": int(epoch * 1000),
            "resourceId": cfg.resource_id,
            "resourcePath": resource,
            "stage": cfg.stage,
        },
        "body": None,
        "isBase64Encoded": False,
    }
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    return event
