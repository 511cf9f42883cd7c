"""Replay mode: real boto3 sees exactly the captured events; the HTTP body is the captured bytes.

Runs over the synthetic captures and, when BEDROCK_STREAM_FIXTURES names them, the recorded ones
(tests/support/recorded.py). What botocore keeps of a frame: docs/bedrock-formats.md ("How botocore reads a stream").
"""

from __future__ import annotations

import base64
import http.client
import json
from pathlib import Path
from typing import Any

import pytest

from emulator.fake_bedrock import FakeBedrock
from tests.support.bedrock_scenarios import bedrock_client
from tests.support.captures import SYNTHETIC, Capture
from tests.support.recorded import capture_params

# botocore drops keys that are not in its model (docs/bedrock-formats.md, "How botocore reads a stream")
_UNMODELLED = {"p", "serverToolUsage"}


def _as_botocore_sees_it(event_type: str, payload: Any, key: str | None = None) -> Any:
    if isinstance(payload, dict):
        return {k: _as_botocore_sees_it(event_type, v, k) for k, v in payload.items() if k not in _UNMODELLED}
    if isinstance(payload, list):
        return [_as_botocore_sees_it(event_type, item) for item in payload]
    if key == "redactedContent":  # a blob member: botocore base64-decodes it
        return base64.b64decode(payload)
    return payload


@pytest.mark.parametrize("capture", capture_params())
def test_boto3_converse_stream_yields_the_captured_events(capture: Capture, tmp_path: Path) -> None:
    expected = [
        {f["h"][":event-type"]: _as_botocore_sees_it(f["h"][":event-type"], f["payload"])} for f in capture.frames
    ]
    with FakeBedrock(mode="replay", replay_path=capture.write(tmp_path)) as fake:
        client = bedrock_client(fake)
        response = client.converse_stream(
            modelId=capture.model_id, messages=[{"role": "user", "content": [{"text": "replayed"}]}]
        )
        assert list(response["stream"]) == expected
        (request,) = fake.requests
        assert request.model_id == capture.model_id
        assert request.operation == "converse-stream"


@pytest.mark.parametrize("operation", ["converse-stream", "invoke-with-response-stream"])
@pytest.mark.parametrize("capture", capture_params())
def test_http_body_is_the_capture_byte_for_byte(capture: Capture, tmp_path: Path, operation: str) -> None:
    with FakeBedrock(mode="replay", replay_path=capture.write(tmp_path)) as fake:
        connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
        try:
            connection.request("POST", f"/model/any.model-v1%3A0/{operation}", body=json.dumps({}))
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/vnd.amazon.eventstream"
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.getheader("x-amzn-RequestId")
    if operation == "invoke-with-response-stream":
        assert response.getheader("X-Amzn-Bedrock-Content-Type") == "application/json"
    assert body == capture.raw


def test_replay_paced_per_frame_streams_before_the_end(tmp_path: Path) -> None:
    capture = SYNTHETIC[0]
    with FakeBedrock(mode="replay", replay_path=capture.write(tmp_path), token_delay_ms=40) as fake:
        client = bedrock_client(fake)
        stream = client.converse_stream(modelId="m", messages=[{"role": "user", "content": [{"text": "x"}]}])["stream"]
        iterator = iter(stream)
        next(iterator)
        assert not fake.requests[0].finished.is_set()
        rest = list(iterator)
        assert fake.requests[0].finished.wait(5)
        assert len(rest) == len(capture.frames) - 1


def test_replay_mode_requires_a_valid_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="replay_path"):
        FakeBedrock(mode="replay")
    ragged = tmp_path / "bad.bin"
    ragged.write_bytes(b"\x00\x00\x00\x20" + b"\x00" * 10)
    with pytest.raises(ValueError, match=r"claims|stray"):
        FakeBedrock(mode="replay", replay_path=ragged)
