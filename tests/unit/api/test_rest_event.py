"""API Gateway REST proxy events (payload 1.0), as a streaming integration sends them, and the API key id in the log.

The event is modelled on the example of the API Gateway developer guide ("Input format of a Lambda function for proxy
integration", https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
#api-gateway-simple-proxy-for-lambda-input-format), with this project's own values; a streaming integration sends
the same event (response-transfer-mode-lambda.html).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from bedrock_stream.http_event import parse_event
from bedrock_stream.rest_event import parse_rest_head
from streaming_runtime.integration import is_http_event
from tests.unit.api.support import harness, run

API_KEY = "x3Kq9TzAbCdEfGhIjKlMnOpQrStUvWxYz0123456"  # what the caller sent; the function must never log it
API_KEY_ID = "k9lt2dq7ab"


def rest_event(*, body: str | None, base64_body: bool = False, path: str = "/v1/chat/completions") -> dict[str, Any]:
    """A REST proxy event through ``/{proxy+}`` of stage ``prod`` with an API key."""
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "X-Trace": "b", "x-api-key": API_KEY},
        "multiValueHeaders": {
            "Content-Type": ["application/json"],
            "X-Trace": ["a", "b"],
            "x-api-key": [API_KEY],
        },
        "queryStringParameters": {"format": "ndjson", "tag": "two"},
        "multiValueQueryStringParameters": {"format": ["ndjson"], "tag": ["one", "two"]},
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": "111122223333",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "extendedRequestId": "Qx1YzGkFoAMEb7Q=",
            "httpMethod": "POST",
            "identity": {
                "accessKey": None,
                "accountId": None,
                "apiKey": API_KEY,
                "apiKeyId": API_KEY_ID,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": "198.51.100.7",
                "user": None,
                "userAgent": "curl/8.5.0",
                "userArn": None,
                "clientCert": None,
            },
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": "5b0c1f8e-3d2a-4c6b-9e7f-0a1b2c3d4e5f",
            "requestTime": "02/Dec/2026:06:40:00 +0000",
            "requestTimeEpoch": 1796193600000,
            "resourceId": "r3s0ur",
            "resourcePath": "/{proxy+}",
            "stage": "prod",
        },
        "body": body,
        "isBase64Encoded": base64_body,
    }


def test_the_documented_event_is_an_http_event_with_its_method_path_headers_and_query() -> None:
    event = rest_event(body='{"a": 1}')
    assert is_http_event(event)
    request = parse_event(event, max_body_bytes=1024)
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")  # without the stage
    assert request.headers["x-trace"] == "a,b"  # every value of a repeated header, names lower-cased
    assert request.headers["content-type"] == "application/json"
    assert request.query == {"format": "ndjson", "tag": "two"}  # the last of repeated values, as on Function URLs
    assert request.body == b'{"a": 1}'
    assert request.api_key_id == API_KEY_ID


def test_base64_body_and_single_value_fallbacks() -> None:
    event = rest_event(body=base64.b64encode(b'{"prompt": "Hi"}').decode(), base64_body=True, path="/")
    del event["multiValueHeaders"], event["multiValueQueryStringParameters"]
    request = parse_event(event, max_body_bytes=1024)
    assert request.body == b'{"prompt": "Hi"}'
    assert request.headers["x-trace"] == "b"
    assert request.query == {"format": "ndjson", "tag": "two"}


def test_no_key_id_without_an_api_key_and_no_query() -> None:
    event = rest_event(body=None)
    event["requestContext"]["identity"] = {"apiKey": None, "apiKeyId": None, "sourceIp": "198.51.100.7"}
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    head = parse_rest_head(event)
    assert (head.api_key_id, head.query) == (None, {})


def test_the_request_log_names_the_key_id_and_never_the_key() -> None:
    h = harness()
    body = json.dumps(
        {"model": "anthropic.claude-3-haiku-20240307-v1:0", "messages": [{"role": "user", "content": "Hi"}]}
    )
    result = run(h, rest_event(body=body))
    assert result.status == 200
    log = h.log.getvalue()
    (line,) = [json.loads(x) for x in log.splitlines() if x.strip()]
    assert (line["route"], line["api_key_id"]) == ("POST /v1/chat/completions", API_KEY_ID)
    assert API_KEY not in log
