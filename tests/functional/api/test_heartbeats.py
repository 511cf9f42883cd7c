"""Heartbeats during a silent Bedrock and the idle error, in every streaming format, through the local Function URL
(emulator, real runtime, real boto3, fake Bedrock stalling with ``StallAfter``), read raw and with the official
OpenAI (chat stream) and Anthropic (``messages.stream``) SDKs.

Formats' keep-alives: SSE comment lines (WHATWG HTML, "Server-sent events": lines starting with ``:`` are ignored),
``{"type":"ping"}`` NDJSON lines, Anthropic ``ping`` events (https://docs.anthropic.com/en/api/messages-streaming),
none for plain text. Assertions are on the sequence of what arrived, never on timings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import anthropic
import httpx
import httpx2
import openai
import pytest

from emulator.fake_bedrock import FakeBedrock, StallAfter, stub_text
from emulator.local import BedrockOptions, LocalLambda
from tests.unit.api.support import MODEL

PROMPT = "Keep the line open while the model thinks: naïve café"
EXPECTED = stub_text(PROMPT)
HEARTBEAT_S = "0.2"
STALL_S = 1.0
"""A pause of five heartbeats: at least one is sent whatever the scheduling."""
IDLE_S = "1.5"
USER: list[Any] = [{"role": "user", "content": PROMPT}]
SSE_PING = ": ping"


def lambda_with(**settings: str) -> LocalLambda:
    env = {"BEDROCK_STREAM_MODELS": MODEL, **settings}
    return LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"))


@pytest.fixture(scope="module")
def beating() -> Iterator[LocalLambda]:
    """Heartbeats every 0.2 s, no idle timeout."""
    with lambda_with(BEDROCK_STREAM_HEARTBEAT_SECONDS=HEARTBEAT_S) as lam:
        yield lam


@pytest.fixture(scope="module")
def idling() -> Iterator[LocalLambda]:
    """Heartbeats every 0.2 s and the idle timeout at 1.5 s."""
    with lambda_with(BEDROCK_STREAM_HEARTBEAT_SECONDS=HEARTBEAT_S, BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS=IDLE_S) as lam:
        yield lam


def fake(local: LocalLambda) -> FakeBedrock:
    bedrock: FakeBedrock = local.fake_bedrock
    bedrock.clear_faults()
    return bedrock


def pause(local: LocalLambda) -> None:
    """The next stream: messageStart and two text deltas, a pause, then the rest."""
    fake(local).inject(StallAfter(after=3, seconds=STALL_S))


def go_silent(local: LocalLambda) -> None:
    """The next stream: messageStart and two text deltas, then nothing until the fake stops."""
    fake(local).inject(StallAfter(after=3))


def sse_blocks(body: str) -> list[str]:
    """The blocks of an SSE body: ``ping`` for a comment block, else the block's text."""
    assert body.endswith("\n\n")
    return ["ping" if block == SSE_PING else block for block in body.split("\n\n")[:-1]]


def post(local: LocalLambda, path: str, body: dict[str, Any], query: str = "", *, fails: bool = False) -> str:
    """The body as text; ``fails``: the stream ends in error (the URL may then cut it after the error trailers)."""
    received = bytearray()
    with httpx.stream("POST", f"{local.url}{path}{query}", json=body, timeout=20.0) as response:
        assert response.status_code == 200
        try:
            for chunk in response.iter_raw():
                received += chunk
        except httpx.RemoteProtocolError:
            if not fails:
                raise
    return received.decode()


def native_items(body: str, fmt: str) -> list[dict[str, Any]]:
    """The native events of an SSE or NDJSON body, a ``{"type": "ping"}`` for each heartbeat."""
    if fmt == "ndjson":
        return [json.loads(line) for line in body.splitlines()]
    items = []
    for block in sse_blocks(body):
        if block == "ping":
            items.append({"type": "ping"})
        else:
            name, data = block.split("\n")
            items.append(json.loads(data.removeprefix("data: ")))
            assert name == f"event: {items[-1]['type']}"
    return items


def kinds(items: list[dict[str, Any]]) -> list[str]:
    """Consecutive heartbeats folded into one ``ping+``."""
    out: list[str] = []
    for item in items:
        kind = "ping+" if item["type"] == "ping" else item["type"]
        if not (out and out[-1] == kind == "ping+"):
            out.append(kind)
    return out


@pytest.mark.parametrize("fmt", ["sse", "ndjson"])
def test_native_formats_heartbeat_through_a_pause_then_complete(beating: LocalLambda, fmt: str) -> None:
    pause(beating)
    items = native_items(post(beating, "/", {"prompt": PROMPT}, f"?format={fmt}"), fmt)
    assert kinds(items)[:4] == ["text", "text", "ping+", "text"]
    assert items[-1]["type"] == "done"
    assert "".join(i["text"] for i in items if i["type"] == "text") == EXPECTED


def test_plain_text_gets_no_heartbeat_bytes(beating: LocalLambda) -> None:
    pause(beating)
    assert post(beating, "/", {"prompt": PROMPT}, "?format=text") == EXPECTED


