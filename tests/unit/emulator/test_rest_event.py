"""The REST proxy event (payload 1.0) the local API Gateway front builds, against the fields of AWS's documented input
format (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html), and the
function's own parser reading it back."""

from __future__ import annotations

import base64

from bedrock_stream.http_event import parse_event
from emulator.rest_event import RestApiConfig, build_rest_event, trace_id

DOCUMENTED_KEYS = {
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
}
CONTEXT_KEYS = {
    "accountId",
    "apiId",
    "domainName",
    "domainPrefix",
    "extendedRequestId",
    "httpMethod",
    "identity",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
}


def event(target: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> dict[str, object]:
    return build_rest_event(
        method="post",
        target=target,
        headers=headers or [("Accept", "text/plain"), ("X-Multi", "1"), ("X-Multi", "2")],
        body=body,
        source_ip="127.0.0.1",
        config=RestApiConfig(stage="v1"),
        request_id="req-1",
        api_key="k",
        api_key_id="kid",
        now=1796193600.0,
    )


def test_the_documented_fields_for_a_proxy_path() -> None:
    e = event("/v1/models?a=1&a=2&b=")
    assert set(e) == DOCUMENTED_KEYS
    assert set(e["requestContext"]) == CONTEXT_KEYS  # type: ignore[arg-type]
    assert (e["resource"], e["path"], e["httpMethod"]) == ("/{proxy+}", "/v1/models", "POST")
    assert e["pathParameters"] == {"proxy": "v1/models"}
    assert e["headers"]["X-Multi"] == "2"  # type: ignore[index]
    assert e["multiValueHeaders"]["X-Multi"] == ["1", "2"]  # type: ignore[index]
    assert e["queryStringParameters"] == {"a": "2", "b": ""}
    assert e["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    context = e["requestContext"]
    assert context["path"] == "/v1/v1/models"  # type: ignore[index]
    assert context["requestTime"] == "02/Dec/2026:06:40:00 +0000"  # type: ignore[index]
    assert context["identity"]["apiKeyId"] == "kid"  # type: ignore[index]
    assert trace_id(e) is not None


def test_the_path_stays_encoded_and_the_proxy_parameter_is_decoded() -> None:
    e = event("/model/us.anthropic.claude-3-haiku%3A0/invoke")
    assert e["path"] == "/model/us.anthropic.claude-3-haiku%3A0/invoke"
    assert e["pathParameters"] == {"proxy": "model/us.anthropic.claude-3-haiku:0/invoke"}
    request = parse_event(e, max_body_bytes=1024)
    assert request.path == "/model/us.anthropic.claude-3-haiku%3A0/invoke"  # the app decodes it, as for Function URLs


def test_the_root_resource_and_no_query() -> None:
    e = event("/")
    assert (e["resource"], e["pathParameters"], e["queryStringParameters"]) == ("/", None, None)
    assert (e["body"], e["isBase64Encoded"]) == (None, False)


def test_binary_bodies_are_base64_and_the_function_reads_them_back() -> None:
    raw = b"\xff\x00binary"
    e = event("/", body=raw)
    assert e["isBase64Encoded"] is True
    assert base64.b64decode(str(e["body"])) == raw
    request = parse_event(e, max_body_bytes=1024)
    assert (request.body, request.api_key_id, request.headers["x-multi"]) == (raw, "kid", "1,2")
