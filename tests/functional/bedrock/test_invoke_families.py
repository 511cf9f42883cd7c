"""Native invoke streams of every family, framed as real ``chunk`` events and read by real boto3 over loopback,
decode to the exact text, stop reason, usage and metrics; one family also under hypothesis."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_stream.bedrock import BotoBedrockSource, GuardrailConfig, ModelFamily, UnsupportedModelError
from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.events import BedrockEvent, Stop, TextDelta
from emulator.eventstream import chunk_frame, event_frame
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from tests.functional.bedrock.conftest import make_client
from tests.unit.bedrock._family_streams import CASES, FamilyCase, anthropic, llama

PIECES = ["Bonjour", " ", "le ", "monde", " 👋🏽", "", " ça va ?"]


def _frames(events: list[dict[str, object]]) -> list[bytes]:
    return [chunk_frame(event) for event in events]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_family_stream_through_boto3(case: FamilyCase, server: FakeBedrock, source: BotoBedrockSource) -> None:
    server.responder = lambda _req: ScriptedReply(
        headers={
            "Content-Type": "application/vnd.amazon.eventstream",
            "X-Amzn-Bedrock-Content-Type": "application/json",
        },
        pieces=_frames(case.build(PIECES)),
    )
    events = list(source.invoke(case.model_id, b'{"prompt": "hi"}'))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "".join(PIECES)
    assert events[-3:] == [Stop(case.stop), case.usage(PIECES), case.metrics()]
    request = server.requests[0]
    assert request.path.endswith("/invoke-with-response-stream")
    assert request.body == b'{"prompt": "hi"}'


def test_opaque_arn_is_sniffed_before_returning(server: FakeBedrock, source: BotoBedrockSource) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3"
    server.responder = lambda _req: ScriptedReply(pieces=_frames(llama(PIECES)))
    events = list(source.invoke(arn, b"{}"))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "".join(PIECES)
    assert "application-inference-profile%2Fa1b2c3" in server.requests[0].path


def test_opaque_arn_with_unknown_format_is_a_clear_error(server: FakeBedrock, source: BotoBedrockSource) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/zz"
    server.responder = lambda _req: ScriptedReply(pieces=_frames([{"weird": 1}]))
    with pytest.raises(UnsupportedModelError) as caught:
        source.invoke(arn, b"{}")
    assert arn in caught.value.message


def test_family_hint_for_opaque_arn(server: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/hinted"
    source = BotoBedrockSource(make_client(server.url, monkeypatch), family_hints={arn: ModelFamily.ANTHROPIC})
    server.responder = lambda _req: ScriptedReply(pieces=_frames(anthropic(["ok"])))
    assert TextDelta("ok", 0) in list(source.invoke(arn, b"{}"))


def test_unknown_provider_never_reaches_bedrock(server: FakeBedrock, source: BotoBedrockSource) -> None:
    with pytest.raises(UnsupportedModelError):
        source.invoke("writer.palmyra-x5-v1:0", b"{}")
    assert server.requests == []


def test_guardrail_reaches_both_operations(server: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> None:
    guardrail = GuardrailConfig(identifier="gr-123", version="2", stream_processing_mode="async")
    source = BotoBedrockSource(make_client(server.url, monkeypatch), guardrail=guardrail)
    server.responder = lambda _req: ScriptedReply(pieces=_frames(llama(["x"])))
    list(source.invoke("meta.llama3-8b-instruct-v1:0", b"{}"))
    headers = server.requests[0].headers
    assert (headers["x-amzn-bedrock-guardrailidentifier"], headers["x-amzn-bedrock-guardrailversion"]) == (
        "gr-123",
        "2",
    )

    server.responder = lambda _req: ScriptedReply(pieces=[event_frame("metadata", {"usage": {}, "metrics": {}})])
    request = ChatRequest(
        model="us.amazon.nova-micro-v1:0",
        messages=(ChatMessage(role="user", content=({"text": "hi"},)),),
        system=("be brief",),
        max_tokens=64,
        temperature=0.2,
        top_p=0.9,
        stop=("END",),
        additional_model_request_fields={"thinking": {"type": "enabled", "budget_tokens": 1024}},
    )
    list(source.converse(request))
    body = json.loads(server.requests[1].body)
    assert body == {
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
        "system": [{"text": "be brief"}],
        "inferenceConfig": {"maxTokens": 64, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
        "guardrailConfig": {"guardrailIdentifier": "gr-123", "guardrailVersion": "2", "streamProcessingMode": "async"},
        "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}},
    }


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[FakeBedrock, BotoBedrockSource]]:
    with FakeBedrock() as bedrock, pytest.MonkeyPatch.context() as mp:
        yield bedrock, BotoBedrockSource(make_client(bedrock.url, mp))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=10),
)
def test_any_split_survives_boto3_byte_identical(
    shared: tuple[FakeBedrock, BotoBedrockSource], text: str, cuts: list[int]
) -> None:
    server, source = shared
    bounds = sorted({0, len(text), *(c for c in cuts if c <= len(text))})
    pieces = [text[a:b] for a, b in itertools.pairwise(bounds)]
    wire = b"".join(_frames(anthropic(pieces)))
    # HTTP chunk boundaries at arbitrary byte offsets too (frames and UTF-8 sequences split across chunks).
    server.responder = lambda _req: ScriptedReply(pieces=[wire[i : i + 13] for i in range(0, len(wire), 13)])
    events: list[BedrockEvent] = list(source.invoke("us.anthropic.claude-sonnet-4-5-20250929-v1:0", b"{}"))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert "".join(deltas).encode("utf-8") == text.encode("utf-8")
    assert deltas == [p for p in pieces if p]