class Recording:
    """HTTP clients that keep a copy of every response body the SDK reads (``bodies``).

    The OpenAI SDK takes an ``httpx`` client, the Anthropic SDK an ``httpx2`` one: the transport wraps either.
    """

    def __init__(self) -> None:
        self.bodies: list[bytearray] = []

    def client(self, lib: ModuleType) -> Any:
        """A ``lib.Client`` whose responses are teed into ``bodies``."""
        bodies = self.bodies

        class Tee(lib.SyncByteStream):  # type: ignore[misc, name-defined]
            def __init__(self, inner: Any, body: bytearray) -> None:
                self._inner, self._body = inner, body

            def __iter__(self) -> Iterator[bytes]:
                for chunk in self._inner:
                    self._body.extend(chunk)
                    yield chunk

            def close(self) -> None:
                self._inner.close()

        class Transport(lib.BaseTransport):  # type: ignore[misc, name-defined]
            def __init__(self) -> None:
                self._inner = lib.HTTPTransport()

            def handle_request(self, request: Any) -> Any:
                response = self._inner.handle_request(request)
                bodies.append(bytearray())
                tee = Tee(response.stream, bodies[-1])
                return lib.Response(
                    response.status_code, headers=response.headers, stream=tee, extensions=response.extensions
                )

            def close(self) -> None:
                self._inner.close()

        return lib.Client(transport=Transport(), timeout=20.0)


def openai_client(local: LocalLambda, recording: Recording) -> openai.OpenAI:
    http_client = recording.client(httpx)
    return openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", max_retries=0, http_client=http_client)


def anthropic_client(local: LocalLambda, recording: Recording) -> anthropic.Anthropic:
    http_client = recording.client(httpx2)
    return anthropic.Anthropic(base_url=local.url, api_key="unused", max_retries=0, http_client=http_client)


def test_openai_sdk_streams_through_heartbeats(beating: LocalLambda) -> None:
    pause(beating)
    recording = Recording()
    stream = openai_client(beating, recording).chat.completions.create(model=MODEL, messages=USER, stream=True)
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == EXPECTED
    assert chunks[-1].choices[0].finish_reason == "stop"
    blocks = sse_blocks(recording.bodies[0].decode())
    assert blocks[-1] == "data: [DONE]"
    pings = [i for i, block in enumerate(blocks) if block == "ping"]
    assert pings
    assert pings[0] > 0  # after the role chunk
    assert pings[-1] < len(blocks) - 2  # before the finish chunk


def test_anthropic_sdk_streams_through_ping_events(beating: LocalLambda) -> None:
    pause(beating)
    recording = Recording()
    client = anthropic_client(beating, recording)
    with client.messages.stream(model=MODEL, max_tokens=300, messages=USER) as stream:
        text = "".join(stream.text_stream)
        message = stream.get_final_message()
    assert (text, message.stop_reason) == (EXPECTED, "end_turn")
    events = [
        json.loads(block.split("\n")[1].removeprefix("data: ")) for block in sse_blocks(recording.bodies[0].decode())
    ]
    order = kinds(events)
    assert order[:2] == ["message_start", "ping+"]  # the Messages stream's own ping after message_start
    delta = "content_block_delta"
    assert order[2:7] == ["content_block_start", delta, delta, "ping+", delta]
    assert order[-2:] == ["message_delta", "message_stop"]


@pytest.mark.parametrize("fmt", ["sse", "ndjson"])
def test_native_formats_end_with_upstream_idle(idling: LocalLambda, fmt: str) -> None:
    go_silent(idling)
    items = native_items(post(idling, "/", {"prompt": PROMPT}, f"?format={fmt}", fails=True), fmt)
    assert kinds(items) == ["text", "text", "ping+", "error"]
    assert items[-1]["error"]["type"] == "upstream_idle"
    assert items[-1]["error"]["code"] == "UpstreamIdle"


def test_plain_text_ends_with_the_upstream_idle_line(idling: LocalLambda) -> None:
    go_silent(idling)
    body = post(idling, "/", {"prompt": PROMPT}, "?format=text", fails=True)
    text, error = body.split("\n[error] ")
    assert EXPECTED.startswith(text)
    assert error.startswith("upstream_idle: the model sent nothing for 1.5 s")


def test_openai_sdk_raises_the_upstream_idle_error(idling: LocalLambda) -> None:
    go_silent(idling)
    recording = Recording()
    stream = openai_client(idling, recording).chat.completions.create(model=MODEL, messages=USER, stream=True)
    with pytest.raises(openai.APIError, match=r"sent nothing for 1\.5 s") as raised:
        list(stream)
    assert (raised.value.type, raised.value.code) == ("server_error", "UpstreamIdle")
    assert "ping" in sse_blocks(recording.bodies[0].decode())


def test_anthropic_sdk_raises_the_timeout_error_event(idling: LocalLambda) -> None:
    go_silent(idling)
    recording = Recording()
    client = anthropic_client(idling, recording)
    with (
        pytest.raises(anthropic.APIStatusError, match=r"sent nothing for 1\.5 s"),
        client.messages.stream(model=MODEL, max_tokens=300, messages=USER) as stream,
    ):
        list(stream.text_stream)
    last = sse_blocks(recording.bodies[0].decode())[-1].split("\n")
    assert last[0] == "event: error"
    assert json.loads(last[1].removeprefix("data: "))["error"]["type"] == "timeout_error"
