"""API keys end to end: ``bedrock-stream keys`` writes records into a DynamoDB table served by moto in server mode
(boto3 talks HTTP to it, in the CLI and in the function), and the local Function URL (emulator, our runtime, the
function's own key check, the stub fake Bedrock) accepts or refuses each key: as ``Authorization: Bearer`` and as
``x-api-key``, through the official OpenAI and Anthropic SDKs, with the key's policy enforced (403 in each surface's
shape), revocation effective on the next request (``BEDROCK_STREAM_API_KEY_CACHE_SECONDS=0``; the TTL itself is
covered with a clock seam in tests/unit/api_keys), expiry, and no key material in any log line.

References: DynamoDB GetItem/PutItem/UpdateItem/Scan API reference
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/), RFC 6750 (Bearer, WWW-Authenticate), OpenAI
"Error codes" and Anthropic "Errors" for the SDKs' error classes.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import boto3
import httpx
import openai
import pytest
from moto.server import ThreadedMotoServer

from bedrock_stream.api_keys import DynamoKeyStore as FunctionKeyTable
from bedrock_stream.api_keys.dynamodb import DynamoGetItem
from bedrock_stream.errors import KeyStoreUnavailableError
from client import cli, keys_cli
from client.api_keys import DynamoKeyStore, KeyPolicy, make_key
from emulator.local import BedrockOptions, LocalLambda
from infra.api_keys import ENV_API_KEY_CACHE_SECONDS, ENV_API_KEY_TABLE, KEY_ATTRIBUTE
from tests.unit.api.support import MODEL, OTHER

REGION = "us-east-1"
TABLE = "bedrock-stream-keys-test"
ISSUED: list[str] = []
"""Every key this module made: none may show up in a log line."""
USER: list[Any] = [{"role": "user", "content": "Say hi"}]


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[str]:
    """moto's DynamoDB on loopback with the stack's key table (same key schema), and the CLI's AWS settings."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": KEY_ATTRIBUTE, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": KEY_ATTRIBUTE, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        try:
            yield endpoint
        finally:
            server.stop()


@pytest.fixture(scope="module")
def local(dynamodb: str) -> Iterator[LocalLambda]:
    """The local Function URL in API-key mode, reading the moto table on every request (cache TTL 0)."""
    env = {
        "BEDROCK_STREAM_MODELS": f"{MODEL},{OTHER}",
        "BEDROCK_STREAM_DEFAULT_MODEL": MODEL,
        ENV_API_KEY_TABLE: TABLE,
        ENV_API_KEY_CACHE_SECONDS: "0",
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb,
    }
    with LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"), region=REGION) as lam:
        yield lam


