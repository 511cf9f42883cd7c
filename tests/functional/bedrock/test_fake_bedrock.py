"""The same guarantees against the project's fake Bedrock (emulator/fake_bedrock): replay of every capture
(synthetic, plus recorded ones when BEDROCK_STREAM_FIXTURES names them), the stub model's native stream for every
family, and its scripted faults, all through real boto3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bedrock_stream.bedrock import BotoBedrockSource
from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import MidStreamError, UpstreamError
from bedrock_stream.events import Metrics, Stop, TextDelta, Usage
from emulator.fake_bedrock import (
    DropAfter,
    ExceptionAfter,
    FakeBedrock,
    HttpError,
    StallAfter,
    TruncateFinalFrame,
    stub_text,
)
from tests.functional.bedrock._projection import expected_from_frames, summarize
from tests.functional.bedrock.conftest import READ_TIMEOUT_S, STALL_TIMEOUT_S, make_client
from tests.support.captures import Capture
from tests.support.recorded import capture_params

PROMPT = "Tell me about the Eiffel Tower in Paris, s'il te plaît 🗼"
USER = [{"role": "user", "content": PROMPT}]

NATIVE_BODIES: list[tuple[str, dict[str, Any]]] = [
    (
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 500, "messages": USER},
    ),
    ("anthropic.claude-v2:1", {"prompt": f"\n\nHuman: {PROMPT}\n\nAssistant:", "max_tokens_to_sample": 500}),
    ("us.meta.llama3-3-70b-instruct-v1:0", {"prompt": PROMPT, "max_gen_len": 500}),
    ("mistral.mistral-7b-instruct-v0:2", {"prompt": f"<s>[INST] {PROMPT} [/INST]", "max_tokens": 500}),
    ("mistral.mistral-large-2407-v1:0", {"messages": USER, "max_tokens": 500}),
    ("cohere.command-text-v14", {"prompt": PROMPT, "max_tokens": 500, "stream": True}),
    ("cohere.command-r-plus-v1:0", {"message": PROMPT, "max_tokens": 500}),
    ("amazon.titan-text-express-v1", {"inputText": PROMPT, "textGenerationConfig": {"maxTokenCount": 500}}),
    (
        "eu.amazon.nova-pro-v1:0",
        {"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": PROMPT}]}]},
    ),
    ("ai21.jamba-1-5-large-v1:0", {"messages": USER, "max_tokens": 500}),
    ("us.deepseek.r1-v1:0", {"prompt": PROMPT, "max_tokens": 500}),
    ("openai.gpt-oss-120b-1:0", {"messages": USER, "max_completion_tokens": 500}),
]

REQUEST = ChatRequest(
    model="us.amazon.nova-micro-v1:0", messages=(ChatMessage(role="user", content=({"text": PROMPT},)),)
)


@pytest.fixture
def fake() -> Iterator[FakeBedrock]:
    with FakeBedrock(mode="stub") as bedrock:
        yield bedrock


@pytest.fixture
def stub_source(fake: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> BotoBedrockSource:
    return BotoBedrockSource(make_client(fake.url, monkeypatch))


@pytest.mark.parametrize("capture", capture_params())
def test_replay_of_every_capture(capture: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBedrock(mode="replay", replay_path=capture.write(tmp_path)) as bedrock:
        source = BotoBedrockSource(make_client(bedrock.url, monkeypatch))
        events = list(source.converse(ChatRequest(model=capture.model_id, messages=REQUEST.messages)))
    assert summarize(events) == expected_from_frames(capture.frames)


@pytest.mark.parametrize(("model_id", "body"), NATIVE_BODIES, ids=[m for m, _ in NATIVE_BODIES])
def test_stub_native_stream_per_family(stub_source: BotoBedrockSource, model_id: str, body: dict[str, Any]) -> None:
    events = list(stub_source.invoke(model_id, json.dumps(body).encode()))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == stub_text(PROMPT)
    assert [type(e) for e in events[-3:]] == [Stop, Usage, Metrics]
    usage = next(e for e in events if isinstance(e, Usage))
    assert usage.output_tokens > 0


def test_stub_converse(stub_source: BotoBedrockSource) -> None:
    events = list(stub_source.converse(REQUEST))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == stub_text(PROMPT)
    assert events[-3] == Stop("end_turn")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("AccessDeniedException", 403),
        ("ResourceNotFoundException", 404),
        ("ValidationException", 400),
        ("ModelErrorException", 502),
    ],
)
def test_fake_http_errors(fake: FakeBedrock, stub_source: BotoBedrockSource, code: str, status: int) -> None:
    fake.inject(HttpError(code))
    with pytest.raises(UpstreamError) as caught:
        stub_source.converse(REQUEST)
    assert (caught.value.code, caught.value.status_code) == (code, status)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (ExceptionAfter(3, "modelStreamErrorException", original_status_code=500), "modelStreamErrorException"),
        (ExceptionAfter(3, "modelTimeoutException"), "modelTimeoutException"),
        (DropAfter(3, mid_frame=True), "connection_lost"),
        (DropAfter(3), "connection_lost"),  # chunked body ends without its last chunk
        (TruncateFinalFrame(), "truncated"),
        (StallAfter(3), "read_timeout"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_fake_stream_faults(fake: FakeBedrock, monkeypatch: pytest.MonkeyPatch, fault: Any, code: str) -> None:
    read_timeout = STALL_TIMEOUT_S if isinstance(fault, StallAfter) else READ_TIMEOUT_S
    source = BotoBedrockSource(make_client(fake.url, monkeypatch, read_timeout=read_timeout))
    fake.inject(fault)
    stream = source.converse(REQUEST)
    received: list[object] = []

    def drain() -> None:
        received.extend(stream)

    with pytest.raises(MidStreamError) as caught:
        drain()
    assert caught.value.code == code
    assert any(isinstance(e, TextDelta) for e in received) or code == "truncated"
