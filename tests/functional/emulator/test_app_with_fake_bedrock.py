"""The real app handler through the emulator, with the fake Bedrock started by ``LocalLambda(bedrock=...)``."""

from __future__ import annotations

import time

import httpx

from emulator import BedrockOptions, LocalLambda
from emulator.fake_bedrock import stub_text


def test_app_streams_the_stub_answer_through_the_emulator() -> None:
    prompt = "Tell me about streaming"
    with LocalLambda(concurrency=1, timeout=30.0, bedrock=BedrockOptions(token_delay_ms=40)) as local:
        assert local.fake_bedrock is not None
        arrivals: list[tuple[float, bytes]] = []
        with httpx.stream(
            "POST", f"{local.url}/", json={"prompt": prompt}, headers={"accept": "text/plain"}, timeout=30.0
        ) as response:
            assert response.status_code == 200
            for chunk in response.iter_raw():
                arrivals.append((time.monotonic(), chunk))
    assert b"".join(c for _, c in arrivals).decode() == stub_text(prompt)
    assert len(arrivals) >= 3
    assert arrivals[-1][0] - arrivals[0][0] >= 0.1  # deltas arrive spread out, as the fake model produces them
