"""Every ConverseStream capture (the synthetic ones in tests/support/captures.py, plus the recorded ones when
BEDROCK_STREAM_FIXTURES names them), served byte for byte over HTTP, decodes through real boto3 to exactly the
text, reasoning, tool use, stop reason and usage its decoded frames contain.

Event shapes: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
"""

from __future__ import annotations

import json

import pytest
import yaml

from bedrock_stream.bedrock import BotoBedrockSource
from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import UpstreamError
from bedrock_stream.events import Metrics, Stop, Usage
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from tests.functional.bedrock._projection import expected_from_frames, summarize
from tests.functional.bedrock.conftest import error_reply
from tests.support.captures import Capture
from tests.support.recorded import capture_params, needs_recordings, recorded_file

INVALID_MODEL_MESSAGE = "The provided model identifier is invalid."
REQUEST_ID = "0b5d1c1a-0000-4000-8000-000000000000"

REQUEST_ID = "0b5d1c1a-0000-4000-8000-000000000000"


def _request(model: str) -> ChatRequest:
    return ChatRequest(model=model, messages=(ChatMessage(role="user", content=({"text": "hi"},)),))


@pytest.mark.parametrize("piece_size", [7, 1000, 1 << 20], ids=["tiny-chunks", "1k-chunks", "one-chunk"])
@pytest.mark.parametrize("capture", capture_params())
def test_capture_decodes_to_its_frames(
    capture: Capture, piece_size: int, server: FakeBedrock, source: BotoBedrockSource
) -> None:
    raw = capture.raw
    pieces = [raw[i : i + piece_size] for i in range(0, len(raw), piece_size)]
    headers = {"Content-Type": "application/vnd.amazon.eventstream", "x-amzn-RequestId": REQUEST_ID}
    server.responder = lambda _req: ScriptedReply(headers=headers, pieces=pieces)

    stream = source.converse(_request(capture.model_id))
    events = list(stream)

    expected = expected_from_frames(capture.frames)
    actual = summarize(events)
    assert actual == expected
    assert "".join(t for _, t in actual.text_pieces) == "".join(t for _, t in expected.text_pieces)
    # The stream ends like every converse stream: Stop, Usage, Metrics.
    assert [type(e) for e in events[-3:]] == [Stop, Usage, Metrics]
    # The request went to the converse-stream path of the capture's model, percent-encoded like boto3 does.
    assert server.requests[0].path == capture.request_path
    assert stream.request_id == REQUEST_ID


def test_400_without_error_type_header_maps_to_validation_exception(
    server: FakeBedrock, source: BotoBedrockSource
) -> None:
    # Bedrock's 400 for an unknown model id has no x-amzn-ErrorType header: botocore falls back to the status.
    body = {"message": INVALID_MODEL_MESSAGE}
    server.responder = lambda _req: ScriptedReply(
        status=400, headers={"Content-Type": "application/json"}, pieces=[json.dumps(body).encode()], chunked=False
    )
    with pytest.raises(UpstreamError) as caught:
        source.converse(_request("us.does-not-exist-model-v1:0"))
    assert (caught.value.status_code, caught.value.code) == (400, "ValidationException")
    assert INVALID_MODEL_MESSAGE in caught.value.message
    assert "us.does-not-exist-model-v1:0" in caught.value.message

    server.responder = lambda _req: error_reply(400, "ValidationException", body["message"])
    with pytest.raises(UpstreamError) as typed:
        source.converse(_request("us.does-not-exist-model-v1:0"))
    assert (typed.value.status_code, typed.value.code, typed.value.error_type) == (
        400,
        "ValidationException",
        "invalid_request",
    )
    assert INVALID_MODEL_MESSAGE in typed.value.message


@needs_recordings
def test_recorded_400_maps_to_validation_exception(server: FakeBedrock, source: BotoBedrockSource) -> None:
    # The recorded answer itself (no x-amzn-ErrorType header), served as recorded.
    cassette = yaml.safe_load(recorded_file("converse-stream-error-400.yaml").read_text(encoding="utf-8"))
    recorded = cassette["interactions"][0]["response"]
    server.responder = lambda _req: ScriptedReply(
        status=recorded["status"]["code"],
        headers={"Content-Type": recorded["headers"]["content-type"][0]},
        pieces=[json.dumps(recorded["parsed_body"]).encode()],
        chunked=False,
    )
    with pytest.raises(UpstreamError) as caught:
        source.converse(_request("us.does-not-exist-model-v1:0"))
    assert (caught.value.status_code, caught.value.code) == (400, "ValidationException")
    assert INVALID_MODEL_MESSAGE in caught.value.message
