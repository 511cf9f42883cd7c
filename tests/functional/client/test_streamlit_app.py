"""The Streamlit chat app driven by streamlit.testing.v1.AppTest against the local emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from emulator.fake_bedrock import ExceptionAfter, HttpError, stub_text
from emulator.local import LocalLambda
from tests.functional.client.conftest import MODELS

APP = Path(__file__).resolve().parents[3] / "client" / "streamlit_app.py"


def _app(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("BEDROCK_STREAM_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_answer_appears_and_models_come_from_the_endpoint(
    local_lambda: LocalLambda, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(local_lambda.url, monkeypatch)
    assert at.sidebar.selectbox[0].options == list(MODELS)
    assert at.sidebar.selectbox[0].value == MODELS[0]

    at.chat_input[0].set_value("Hello from Streamlit").run()
    assert not at.exception, at.exception
    assert not at.error
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[1].markdown[0].value == stub_text("Hello from Streamlit")

    at.sidebar.selectbox[0].set_value(MODELS[1])
    at.chat_input[0].set_value("And again").run()
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
    assert at.chat_message[3].markdown[0].value == stub_text("And again")


def test_pre_stream_error_is_shown(
    local_lambda: LocalLambda, fake_bedrock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(local_lambda.url, monkeypatch)
    fake_bedrock.inject(HttpError("AccessDeniedException"), times=None)  # type: ignore[attr-defined]
    at.chat_input[0].set_value("hi").run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    assert "HTTP 403" in at.error[0].value


def test_mid_stream_error_keeps_the_partial_answer(
    local_lambda: LocalLambda, fake_bedrock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(local_lambda.url, monkeypatch)
    fake_bedrock.inject(ExceptionAfter(after=6, exception_type="modelStreamErrorException"))  # type: ignore[attr-defined]
    prompt = "Tell me a long story please"
    at.chat_input[0].set_value(prompt).run()
    assert not at.exception, at.exception
    partial = at.chat_message[1].markdown[0].value
    assert partial
    assert stub_text(prompt).startswith(partial)
    assert "stream failed after it started" in at.error[0].value


def test_unreachable_endpoint_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    at = _app(url, monkeypatch)
    assert "Cannot list models" in at.sidebar.error[0].value
    at.chat_input[0].set_value("hi").run()
    assert not at.exception, at.exception
    assert "cannot connect" in at.error[-1].value
