"""The chat page (web/: ``useChat`` + ``DefaultChatTransport`` over ``POST /v1/ui/chat``) in headless Chromium against
the real emulator (stub fake Bedrock), served from its own origin as ``make dev`` serves it: text shows while the
response is still open, stop ends a stream and the page goes on, a Bedrock error shows its ``errorText``, the URL's
CORS preflight lets the page's origin in and keeps another out, and SigV4 from the browser holds against the
emulator's ``--verify-sigv4`` check while a wrong secret gets the URL's 403.

References: the AI SDK "Chatbot" / ``useChat`` and "Transport" docs (https://ai-sdk.dev/docs/ai-sdk-ui/chatbot,
https://ai-sdk.dev/docs/ai-sdk-ui/transport), Lambda Function URL CORS and IAM auth
(https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors,
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from emulator.api_keys import ENV_API_KEY_FILE, with_key_headers, write_key_file
from emulator.cli import build_parser, cors_from_args
from emulator.fake_bedrock import ExceptionAfter, FakeBedrock, StallAfter, stub_text
from emulator.local import BedrockOptions, LocalLambda
from emulator.sigv4_check import SigV4Credentials, SigV4Verifier
from emulator.web_static import WebPageServer, page_config
from tests.browser.conftest import screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

NOVA = "amazon.nova-micro-v1:0"
OTHER = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
CREDENTIALS = SigV4Credentials("ASIAPAGETEST", "page-test-secret", "page-test-session-token")
PAGE_KEY = "bsk_0123456789ab_" + "k" * 43  # the bsk_<id>_<secret> format; a test-only key
WAIT_MS = 20_000  # Playwright's own waiting (web-first assertions), generous for a shared machine


@pytest.fixture(scope="module")
def site() -> Iterator[WebPageServer]:
    """The built page on its own loopback origin; each test's emulator is written into its config.json."""
    with WebPageServer(page_config("http://127.0.0.1:9")) as server:
        yield server


def _lambda(site: WebPageServer, concurrency: int, iam_auth: SigV4Verifier | None = None) -> LocalLambda:
    """The local Function URL over the stub, with the URL's CORS for the page's origin as `make dev` sets it."""
    cors = cors_from_args(build_parser().parse_args(["--cors-origin", site.url]))
    env = {"BEDROCK_STREAM_MODELS": f"{NOVA},{OTHER}", "BEDROCK_STREAM_DEFAULT_MODEL": NOVA}
    bedrock = BedrockOptions(mode="stub")
    return LocalLambda(env=env, timeout=30, bedrock=bedrock, cors=cors, concurrency=concurrency, iam_auth=iam_auth)


@pytest.fixture(scope="module")
def local(site: WebPageServer) -> Iterator[LocalLambda]:
    """No auth (``make dev``); two function processes, so one may stay held while the page goes on."""
    with _lambda(site, concurrency=2) as lam:
        yield lam


@pytest.fixture
def fake(local: LocalLambda, site: WebPageServer) -> Iterator[FakeBedrock]:
    """The fake Bedrock of ``local``, faults cleared around the test; the page is pointed at ``local``."""
    site.page_config = page_config(local.url)
    bedrock: FakeBedrock = local.fake_bedrock
    bedrock.clear_faults()
    yield bedrock
    bedrock.clear_faults()


@pytest.fixture
def held() -> Iterator[threading.Event]:
    """The release of a stalled Bedrock stream; always set at the end, so no function stays held."""
    release = threading.Event()
    yield release
    release.set()


def open_page(page: Page, site: WebPageServer, query: str = "") -> None:
    from playwright.sync_api import expect

    page.goto(f"{site.url}/{query}")
    expect(page.get_by_test_id("model").locator("option")).not_to_have_count(0, timeout=WAIT_MS)


def send(page: Page, prompt: str) -> None:
    page.get_by_test_id("prompt").fill(prompt)
    page.get_by_test_id("send").click()


def test_text_shows_while_the_response_is_still_open(
    page: Page, site: WebPageServer, fake: FakeBedrock, held: threading.Event
) -> None:
    from playwright.sync_api import expect

    prompt = "Stream slowly to the page, please"
    full = stub_text(prompt)
    fake.inject(StallAfter(3, release=held))  # messageStart and two text deltas, then nothing until released
    open_page(page, site)
    send(page, prompt)
    text = page.get_by_test_id("message-assistant").get_by_test_id("text")
    expect(text).to_have_text(re.compile(r"\S"), timeout=WAIT_MS)
    shown = text.inner_text()
    assert full.startswith(shown.strip())  # a prefix, while Bedrock holds the rest
    assert shown.strip() != full
    expect(page.get_by_test_id("status")).to_have_text("streaming")
    expect(page.get_by_test_id("stop")).to_be_enabled()
    screenshot(page, "streaming")
    held.set()
    expect(text).to_have_text(full, timeout=WAIT_MS)
    expect(page.get_by_test_id("status")).to_have_text("ready", timeout=WAIT_MS)
    expect(page.get_by_test_id("stop")).to_be_disabled()
    screenshot(page, "streamed")


