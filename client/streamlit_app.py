"""Streamlit chat app for a bedrock-stream endpoint: answers render live as tokens arrive.

Run from the repository root: ``make chat`` (or ``PYTHONPATH=. streamlit run client/streamlit_app.py``).
The endpoint defaults to ``$BEDROCK_STREAM_URL``, else the local emulator (``make dev``) at
``http://127.0.0.1:3000``. Deployed Function URLs are SigV4-signed with the standard AWS credential chain.
The chat input turns into a stop button while an answer streams; a stopped answer is kept, marked as stopped.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from client.api import CompletionRequest, Endpoint, model_ids
from client.consume import consume
from client.errors import ClientError
from client.events import TextEvent
from client.readers import make_reader
from client.urls import DEFAULT_URL, URL_ENV

DEFAULT_MODEL_LABEL = "(deployment default)"
STOPPED_MARK = "\n\n*⏹ stopped*"
CURSOR = "▌"


@st.cache_data(ttl=60, show_spinner=False)
def load_models(url: str, region: str | None, profile: str | None, unsigned: bool) -> tuple[list[str], str | None]:
    """Model ids and the default model from ``GET /models`` (cached for a minute)."""
    with Endpoint(url, region=region, profile=profile, signed=False if unsigned else None, timeout=15) as endpoint:
        return model_ids(endpoint.models())


def _settings() -> dict[str, Any]:
    sidebar = st.sidebar
    sidebar.header("Endpoint")
    url = sidebar.text_input("Function URL", value=os.environ.get(URL_ENV) or DEFAULT_URL).strip()
    region = sidebar.text_input("AWS Region", value="", help="default: from the URL").strip() or None
    profile = sidebar.text_input("AWS profile", value="", help="default: the standard chain").strip() or None
    unsigned = sidebar.checkbox("Unsigned (AuthType NONE)", value=False)
    sidebar.header("Model")
    models: list[str] = []
    default: str | None = None
    try:
        models, default = load_models(url, region, profile, unsigned)
    except ClientError as exc:
        sidebar.error(f"Cannot list models: {exc}")
    options = models or [DEFAULT_MODEL_LABEL]
    index = options.index(default) if default in options else 0
    model = sidebar.selectbox("Model", options, index=index)
    system = sidebar.text_area("System prompt", value="")
    temperature = sidebar.slider("Temperature", 0.0, 1.0, 0.5, 0.05)
    max_tokens = sidebar.number_input("Max tokens", min_value=1, max_value=32768, value=1024, step=64)
    if sidebar.button("Clear conversation"):
        st.session_state.messages = []
        st.session_state.pending = None
    return {
        "url": url,
        "region": region,
        "profile": profile,
        "unsigned": unsigned,
        "model": None if model == DEFAULT_MODEL_LABEL else model,
        "system": system.strip() or None,
        "temperature": float(temperature),
        "max_tokens": int(max_tokens),
    }


def _stream_answer(config: dict[str, Any], messages: list[dict[str, str]]) -> None:
    """Stream the assistant's answer into the current chat message, saving progress in the session."""
    placeholder = st.empty()
    request = CompletionRequest(
        messages=tuple(messages),
        model=config["model"],
        system=config["system"],
        temperature=config["temperature"],
        max_tokens=config["max_tokens"],
    )
    text = ""
    st.session_state.pending = text
    reader = make_reader("sse")
    signed = False if config["unsigned"] else None
    try:
        with (
            Endpoint(config["url"], region=config["region"], profile=config["profile"], signed=signed) as endpoint,
            endpoint.stream(request, "sse") as chunks,
        ):
            placeholder.markdown(CURSOR)
            for event in consume(chunks, reader):
                if isinstance(event, TextEvent) and event.text:
                    text += event.text
                    st.session_state.pending = text
                    placeholder.markdown(text + CURSOR)
    except ClientError as exc:
        placeholder.markdown(text or "*no answer*")
        st.error(str(exc))
        st.session_state.messages.append({"role": "assistant", "content": text, "error": str(exc)})
    else:
        placeholder.markdown(text)
        st.session_state.messages.append({"role": "assistant", "content": text})
    st.session_state.pending = None


def main() -> None:
    """The page."""
    st.set_page_config(page_title="bedrock-stream chat", page_icon="💬")
    st.title("bedrock-stream chat")
    st.session_state.setdefault("messages", [])
    st.session_state.setdefault("pending", None)
    config = _settings()

    if st.session_state.pending is not None:  # the previous answer was stopped mid-stream
        st.session_state.messages.append({"role": "assistant", "content": st.session_state.pending + STOPPED_MARK})
        st.session_state.pending = None

    for message in st.session_state.messages:
        with st.chat_message(message["role"]):
            st.markdown(message["content"] or "*no answer*")
            if message.get("error"):
                st.error(message["error"])

    prompt = st.chat_input("Ask Bedrock…", submit_mode="stop")
    if not prompt:
        return
    st.session_state.messages.append({"role": "user", "content": prompt})
    with st.chat_message("user"):
        st.markdown(prompt)
    history = [
        {"role": m["role"], "content": m["content"].removesuffix(STOPPED_MARK)}
        for m in st.session_state.messages
        if m["content"] and not m.get("error")
    ]
    with st.chat_message("assistant"):
        _stream_answer(config, history)


main()
