"""The emulator's chat-page server (``--web-port``, emulator/web_static.py) and the Function URL's IAM auth
(``--verify-sigv4``, emulator/sigv4_check.py): the page and its config.json from their own origin; a request signed
by botocore (service ``lambda``) reaches the function, an unsigned or badly signed one gets the URL's 403
``{"Message":"Forbidden"}`` without invoking it, and a CORS preflight needs no signature
(https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html,
https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors).
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from emulator import LocalLambda
from emulator.cors import CorsConfig
from emulator.sigv4_check import SigV4Credentials, SigV4Verifier, verifier_from_environment
from emulator.web_static import WebPageError, WebPageServer, page_config
from tests.functional.emulator.conftest import HANDLERS, python_lambda

ROOT = Path(__file__).resolve().parents[3]
KEY = SigV4Credentials("AKIDEMULATORTEST", "emulator-test-secret")
ORIGIN = "http://127.0.0.1:3001"


def test_the_page_and_its_config_from_their_own_origin(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><p>page</p>")
    (tmp_path / "app.js").write_text("console.log(1)")
    with WebPageServer(page_config("http://127.0.0.1:3000", sigv4=True), root=tmp_path) as site:
        index = httpx.get(f"{site.url}/")
        assert index.status_code == 200
        assert index.text == "<!doctype html><p>page</p>"
        assert index.headers["cache-control"] == "no-store"
        assert httpx.get(f"{site.url}/app.js").headers["content-type"] == "text/javascript"
        config = httpx.get(f"{site.url}/config.json?v=1")
        assert config.json() == {"endpoint": "http://127.0.0.1:3000", "auth": "sigv4", "region": "us-east-1"}
        assert httpx.get(f"{site.url}/missing.js").status_code == 404
        assert httpx.get(f"{site.url}/../pyproject.toml").status_code == 404


def test_no_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WebPageError, match=r"index\.html not found: build the page first"):
        WebPageServer(page_config("http://127.0.0.1:3000"), root=tmp_path)


@pytest.fixture(scope="module")
def iam() -> Iterator[LocalLambda]:
    cors = CorsConfig(allow_origins=(ORIGIN,), allow_methods=("GET", "POST"), allow_headers=("authorization",))
    with python_lambda(concurrency=1, cors=cors, iam_auth=SigV4Verifier([KEY], "us-east-1")) as emulator:
        yield emulator


def signed_get(url: str, secret: str = KEY.secret_access_key) -> dict[str, str]:
    request = AWSRequest(method="GET", url=url, headers={"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
    SigV4Auth(Credentials(KEY.access_key_id, secret), "lambda", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_a_signed_request_reaches_the_function(iam: LocalLambda) -> None:
    url = f"{iam.url}/?lines=2&delay_ms=0"
    response = httpx.get(url, headers=signed_get(url))
    assert response.status_code == 200
    assert response.content == b"line 0\nline 1\n"


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["unsigned", "wrong-secret"])
def test_a_missing_or_wrong_signature_gets_403_forbidden(iam: LocalLambda, secret: str | None) -> None:
    url = f"{iam.url}/?lines=1&delay_ms=0"
    headers = {"Origin": ORIGIN, **(signed_get(url, secret) if secret else {})}
    response = httpx.get(url, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"Message": "Forbidden"}
    assert response.headers["access-control-allow-origin"] == ORIGIN  # so a page can read the refusal
    [refusal] = [line.text for line in iam.log_lines("emulator") if response.headers["x-amzn-RequestId"] in line.text]
    reason = "no Authorization header" if secret is None else "the signature does not match"
    assert refusal.endswith(f"refused with 403: SigV4 check failed: {reason}")  # and the function never ran


def test_a_preflight_needs_no_signature(iam: LocalLambda) -> None:
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x"}
    response = httpx.options(f"{iam.url}/v1/ui/chat", headers=preflight)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_verify_sigv4_needs_credentials_in_the_environment() -> None:
    with pytest.raises(ValueError, match="AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"):
        verifier_from_environment("us-east-1", {})
    verifier = verifier_from_environment("eu-west-1", {"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"})
    assert verifier.region == "eu-west-1"


def test_cli_serves_the_page_and_checks_signatures(tmp_path: Path) -> None:
    """``python -m emulator --web-port 0 --verify-sigv4``, as ``make dev`` starts it (plus IAM auth)."""
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.fail("web/dist/ is not built: run `make web` (make pytest builds it)")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY.access_key_id, "AWS_SECRET_ACCESS_KEY": KEY.secret_access_key}
    env.pop("AWS_SESSION_TOKEN", None)
    command = [sys.executable, "-m", "emulator", "--port", "0", "--web-port", "0", "--verify-sigv4", "--quiet"]
    command += ["--handler", "demo.handle", "--concurrency", "1", "--env", f"PYTHONPATH={HANDLERS}"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        page_line = process.stdout.readline()
        match = re.search(r"chat page on (http://[\d.:]+) \(web/dist/, talking to (http://[\d.:]+)\)", page_line)
        assert match, page_line
        site, url = match.groups()
        assert httpx.get(f"{site}/config.json").json() == {"endpoint": url, "auth": "sigv4", "region": "us-east-1"}
        assert "<script" in httpx.get(f"{site}/").text
        assert httpx.get(f"{url}/?lines=1").status_code == 403
        target = f"{url}/?lines=1&delay_ms=0"
        assert httpx.get(target, headers=signed_get(target), timeout=20.0).content == b"line 0\n"
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