def test_stop_ends_the_stream_and_the_page_goes_on(
    page: Page, site: WebPageServer, fake: FakeBedrock, held: threading.Event
) -> None:
    from playwright.sync_api import expect

    fake.inject(StallAfter(3, release=held))
    open_page(page, site)
    send(page, "This one will be stopped")
    first = page.get_by_test_id("message-assistant").first.get_by_test_id("text")
    expect(first).to_have_text(re.compile(r"\S"), timeout=WAIT_MS)
    page.get_by_test_id("stop").click()
    expect(page.get_by_test_id("status")).to_have_text("ready", timeout=WAIT_MS)
    expect(page.get_by_test_id("error")).to_have_count(0)
    stopped = first.inner_text()
    assert stub_text("This one will be stopped").startswith(stopped.strip())
    assert stopped.strip() != stub_text("This one will be stopped")
    screenshot(page, "stopped")
    send(page, "And this one runs to the end")  # Bedrock still holds the first stream: the page is not tied to it
    answers = page.get_by_test_id("message-assistant")
    expect(answers).to_have_count(2, timeout=WAIT_MS)
    expect(answers.nth(1).get_by_test_id("text")).to_have_text(
        stub_text("And this one runs to the end"), timeout=WAIT_MS
    )
    expect(first).to_have_text(stopped)  # the stopped answer kept what it had


def test_reasoning_is_folded_and_the_browser_tool_runs(page: Page, site: WebPageServer, fake: FakeBedrock) -> None:
    """Claude with reasoning and the page's own tool: the reasoning sits in a closed <details>, the tool call shows
    with the browser's output, and useChat's automatic follow-up continues the same assistant message."""
    from playwright.sync_api import expect

    open_page(page, site)
    page.get_by_test_id("model").select_option(OTHER)
    page.get_by_test_id("effort").select_option("low")
    page.get_by_role("checkbox").check()
    send(page, "Please call a tool")
    answer = page.get_by_test_id("message-assistant")
    expect(answer.get_by_test_id("text")).to_contain_text("The get_browser_time tool returned", timeout=WAIT_MS)
    expect(answer).to_have_count(1)  # the follow-up continued the message, no copy under a new id
    tool = answer.get_by_test_id("tool")
    expect(tool).to_have_attribute("data-state", "output-available")
    expect(tool).to_contain_text("tool get_browser_time")
    reasoning = answer.get_by_test_id("reasoning").first
    expect(reasoning).not_to_have_attribute("open", "")
    expect(reasoning.locator("pre")).not_to_be_visible()  # folded until opened
    reasoning.locator("summary").click()
    expect(reasoning.locator("pre")).to_be_visible()
    screenshot(page, "reasoning-and-tool")


def test_a_bedrock_error_mid_stream_shows_its_error_text(page: Page, site: WebPageServer, fake: FakeBedrock) -> None:
    from playwright.sync_api import expect

    fake.inject(ExceptionAfter(3, "throttlingException", "Slow down, said the fake Bedrock"))
    open_page(page, site)
    send(page, "Fail after a few words")
    error = page.get_by_test_id("error")
    expect(error).to_contain_text("Slow down, said the fake Bedrock", timeout=WAIT_MS)
    expect(page.get_by_test_id("status")).to_have_text("error")
    screenshot(page, "bedrock-error")
    page.get_by_role("button", name="Dismiss").click()
    expect(error).to_have_count(0)


def test_cors_preflight_lets_the_page_origin_in_and_keeps_others_out(
    page: Page, site: WebPageServer, local: LocalLambda, fake: FakeBedrock
) -> None:
    from playwright.sync_api import expect

    open_page(page, site)
    send(page, "Across origins")
    expect(page.get_by_test_id("message-assistant").get_by_test_id("text")).to_have_text(
        stub_text("Across origins"), timeout=WAIT_MS
    )
    lines = [line.text for line in local.log_lines("emulator")]
    assert f"CORS preflight for POST /v1/ui/chat from {site.url}: allowed" in lines
    other = site.url.replace("127.0.0.1", "localhost")  # the same page from an origin the URL does not allow
    page.goto(f"{other}/?endpoint={local.url}")
    expect(page.get_by_test_id("models-error")).to_contain_text("models:", timeout=WAIT_MS)
    send(page, "Not from here")
    expect(page.get_by_test_id("error")).to_be_visible(timeout=WAIT_MS)
    lines = [line.text for line in local.log_lines("emulator")]
    assert f"CORS preflight for POST /v1/ui/chat from {other}: origin not allowed" in lines
    screenshot(page, "cors-refused")


