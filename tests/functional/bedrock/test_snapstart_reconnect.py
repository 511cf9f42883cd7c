"""SnapStart: after a restore the app talks to Bedrock over new connections with freshly resolved credentials.

The app's after-restore hook (``bedrock_stream.handler.reconnect``, registered at import) follows the AWS Lambda
developer guide, snapstart.html (network connections) and snapstart-activate.html#snapstart-credentials. A child
process imports the real composition root against the fake Bedrock, calls it twice (one keep-alive connection),
changes its credentials the way a resumed environment sees new ones, runs the registered after-restore hooks
(``streaming_runtime.hooks.run_after_restore``, what the runtime calls after ``/restore/next``) and calls again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emulator.fake_bedrock import FakeBedrock
from tests.support.bedrock_scenarios import FAKE_ACCESS_KEY, bedrock_env

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[3]
RESTORED_ACCESS_KEY = "AKIDAFTERRESTORE"

CHILD = f"""
import json, os
from bedrock_stream import handler
from streaming_runtime.hooks import run_after_restore

class Context:
    aws_request_id = "req-snap"
    def get_remaining_time_in_millis(self):
        return 60_000

def call():
    event = {{
        "version": "2.0", "rawPath": "/", "headers": {{"content-type": "application/json"}},
        "requestContext": {{"http": {{"method": "POST", "path": "/"}}, "requestId": "x"}},
        "body": json.dumps({{"prompt": "hi", "stream": False}}), "isBase64Encoded": False,
    }}
    response = handler.handle(event, Context())
    body = b"".join(response.body)
    assert response.status_code == 200, (response.status_code, body)

call()
call()
os.environ["AWS_ACCESS_KEY_ID"] = {RESTORED_ACCESS_KEY!r}
run_after_restore()
call()
"""


def _access_key(authorization: str) -> str:
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def test_after_restore_hook_reconnects_with_fresh_credentials() -> None:
    with FakeBedrock() as fake:
        env = {
            **bedrock_env(fake),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT / "functions"),
            "BEDROCK_STREAM_MODELS": "amazon.nova-micro-v1:0",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        first, second, restored = fake.requests

    # before the restore: one pooled keep-alive connection, the init-time credentials
    assert first.client_port == second.client_port
    assert _access_key(first.headers["authorization"]) == FAKE_ACCESS_KEY
    # after it: a new connection, credentials resolved again
    assert restored.client_port != first.client_port
    assert _access_key(restored.headers["authorization"]) == RESTORED_ACCESS_KEY
