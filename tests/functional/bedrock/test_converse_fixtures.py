"""Every recorded ConverseStream fixture, served byte for byte over HTTP, decodes through real boto3 to exactly
the text, reasoning, tool use, stop reason and usage its decoded frames contain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedrock_stream.bedrock import BotoBedrockSource
from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import UpstreamError
from bedrock_stream.events import Metrics, Stop, Usage
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from tests.functional.bedrock._projection import expected_from_frames, load_frames, summarize
from tests.functional.bedrock.conftest import error_reply
from tests.support.recorded import FIXTURES_DIR, bin_params, recorded_bins

REQUEST_ID = "0b5d1c1a-0000-4000-8000-000000000000"


def _request(model: str) -> ChatRequest:
    return ChatRequest(model=model, messages=(ChatMessage(role="user", content=({"text": "hi"},)),))


def test_fixture_set_is_present() -> None:
    assert len(recorded_bins()) >= 8


@pytest.mark.parametrize("piece_size", [7, 1000, 1 << 20], ids=["tiny-chunks", "1k-chunks", "one-chunk"])
@pytest.mark.parametrize("bin_path", bin_params())
def test_fixture_decodes_to_recorded_content(
    bin_path: Path, piece_size: int, server: FakeBedrock, source: BotoBedrockSource
) -> None:
    meta, frames = load_frames(bin_path.with_suffix(".decoded.jsonl"))
    raw = bin_path.read_bytes()
    pieces = [raw[i : i + piece_size] for i in range(0, len(raw), piece_size)]
    headers = {"Content-Type": "application/vnd.amazon.eventstream", "x-amzn-RequestId": REQUEST_ID}
    server.responder = lambda _req: ScriptedReply(headers=headers, pieces=pieces)

    stream = source.converse(_request(meta["model_id"]))
    events = list(stream)

    expected = expected_from_frames(frames)
    actual = summarize(events)
    assert actual == expected
    assert "".join(t for _, t in actual.text_pieces) == "".join(t for _, t in expected.text_pieces)
    # The stream ends like every converse stream: Stop, Usage, Metrics.
    assert [type(e) for e in events[-3:]] == [Stop, Usage, Metrics]
    # The request went to the converse-stream path of the recorded model, percent-encoded like boto3 does.
    assert server.requests[0].path == meta["uri"].split("amazonaws.com", 1)[1]
    assert stream.request_id == REQUEST_ID


def test_recorded_400_maps_to_documented_error(server: FakeBedrock, source: BotoBedrockSource) -> None:
    cassette = (FIXTURES_DIR / "converse-stream-error-400.yaml").read_text(encoding="utf-8")
    assert "The provided model identifier is invalid." in cassette
    # The recording has no x-amzn-ErrorType header: botocore falls back to the status for the code.
    body = {"message": "The provided model identifier is invalid."}
    server.responder = lambda _req: ScriptedReply(
        status=400, headers={"Content-Type": "application/json"}, pieces=[json.dumps(body).encode()], chunked=False
    )
    with pytest.raises(UpstreamError) as caught:
        source.converse(_request("us.does-not-exist-model-v1:0"))
    assert (caught.value.status_code, caught.value.code) == (400, "ValidationException")
    assert "The provided model identifier is invalid." in caught.value.message
    assert "us.does-not-exist-model-v1:0" in caught.value.message

    server.responder = lambda _req: error_reply(400, "ValidationException", body["message"])
    with pytest.raises(UpstreamError) as typed:
        source.converse(_request("us.does-not-exist-model-v1:0"))
    assert (typed.value.status_code, typed.value.code, typed.value.error_type) == (
        400,
        "ValidationException",
        "invalid_request",
    )
    assert "The provided model identifier is invalid." in typed.value.message