def keys(*argv: str) -> tuple[int, str, str]:
    """Run ``bedrock-stream keys --table TABLE ...`` in process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = keys_cli.main(["--table", TABLE, "--region", REGION, *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def create(name: str, *options: str) -> str:
    code, out, err = keys("create", "--name", name, *options)
    assert code == 0, err
    key = out.strip()
    assert key.startswith("bsk_")
    assert len(out.splitlines()) == 1  # the key alone on stdout, shown once
    ISSUED.append(key)
    return key


def chat(local: LocalLambda, headers: dict[str, str], **body: Any) -> httpx.Response:
    payload = {"model": MODEL, "messages": USER, "stream": True, **body}
    return httpx.post(f"{local.url}/v1/chat/completions", json=payload, headers=headers, timeout=20.0)


def test_a_created_key_works_as_bearer_and_as_x_api_key(local: LocalLambda) -> None:
    key = create("alice")
    bearer = chat(local, {"authorization": f"Bearer {key}"})
    assert bearer.status_code == 200, bearer.text
    assert bearer.text.rstrip().endswith("data: [DONE]")
    message = {"model": MODEL, "max_tokens": 50, "messages": USER}
    header = httpx.post(f"{local.url}/v1/messages", json=message, headers={"x-api-key": key}, timeout=20.0)
    assert header.status_code == 200, header.text
    assert header.json()["type"] == "message"


def test_without_a_key_the_url_answers_401_with_a_bearer_challenge(local: LocalLambda) -> None:
    response = chat(local, {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="bedrock-stream"'
    assert response.json()["error"]["code"] == "invalid_api_key"
    unknown_route = httpx.get(f"{local.url}/no/such/route", timeout=20.0)
    assert unknown_route.status_code == 401  # not 404: nothing is routed before the key


def test_the_official_sdks_stream_with_the_key_and_raise_their_auth_errors_without(local: LocalLambda) -> None:
    key = create("sdk-user")
    oai = openai.OpenAI(base_url=f"{local.url}/v1", api_key=key, timeout=20.0, max_retries=0)
    stream = oai.chat.completions.create(model=MODEL, messages=USER, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    claude = anthropic.Anthropic(base_url=local.url, api_key=key, timeout=20.0, max_retries=0)
    with claude.messages.stream(model=MODEL, max_tokens=50, messages=USER) as answer:
        assert "".join(answer.text_stream)

    bad = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    with pytest.raises(openai.AuthenticationError) as oai_error:
        openai.OpenAI(base_url=f"{local.url}/v1", api_key=bad, max_retries=0).chat.completions.create(
            model=MODEL, messages=USER
        )
    assert (oai_error.value.code, oai_error.value.type) == ("invalid_api_key", "invalid_request_error")
    with pytest.raises(anthropic.AuthenticationError) as claude_error:
        anthropic.Anthropic(base_url=local.url, api_key=bad, max_retries=0).messages.create(
            model=MODEL, max_tokens=50, messages=USER
        )
    assert claude_error.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]


def test_the_keys_policy_is_a_403_in_each_sdks_shape(local: LocalLambda) -> None:
    key = create("limited", "--models", OTHER, "--max-tokens", "50")
    oai = openai.OpenAI(base_url=f"{local.url}/v1", api_key=key, timeout=20.0, max_retries=0)
    with pytest.raises(openai.PermissionDeniedError) as model:
        oai.chat.completions.create(model=MODEL, messages=USER)
    assert (model.value.code, model.value.param) == ("model_not_allowed", "model")
    with pytest.raises(openai.PermissionDeniedError) as tokens:
        oai.chat.completions.create(model=OTHER, messages=USER, max_tokens=51)
    assert (tokens.value.code, tokens.value.param) == ("max_tokens_not_allowed", "max_tokens")
    claude = anthropic.Anthropic(base_url=local.url, api_key=key, timeout=20.0, max_retries=0)
    with pytest.raises(anthropic.PermissionDeniedError) as denied:
        claude.messages.create(model=OTHER, max_tokens=500, messages=USER)
    assert denied.value.body["error"]["type"] == "permission_error"  # type: ignore[index]
    allowed = claude.messages.create(model=OTHER, max_tokens=50, messages=USER)
    assert allowed.model == OTHER
    assert local.fake_bedrock is not None


def test_a_revoked_key_is_refused_on_the_next_request(local: LocalLambda) -> None:
    key = create("leaving")
    assert chat(local, {"x-api-key": key}).status_code == 200
    code, _, err = keys("revoke", "leaving")
    assert code == 0, err
    refused = chat(local, {"x-api-key": key})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="bedrock-stream", error="invalid_token"'


def test_an_expired_key_is_refused_and_a_future_expiry_is_accepted(local: LocalLambda, dynamodb: str) -> None:
    future = create("until-2099", "--expires", "2099-12-31")
    assert chat(local, {"x-api-key": future}).status_code == 200
    expired = make_key("expired", KeyPolicy(expires_at=int(time.time()) - 1))
    ISSUED.append(expired.key)
    DynamoKeyStore(boto3.client("dynamodb", region_name=REGION), TABLE).add(expired.item)
    assert chat(local, {"x-api-key": expired.key}).status_code == 401
    code, out, _ = keys("list")
    assert code == 0
    assert any(line.split()[:2] == ["expired", "expired"] for line in out.splitlines())


def test_list_shows_names_and_policy_never_key_material(local: LocalLambda) -> None:
    key = create("listed", "--models", OTHER, "--max-tokens", "7")
    code, out, _ = keys("list")
    assert code == 0
    row = next(line.split() for line in out.splitlines() if line.startswith("listed "))
    assert row[:4] == ["listed", "active", OTHER, "7"]
    _, key_id, secret = key.split("_", 2)
    assert key_id not in out
    assert secret not in out
    assert "hash" not in out.lower()


def test_creating_a_second_active_key_with_the_same_name_is_refused(local: LocalLambda) -> None:
    create("unique")
    code, out, err = keys("create", "--name", "unique")
    assert (code, out) == (2, "")
    assert "exists" in err


def test_an_unreadable_store_is_a_503_never_an_open_door(dynamodb: str) -> None:
    client = DynamoGetItem(credentials=boto3.Session().get_credentials(), region=REGION, endpoint=dynamodb)
    store = FunctionKeyTable(client, "no-such-table")
    with pytest.raises(KeyStoreUnavailableError) as info:
        store.get("0123456789ab")
    assert info.value.status_code == 503
    assert "ResourceNotFoundException" in (info.value.detail or "")


def test_no_key_material_in_any_log_line_and_the_key_name_in_the_request_log(local: LocalLambda) -> None:
    key = create("logged")
    assert chat(local, {"authorization": f"Bearer {key}"}).status_code == 200
    assert chat(local, {"authorization": f"Bearer {key[:-3]}xyz"}).status_code == 401
    assert chat(local, {"x-api-key": key}, max_tokens=10**6).status_code == 400
    assert local.logs.wait_for('"api_key":"logged"', 10, source_prefix="function")
    text = local.logs.text()
    leaks = [
        part for issued in ISSUED for part in (issued, *issued.split("_", 2)[1:]) if part in text
    ]  # the key, its id and its secret
    assert leaks == []
    records = [json.loads(line.text) for line in local.logs.lines() if line.text.startswith("{")]
    finished = [r for r in records if r.get("message") == "request finished" and r.get("api_key") == "logged"]
    assert finished
    emf = [r for r in records if "_aws" in r and r.get("api_key") == "logged"]
    assert emf
    assert any("api_key" in dims for r in emf for d in r["_aws"]["CloudWatchMetrics"] for dims in d["Dimensions"])


def test_the_cli_streams_from_an_api_key_deployment_with_its_key(
    local: LocalLambda, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = create("cli-user")
    assert cli.main(["--url", local.url, "--api-key", key, "Say hi"]) == 0
    assert capsys.readouterr().out.strip()
    assert cli.main(["--url", local.url, "Say hi"]) == 6  # 4xx: no key
    assert "missing API key" in capsys.readouterr().err
    monkeypatch.setenv(cli.API_KEY_ENV, key)
    assert cli.main(["--url", local.url, "Say hi"]) == 0
