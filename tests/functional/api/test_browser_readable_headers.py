"""A browser can read every response header the function sets for clients.

A cross-origin ``fetch`` sees only the CORS-safelisted response headers plus those the URL names in
``Access-Control-Expose-Headers`` (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name); the Function
URL sends the ones its ``Cors.ExposeHeaders`` lists (https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html).
The stack's and the emulator's default list must cover what the function actually sends.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator import cli
from emulator.local import BedrockOptions, LocalLambda
from tests.unit.api.support import MODEL, OTHER

ORIGIN = "https://chat.example.com"
HI = [{"role": "user", "content": "hi"}]
# Headers meant for the browser or a proxy, not for page scripts; x-amzn-* are the URL's own, not the function's.
NOT_FOR_SCRIPTS = {"x-content-type-options", "x-accel-buffering"}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    cors = cli.cors_from_args(cli.build_parser().parse_args(["--cors-origin", ORIGIN]))
    env = {"BEDROCK_STREAM_MODELS": f"{MODEL},{OTHER}", "BEDROCK_STREAM_DEFAULT_MODEL": MODEL}
    with LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"), cors=cors) as lam:
        yield lam


def unreadable_headers(response: httpx.Response) -> set[str]:
    exposed = {h.strip().lower() for h in response.headers.get("access-control-expose-headers", "").split(",")}
    names = {name.lower() for name in response.headers}
    return {n for n in names if n.startswith("x-") and not n.startswith("x-amzn-")} - NOT_FOR_SCRIPTS - exposed


@pytest.mark.parametrize(
    ("path", "body", "header"),
    [
        ("/v1/chat/completions", {"messages": HI, "user": "u1"}, "x-ignored-params"),
        ("/v1/messages/count_tokens", {"model": MODEL, "messages": HI}, "x-token-count"),
        ("/", {"prompt": "hi"}, "x-request-id"),
    ],
)
def test_every_client_header_is_exposed_by_default(local: LocalLambda, path: str, body: object, header: str) -> None:
    response = httpx.post(f"{local.url}{path}", json=body, headers={"Origin": ORIGIN}, timeout=30)
    assert response.status_code == 200, response.text
    assert header in response.headers
    assert unreadable_headers(response) == set()
