"""``python -m emulator --api-key KEY`` / ``--api-key-file PATH``: the local Function URL runs the function's own key
check against a key file (the records the CLI writes for the DynamoDB table), so ``make dev`` can behave like an
``authType: "API_KEY"`` deployment; without the options nothing changes."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from client import keys_cli
from client.api_keys import KeyPolicy, make_key
from emulator.api_keys import ENV_API_KEY_CACHE_SECONDS, ENV_API_KEY_FILE, api_key_env, with_key_headers
from emulator.cli import build_parser, cors_from_args
from emulator.local import BedrockOptions, LocalLambda
from tests.unit.api.support import MODEL

BODY = {"model": MODEL, "prompt": "hi"}


def _lambda(env: dict[str, str]) -> LocalLambda:
    return LocalLambda(env={"BEDROCK_STREAM_MODELS": MODEL, **env}, timeout=30, bedrock=BedrockOptions(mode="stub"))


def test_without_key_options_the_function_env_is_unchanged() -> None:
    args = build_parser().parse_args([])
    assert api_key_env(args.api_key, args.api_key_file, cache_seconds=args.api_key_cache_seconds) == ({}, None)


def test_api_key_option_accepts_that_key_and_refuses_others() -> None:
    key = make_key("k", KeyPolicy()).key
    args = build_parser().parse_args(["--api-key", key])
    env, made = api_key_env(args.api_key, args.api_key_file)
    assert made is not None
    assert env == {ENV_API_KEY_FILE: str(made)}
    try:
        with _lambda(env) as lam:
            assert httpx.post(lam.url, json=BODY, headers={"authorization": f"Bearer {key}"}).status_code == 200
            assert httpx.post(lam.url, json=BODY, headers={"x-api-key": key}).status_code == 200
            refused = httpx.post(lam.url, json=BODY)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer realm=")
            assert key.split("_", 2)[2] not in lam.logs.text()
    finally:
        made.unlink()


def test_api_key_file_made_by_the_cli_with_revocation_on_the_next_request(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    out = io.StringIO()
    assert keys_cli.main(["--file", str(path), "create", "--name", "dev"], stdout=out, stderr=io.StringIO()) == 0
    key = out.getvalue().strip()
    env, made = api_key_env([], str(path), cache_seconds=0)
    assert (made, env[ENV_API_KEY_CACHE_SECONDS]) == (None, "0")
    with _lambda(env) as lam:
        assert httpx.post(lam.url, json=BODY, headers={"x-api-key": key}).status_code == 200
        assert keys_cli.main(["--file", str(path), "revoke", "dev"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
        assert httpx.post(lam.url, json=BODY, headers={"x-api-key": key}).status_code == 401
        assert key not in lam.logs.text()


@pytest.mark.parametrize(
    ("keys", "key_file", "message"),
    [
        (["sk-not-ours"], None, "not a bedrock-stream key"),
        (["bsk_0123456789ab_" + "a" * 43], "keys.json", "not both"),
        ([], "/no/such/keys.json", "no such file"),
    ],
)
def test_bad_key_options_are_usage_errors(keys: list[str], key_file: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        api_key_env(keys, key_file)


def test_with_keys_on_the_emulators_cors_allows_the_key_headers_as_the_stack_does() -> None:
    """Mirrors infra.api_keys.cors_allow_headers (tests/infra/test_api_keys_stack.py, the browser preset)."""
    cors = cors_from_args(build_parser().parse_args(["--cors-origin", "https://a.example"]))
    keyed = with_key_headers(cors)
    assert keyed is not None
    assert keyed.allow_headers[-1:] == ("x-api-key",)
    assert "authorization" in keyed.allow_headers
    assert with_key_headers(None) is None
