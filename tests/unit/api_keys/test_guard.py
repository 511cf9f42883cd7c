"""The function's key check (functions/bedrock_stream/api_keys) against real key files written by the CLI's and the
emulator's record writers: format, salted hash, Bearer / x-api-key, revocation after the cache TTL (clock seam, no
sleeps), expiry, and the per-key policy on parsed plans. Bearer tokens per RFC 6750 section 2.1
(https://www.rfc-editor.org/rfc/rfc6750#section-2.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedrock_stream.api_keys import ApiKey, FileKeyStore, KeyGuard, parse_key, record_from_item
from bedrock_stream.api_keys.records import KeyRecordError
from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import InvalidApiKeyError, KeyPolicyError
from bedrock_stream.plan import Converse, CountTokens, Document, Invoke
from client.api_keys import FileKeyStore as CliKeyFile
from client.api_keys import KeyPolicy, make_key
from emulator.api_keys import write_key_file
from tests.unit.api.support import MODEL, OTHER, settings


class Clock:
    """A settable monotonic clock (the guard's seam)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _key_file(tmp_path: Path, *policies: tuple[str, KeyPolicy]) -> tuple[Path, list[str]]:
    path = tmp_path / "keys.json"
    store = CliKeyFile(path)
    keys = []
    for name, policy in policies:
        new = make_key(name, policy)
        store.add(new.item)
        keys.append(new.key)
    return path, keys


def test_cli_keys_have_the_prefix_an_id_and_verify_against_their_stored_record(tmp_path: Path) -> None:
    new = make_key("alice", KeyPolicy(models=(MODEL,), max_tokens=100, expires_at=2_000_000_000))
    parsed = parse_key(new.key)
    assert parsed is not None
    assert new.key.startswith("bsk_")
    key_id, secret = parsed
    record = record_from_item(new.item)
    assert (record.key_id, record.name, record.models, record.max_tokens) == (key_id, "alice", (MODEL,), 100)
    assert record.matches(secret)
    assert not record.matches(secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert secret not in json.dumps(new.item)  # only the salted hash is stored


def test_emulator_records_verify_like_cli_records(tmp_path: Path) -> None:
    key = make_key("x", KeyPolicy()).key
    path = tmp_path / "emulator-keys.json"
    write_key_file([key], path)
    guard = KeyGuard(FileKeyStore(path), cache_seconds=0)
    assert guard.authenticate({"authorization": f"Bearer {key}"}).name == "local-1"
    assert key.split("_", 2)[2] not in path.read_text()
    with pytest.raises(ValueError, match="not a bedrock-stream key"):
        write_key_file(["sk-not-ours"], tmp_path / "bad.json")


@pytest.mark.parametrize("text", ["", "bsk_", "bsk_0123456789ab", "bsk_XYZ_" + "a" * 43, "sk-" + "a" * 48])
def test_malformed_keys_do_not_parse(text: str) -> None:
    assert parse_key(text) is None


def test_bearer_and_x_api_key_are_both_accepted(tmp_path: Path) -> None:
    path, (key,) = _key_file(tmp_path, ("alice", KeyPolicy()))
    guard = KeyGuard(FileKeyStore(path), cache_seconds=60)
    assert guard.authenticate({"authorization": f"Bearer {key}"}).name == "alice"
    assert guard.authenticate({"authorization": f"bearer {key}"}).name == "alice"
    assert guard.authenticate({"x-api-key": key}).name == "alice"
    assert guard.authenticate({"authorization": f"Bearer {key}", "x-api-key": key}).name == "alice"


def test_behind_cloudfront_the_x_api_key_opens_next_to_cloudfronts_own_signature(tmp_path: Path) -> None:
    """With cloudFront the URL is AWS_IAM and OAC replaces Authorization with its SigV4 (CloudFront developer guide,
    private-content-restricting-access-to-lambda.html): the key the function checks is the forwarded x-api-key."""
    path, (key,) = _key_file(tmp_path, ("alice", KeyPolicy()))
    guard = KeyGuard(FileKeyStore(path), cache_seconds=0)
    signed = "AWS4-HMAC-SHA256 Credential=ASIA/20261202/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=ab"
    assert guard.authenticate({"authorization": signed, "x-api-key": key}).name == "alice"


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="bedrock-stream"'),
        ({"authorization": "AWS4-HMAC-SHA256 Credential=AKIA/..."}, 'Bearer realm="bedrock-stream"'),
        ({"x-api-key": "bsk_0123456789ab_" + "a" * 43}, 'Bearer realm="bedrock-stream", error="invalid_token"'),
        ({"authorization": "Bearer nonsense"}, 'Bearer realm="bedrock-stream", error="invalid_token"'),
    ],
)
def test_missing_malformed_and_unknown_keys_are_401_with_a_challenge(
    tmp_path: Path, headers: dict[str, str], challenge: str
) -> None:
    path, _ = _key_file(tmp_path, ("alice", KeyPolicy()))
    with pytest.raises(InvalidApiKeyError) as info:
        KeyGuard(FileKeyStore(path), cache_seconds=0).authenticate(headers)
    assert (info.value.status_code, info.value.challenge) == (401, challenge)


