"""Pre-stream HTTP errors and in-stream failures, through real boto3 over loopback, become typed errors."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from bedrock_stream.bedrock import BotoBedrockSource
from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.errors import MidStreamError, UpstreamError
from bedrock_stream.events import BedrockEvent, TextDelta
from tests.functional.bedrock import _eventstream as es
from tests.functional.bedrock._server import Reply, ScriptedBedrock
from tests.functional.bedrock.conftest import error_reply

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
REQUEST = ChatRequest(model=MODEL, messages=(ChatMessage(role="user", content=({"text": "hi"},)),))

PRE_STREAM = [
    # code, HTTP status Bedrock sends, our status, error_type, retry_after, words the message must contain
    (
        "AccessDeniedException",
        403,
        403,
        "access_denied",
        None,
        ["bedrock:InvokeModelWithResponseStream", MODEL, "model access", "first-time-use"],
    ),
    ("ResourceNotFoundException", 404, 404, "model_not_found", None, [MODEL]),
    ("ValidationException", 400, 400, "invalid_request", None, [MODEL]),
    ("ThrottlingException", 429, 429, "throttled", 5, ["Retry after 5 seconds"]),
    ("ServiceQuotaExceededException", 400, 429, "quota_exceeded", None, ["quota"]),
    ("ModelNotReadyException", 429, 503, "model_not_ready", 10, ["Retry after 10 seconds"]),
    ("ModelTimeoutException", 408, 504, "model_timeout", None, [MODEL]),
    ("ModelErrorException", 424, 502, "model_error", None, [MODEL]),
    ("InternalServerException", 500, 502, "upstream_error", None, [MODEL]),
    ("ServiceUnavailableException", 503, 503, "service_unavailable", None, [MODEL]),
    ("SomethingNewException", 418, 502, "upstream_error", None, ["SomethingNewException"]),
]


def _converse_text(text: str) -> list[bytes]:
    return [
        es.event("messageStart", {"role": "assistant"}),
        es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}}),
    ]


def _converse_end() -> list[bytes]:
    return [
        es.event("contentBlockStop", {"contentBlockIndex": 0}),
        es.event("messageStop", {"stopReason": "end_turn"}),
        es.event(
            "metadata", {"usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 1}}
        ),
    ]


@pytest.mark.parametrize(
    ("code", "http", "status", "error_type", "retry_after", "words"), PRE_STREAM, ids=[c[0] for c in PRE_STREAM]
)
@pytest.mark.parametrize("operation", ["converse", "invoke"])
def test_pre_stream_error_maps_to_status_and_message(
    server: ScriptedBedrock,
    source: BotoBedrockSource,
    operation: str,
    code: str,
    http: int,
    status: int,
    error_type: str,
    retry_after: int | None,
    words: list[str],
) -> None:
    server.responder = lambda _req: error_reply(http, code, f"Bedrock says {code}")
    call = (
        (lambda: source.converse(REQUEST))
        if operation == "converse"
        else (lambda: source.invoke(MODEL, b'{"anthropic_version":"bedrock-2023-05-31","messages":[]}'))
    )
    with pytest.raises(UpstreamError) as caught:
        call()
    error = caught.value
    assert (error.code, error.status_code, error.error_type, error.retry_after) == (
        code,
        status,
        error_type,
        retry_after,
    )
    assert f"Bedrock says {code}" in error.message
    for word in words:
        assert word in error.message
    assert error.to_dict()["error"]["code"] == code


def test_retry_after_header_wins(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    server.responder = lambda _req: error_reply(429, "ThrottlingException", "slow down", {"Retry-After": "17"})
    with pytest.raises(UpstreamError) as caught:
        source.converse(REQUEST)
    assert caught.value.retry_after == 17


def test_on_demand_throughput_validation_gets_inference_profile_hint(
    server: ScriptedBedrock, source: BotoBedrockSource
) -> None:
    said = (
        "Invocation of model ID anthropic.claude-sonnet-4-5-20250929-v1:0 with on-demand throughput isn't supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model."
    )
    server.responder = lambda _req: error_reply(400, "ValidationException", said)
    bare = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    with pytest.raises(UpstreamError) as caught:
        source.converse(ChatRequest(model=bare, messages=REQUEST.messages))
    assert caught.value.status_code == 400
    assert f"'us.{bare}'" in caught.value.message
    assert "inference profile" in caught.value.message


def test_unreachable_endpoint_is_a_typed_502(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.functional.bedrock.conftest import make_client

    with ScriptedBedrock() as gone:
        url = gone.url
    source = BotoBedrockSource(make_client(url, monkeypatch))
    with pytest.raises(UpstreamError) as caught:
        source.converse(REQUEST)
    assert (caught.value.status_code, caught.value.error_type) == (502, "upstream_unreachable")


def test_no_response_headers_within_read_timeout_is_a_typed_504(
    server: ScriptedBedrock, source: BotoBedrockSource
) -> None:
    server.responder = lambda _req: Reply(silent=True)
    with pytest.raises(UpstreamError) as caught:
        source.converse(REQUEST)
    assert (caught.value.status_code, caught.value.code, caught.value.error_type) == (
        504,
        "ReadTimeout",
        "upstream_timeout",
    )


IN_STREAM = [
    "modelStreamErrorException",
    "throttlingException",
    "validationException",
    "internalServerException",
    "serviceUnavailableException",
    "modelTimeoutException",
]


def _collect(stream: Iterable[BedrockEvent]) -> tuple[list[BedrockEvent], MidStreamError]:
    events: list[BedrockEvent] = []

    def drain() -> None:
        events.extend(stream)

    with pytest.raises(MidStreamError) as caught:
        drain()
    return events, caught.value


@pytest.mark.parametrize("exception_type", IN_STREAM)
def test_converse_in_stream_exception_is_typed(
    server: ScriptedBedrock, source: BotoBedrockSource, exception_type: str
) -> None:
    server.responder = lambda _req: Reply(pieces=[*_converse_text("partial"), es.exception(exception_type, "it broke")])
    events, error = _collect(source.converse(REQUEST))
    assert events == [TextDelta("partial", 0)]
    # ConverseStream has no modelTimeoutException member: botocore reports code "" (doc §4), we name it.
    assert error.code == exception_type
    if exception_type != "modelTimeoutException":
        assert "it broke" in error.message


@pytest.mark.parametrize("exception_type", IN_STREAM)
def test_invoke_in_stream_exception_is_typed(
    server: ScriptedBedrock, source: BotoBedrockSource, exception_type: str
) -> None:
    first = es.chunk(
        {"generation": "partial", "prompt_token_count": 3, "generation_token_count": 1, "stop_reason": None}
    )
    server.responder = lambda _req: Reply(
        pieces=[first, es.exception(exception_type, "it broke", originalStatusCode=500)]
    )
    events, error = _collect(source.invoke("meta.llama3-8b-instruct-v1:0", b'{"prompt":"hi"}'))
    assert events == [TextDelta("partial", 0)]
    assert error.code == exception_type
    assert "it broke" in error.message


def test_unmodelled_error_frame_is_typed(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    server.responder = lambda _req: Reply(pieces=[*_converse_text("x"), es.error("InternalFailure", "boom")])
    _, error = _collect(source.converse(REQUEST))
    assert error.code == "InternalFailure"
    assert "boom" in error.message


def test_connection_drop_mid_stream_is_typed(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    frames = b"".join([*_converse_text("partial"), *_converse_end()])
    cut = len(b"".join(_converse_text("partial"))) + 10
    server.responder = lambda _req: Reply(pieces=[frames[:cut], frames[cut:]], drop_after=1)
    events, error = _collect(source.converse(REQUEST))
    assert events == [TextDelta("partial", 0)]
    assert error.code == "connection_lost"


def test_truncated_final_frame_is_detected(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    frames = b"".join([*_converse_text("partial"), *_converse_end()])
    # A clean end of body inside the last frame: botocore silently stops (doc §4 item 6).
    server.responder = lambda _req: Reply(pieces=[frames[:-20]])
    events, error = _collect(source.converse(REQUEST))
    assert TextDelta("partial", 0) in events
    assert error.code == "truncated"


def test_stream_without_terminal_event_is_truncated(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    server.responder = lambda _req: Reply(pieces=_converse_text("partial"))
    _, error = _collect(source.converse(REQUEST))
    assert error.code == "truncated"


def test_invoke_without_invocation_metrics_is_truncated(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    last = es.chunk({"generation": "", "prompt_token_count": None, "generation_token_count": 2, "stop_reason": "stop"})
    server.responder = lambda _req: Reply(pieces=[last])
    _, error = _collect(source.invoke("meta.llama3-8b-instruct-v1:0", b"{}"))
    assert error.code == "truncated"
    assert "amazon-bedrock-invocationMetrics" in error.message


def test_read_timeout_mid_stream_is_typed(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    server.responder = lambda _req: Reply(pieces=_converse_text("partial"), stall_after=2)
    events, error = _collect(source.converse(REQUEST))
    assert events == [TextDelta("partial", 0)]
    assert error.code == "read_timeout"


def test_checksum_mismatch_is_typed(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    good = _converse_text("partial")
    bad = bytearray(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "more"}}))
    bad[-1] ^= 0xFF
    server.responder = lambda _req: Reply(pieces=[*good, bytes(bad)])
    _, error = _collect(source.converse(REQUEST))
    assert error.code == "checksum_mismatch"


def test_close_early_is_not_an_error(server: ScriptedBedrock, source: BotoBedrockSource) -> None:
    server.responder = lambda _req: Reply(pieces=[*_converse_text("a"), *_converse_text("b")], stall_after=4)
    stream = source.converse(REQUEST)
    iterator = iter(stream)
    assert next(iterator) == TextDelta("a", 0)
    stream.close()
    assert list(iterator) == []
    stream.close()