@pytest.fixture(scope="module")
def keyed(site: WebPageServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLambda]:
    """API-key mode as ``make dev DEV_FLAGS=--api-key ...`` runs it: a key file the function checks, and the URL's
    CORS with the key headers added."""
    key_file = tmp_path_factory.mktemp("keys") / "keys.json"
    write_key_file([PAGE_KEY], key_file)
    cors = with_key_headers(cors_from_args(build_parser().parse_args(["--cors-origin", site.url])))
    env = {
        "BEDROCK_STREAM_MODELS": f"{NOVA},{OTHER}",
        "BEDROCK_STREAM_DEFAULT_MODEL": NOVA,
        ENV_API_KEY_FILE: str(key_file),
    }
    with LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"), cors=cors) as lam:
        yield lam


def test_api_key_mode_sends_the_key_as_x_api_key(page: Page, site: WebPageServer, keyed: LocalLambda) -> None:
    """``auth=apikey``: every request carries ``x-api-key`` and no ``Authorization`` (CloudFront's OAC would overwrite
    it, API Gateway reads only x-api-key); the function checks the key: none is a 401, the right one answers."""
    from playwright.sync_api import expect

    seen: list[tuple[str, str, str | None, str | None]] = []
    page.on(
        "request",
        lambda r: seen.append((r.method, r.url, r.headers.get("x-api-key"), r.headers.get("authorization"))),
    )
    page.goto(f"{site.url}/?endpoint={keyed.url}&auth=apikey")
    expect(page.get_by_test_id("models-error")).to_contain_text("HTTP 401", timeout=WAIT_MS)
    settings = page.get_by_test_id("settings")
    settings.locator("input[name=apiKey]").fill(PAGE_KEY)
    settings.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("model").locator("option")).to_have_count(2, timeout=WAIT_MS)
    send(page, "With a key")
    expect(page.get_by_test_id("message-assistant").get_by_test_id("text")).to_have_text(
        stub_text("With a key"), timeout=WAIT_MS
    )
    keyed_requests = {(method, url) for method, url, key, _ in seen if key == PAGE_KEY}
    assert keyed_requests == {("GET", f"{keyed.url}/v1/models"), ("POST", f"{keyed.url}/v1/ui/chat")}
    assert [auth for *_, auth in seen if auth is not None] == []


@pytest.fixture(scope="module")
def signed(site: WebPageServer) -> Iterator[LocalLambda]:
    """The Function URL with IAM auth (``--verify-sigv4``) knowing one set of temporary credentials."""
    verifier = SigV4Verifier([CREDENTIALS], region="us-east-1")
    with _lambda(site, concurrency=1, iam_auth=verifier) as lam:
        yield lam


def sign_in(page: Page, secret: str) -> None:
    settings = page.get_by_test_id("settings")
    settings.locator("input[name=accessKeyId]").fill(CREDENTIALS.access_key_id)
    settings.locator("input[name=secretAccessKey]").fill(secret)
    settings.locator("input[name=sessionToken]").fill(CREDENTIALS.session_token or "")
    settings.get_by_role("button", name="Apply").click()


def test_sigv4_from_the_browser_holds_and_a_wrong_secret_gets_403(
    page: Page, site: WebPageServer, signed: LocalLambda
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{site.url}/?endpoint={signed.url}&auth=sigv4&region=us-east-1")
    expect(page.get_by_test_id("models-error")).to_contain_text('HTTP 403: {"Message":"Forbidden"}', timeout=WAIT_MS)
    sign_in(page, CREDENTIALS.secret_access_key)
    expect(page.get_by_test_id("model").locator("option")).to_have_count(2, timeout=WAIT_MS)
    send(page, "Signed in the browser")
    expect(page.get_by_test_id("message-assistant").get_by_test_id("text")).to_have_text(
        stub_text("Signed in the browser"), timeout=WAIT_MS
    )
    screenshot(page, "sigv4-signed")
    sign_in(page, "not-the-secret")
    expect(page.get_by_test_id("models-error")).to_contain_text('HTTP 403: {"Message":"Forbidden"}', timeout=WAIT_MS)
    send(page, "Signed with the wrong secret")
    expect(page.get_by_test_id("error")).to_have_text(
        re.compile(r'^HTTP 403: \{"Message":"Forbidden"\}'), timeout=WAIT_MS
    )
    screenshot(page, "sigv4-wrong-secret")
    refusals = [line.text for line in signed.log_lines("emulator") if "refused with 403" in line.text]
    assert any(text.endswith("SigV4 check failed: the signature does not match") for text in refusals), refusals