def test_a_right_id_with_a_wrong_secret_is_refused(tmp_path: Path) -> None:
    path, (key,) = _key_file(tmp_path, ("alice", KeyPolicy()))
    forged = key[: key.rindex("_") + 1] + "b" * 43
    with pytest.raises(InvalidApiKeyError):
        KeyGuard(FileKeyStore(path), cache_seconds=0).authenticate({"x-api-key": forged})


def test_two_different_keys_in_one_request_are_refused(tmp_path: Path) -> None:
    path, (one, two) = _key_file(tmp_path, ("a", KeyPolicy()), ("b", KeyPolicy()))
    with pytest.raises(InvalidApiKeyError, match="two different API keys"):
        KeyGuard(FileKeyStore(path), cache_seconds=0).authenticate({"authorization": f"Bearer {one}", "x-api-key": two})


def test_revocation_takes_effect_once_the_cached_record_is_older_than_the_ttl(tmp_path: Path) -> None:
    path, (key,) = _key_file(tmp_path, ("alice", KeyPolicy()))
    clock = Clock()
    guard = KeyGuard(FileKeyStore(path), cache_seconds=60, clock=clock)
    headers = {"x-api-key": key}
    assert guard.authenticate(headers).name == "alice"
    (record,) = CliKeyFile(path).items()
    CliKeyFile(path).revoke(record["keyId"], at=1)
    clock.now += 59.9
    assert guard.authenticate(headers).name == "alice"  # still the cached record: within the stated bound
    clock.now += 0.2
    with pytest.raises(InvalidApiKeyError):
        guard.authenticate(headers)


def test_with_ttl_zero_a_revocation_is_effective_on_the_next_request(tmp_path: Path) -> None:
    path, (key,) = _key_file(tmp_path, ("alice", KeyPolicy()))
    guard = KeyGuard(FileKeyStore(path), cache_seconds=0)
    assert guard.authenticate({"x-api-key": key}).name == "alice"
    CliKeyFile(path).revoke(CliKeyFile(path).items()[0]["keyId"], at=1)
    with pytest.raises(InvalidApiKeyError):
        guard.authenticate({"x-api-key": key})


def test_expiry_is_checked_on_every_request_even_from_the_cache(tmp_path: Path) -> None:
    path, (key,) = _key_file(tmp_path, ("alice", KeyPolicy(expires_at=5000)))
    wall = Clock()
    wall.now = 4999.0
    guard = KeyGuard(FileKeyStore(path), cache_seconds=3600, now=wall)
    assert guard.authenticate({"x-api-key": key}).name == "alice"
    wall.now = 5000.0
    with pytest.raises(InvalidApiKeyError):
        guard.authenticate({"x-api-key": key})


def test_a_malformed_record_is_a_store_error_not_an_open_door(tmp_path: Path) -> None:
    with pytest.raises(KeyRecordError, match="salt"):
        record_from_item({"keyId": "0123456789ab", "name": "n", "salt": "zz", "hash": "h"})


def _chat(model: str, max_tokens: int | None) -> ChatRequest:
    return ChatRequest(model=model, messages=(ChatMessage("user", ({"text": "hi"},)),), max_tokens=max_tokens)


def test_the_policy_refuses_other_models_and_larger_max_tokens_with_403() -> None:
    key = ApiKey("limited", models=(OTHER,), max_tokens=50)
    key.authorize(Converse(chat=_chat(OTHER, 50)))
    key.authorize(Document(body={}))
    with pytest.raises(KeyPolicyError) as model:
        key.authorize(Converse(chat=_chat(MODEL, 10)))
    assert (model.value.status_code, model.value.error_type, model.value.field) == (403, "model_not_allowed", "model")
    with pytest.raises(KeyPolicyError) as tokens:
        key.authorize(Converse(chat=_chat(OTHER, 51)))
    assert (tokens.value.error_type, tokens.value.field) == ("max_tokens_not_allowed", "max_tokens")
    with pytest.raises(KeyPolicyError):
        key.authorize(CountTokens(chat=_chat(MODEL, None), estimate=1))
    with pytest.raises(KeyPolicyError) as native:
        key.authorize(Invoke(model=OTHER, body=b'{"inferenceConfig": {"maxTokens": 500}}'))
    assert native.value.field == "inferenceConfig.maxTokens"


def test_the_keys_view_of_the_settings_fits_its_policy() -> None:
    base = settings(default_max_tokens=1024)
    limited = ApiKey("limited", models=(OTHER,), max_tokens=50).settings_for(base)
    assert (limited.default_model, limited.default_max_tokens, limited.models) == (OTHER, 50, base.models)
    assert ApiKey("open").settings_for(base) == base
