"""The function's one-operation DynamoDB client (functions/bedrock_stream/api_keys/dynamodb.py) against two real
peers: moto's DynamoDB server (items found and not, service errors), and a recording HTTP server that receives the
same GetItem from it and from boto3's own ``dynamodb`` client, so the wire request (target, content type, body,
SigV4 scope and signed headers) is boto3's. DynamoDB low-level API:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from bedrock_stream.api_keys.dynamodb import DynamoGetItem, dynamodb_endpoint

REGION = "eu-west-1"
CREDENTIALS = Credentials("AKIDEXAMPLE", "secret", "session-token")
KEY = {"TableName": "keys", "Key": {"keyId": {"S": "0123456789ab"}}, "ConsistentRead": True}


class Recorder(ThreadingHTTPServer):
    """Answers each POST with the next scripted (status, body), recording headers and body."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.script: list[tuple[int, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        status, document = self.server.script.pop(0) if self.server.script else (200, {})
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _client(endpoint: str) -> DynamoGetItem:
    return DynamoGetItem(credentials=CREDENTIALS, region=REGION, endpoint=endpoint, sleep=lambda _: None)


def test_the_wire_request_is_the_one_boto3_sends(recorder: Recorder) -> None:
    _client(recorder.url).get_item(**KEY)
    boto = boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=recorder.url,
        aws_access_key_id=CREDENTIALS.access_key,
        aws_secret_access_key=CREDENTIALS.secret_key,
        aws_session_token=CREDENTIALS.token,
        config=Config(retries={"max_attempts": 1}),
    )
    boto.get_item(**KEY)
    (ours, ours_body), (theirs, theirs_body) = recorder.requests
    for header in ("x-amz-target", "content-type", "x-amz-security-token"):
        assert ours[header] == theirs[header]
    assert json.loads(ours_body) == json.loads(theirs_body)

    def scope(headers: dict[str, str]) -> tuple[str, str, str]:
        algorithm, _, rest = headers["authorization"].partition(" ")
        fields = dict(part.strip().split("=", 1) for part in rest.split(","))
        credential = fields["Credential"].split("/")
        return algorithm, "/".join([credential[0], *credential[2:]]), fields["SignedHeaders"]

    ours_scope, theirs_scope = scope(ours), scope(theirs)
    assert ours_scope[:2] == theirs_scope[:2] == ("AWS4-HMAC-SHA256", f"AKIDEXAMPLE/{REGION}/dynamodb/aws4_request")
    assert {"host", "x-amz-date", "x-amz-target", "x-amz-security-token"} <= set(ours_scope[2].split(";"))


def test_throttling_is_retried_and_a_missing_table_is_not(recorder: Recorder) -> None:
    throttled = {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "slow down"}
    recorder.script = [(400, throttled), (400, throttled), (200, {"Item": {"keyId": {"S": "x"}}})]
    assert _client(recorder.url).get_item(**KEY) == {"Item": {"keyId": {"S": "x"}}}
    assert len(recorder.requests) == 3
    missing = {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "no table"}
    recorder.script = [(400, missing)]
    with pytest.raises(ClientError) as info:
        _client(recorder.url).get_item(**KEY)
    assert (info.value.response["Error"]["Code"], len(recorder.requests)) == ("ResourceNotFoundException", 4)


def test_against_moto_it_finds_items_and_answers_empty_for_missing_ones() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto = boto3.client(
            "dynamodb", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="a", aws_secret_access_key="b"
        )
        boto.create_table(
            TableName="keys",
            KeySchema=[{"AttributeName": "keyId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "keyId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto.put_item(TableName="keys", Item={"keyId": {"S": "0123456789ab"}, "name": {"S": "alice"}})
        client = _client(endpoint)
        assert client.get_item(**KEY)["Item"]["name"] == {"S": "alice"}
        assert "Item" not in client.get_item(**{**KEY, "Key": {"keyId": {"S": "ffffffffffff"}}})
    finally:
        server.stop()


def test_the_endpoint_follows_the_partition_and_the_standard_override() -> None:
    assert dynamodb_endpoint("eu-west-1", "aws", {}) == "https://dynamodb.eu-west-1.amazonaws.com"
    assert dynamodb_endpoint("cn-north-1", "aws-cn", {}) == "https://dynamodb.cn-north-1.amazonaws.com.cn"
    assert dynamodb_endpoint("us-gov-west-1", "aws-us-gov", {}) == "https://dynamodb.us-gov-west-1.amazonaws.com"
    assert dynamodb_endpoint("x", "aws", {"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1/"}) == "http://127.0.0.1:1"
    assert dynamodb_endpoint("x", "aws", {"AWS_ENDPOINT_URL": "http://127.0.0.1:2"}) == "http://127.0.0.1:2"
    with pytest.raises(ValueError, match="aws-iso"):
        dynamodb_endpoint("us-iso-east-1", "aws-iso", {})
