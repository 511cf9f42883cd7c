"""The emulator's Lambda Managed Instances mode (``max_concurrency`` / ``--max-concurrency``) with the real runtime.

Behaviour from the AWS Lambda developer guide,
https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html: one execution
environment serves several invocations at once, each in its own runtime worker; a timed-out invocation fails on its
own, the code is not stopped and the other invocations carry on. Concurrency is proved by a rendezvous the handlers
(tests/handlers/lmi_demo.py) only get through when all of them run at once; nothing here is timed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import httpx
import pytest

from emulator import LocalLambda
from emulator.cli import main
from tests.functional.emulator.conftest import HANDLERS, ROOT
from tests.handlers.lmi_demo import expected_body
from tests.support.rendezvous import Rendezvous

pytestmark = pytest.mark.timeout(120)

TIMEOUT = httpx.Timeout(30.0)


def managed(max_concurrency: int, **kwargs: object) -> LocalLambda:
    """One execution environment (one runtime process tree) with ``max_concurrency`` slots running lmi_demo."""
    options: dict[str, object] = {
        "handler": "lmi_demo.handle",
        "extra_paths": [str(HANDLERS), str(ROOT)],
        "timeout": 20.0,
        "concurrency": 1,
        "max_concurrency": max_concurrency,
    }
    options.update(kwargs)
    return LocalLambda(**options)  # type: ignore[arg-type]


def in_parallel(calls: dict[str, Callable[[], httpx.Response]]) -> dict[str, httpx.Response]:
    """Run each call on its own thread; every response by name (an exception fails the test)."""
    results: dict[str, httpx.Response] = {}
    errors: list[BaseException] = []

    def run(name: str, call: Callable[[], httpx.Response]) -> None:
        try:
            results[name] = call()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert errors == []
    return results


def handler_records(emulator: LocalLambda) -> list[dict[str, object]]:
    out = []
    for line in emulator.log_lines("function"):
        if line.text.startswith("{"):
            record = json.loads(line.text)
            if record.get("logger") == "lmi_demo":
                out.append(record)
    return out


def test_one_environment_serves_n_interleaved_streams_each_byte_exact() -> None:
    tags = ["red", "green", "blue"]
    with Rendezvous() as meeting, managed(3) as emulator, httpx.Client(timeout=TIMEOUT) as client:
        pids = emulator.pids
        url = f"{emulator.url}/?rendezvous={meeting.address}&parties=3&tag="
        responses = in_parallel({tag: lambda tag=tag: client.get(url + tag) for tag in tags})  # type: ignore[misc]
        records = handler_records(emulator)
        assert emulator.pids == pids

    assert len(pids) == 1  # one execution environment
    assert {tag: (r.status_code, r.content) for tag, r in responses.items()} == {
        tag: (200, expected_body(tag)) for tag in tags
    }
    assert [step for step, _ in meeting.arrivals] == [f"chunk-{k}" for k in range(4) for _ in tags]
    assert len({r.headers["x-worker-pid"] for r in responses.values()}) == 3  # each in its own worker
    assert len(records) == 3 * 5
    assert all(record["requestId"] == record["seen_request_id"] for record in records)
    assert len({record["requestId"] for record in records}) == 3


def test_a_timeout_fails_only_its_invocation_and_stops_nothing() -> None:
    with Rendezvous() as meeting, managed(2, timeout=2.0) as emulator, httpx.Client(timeout=TIMEOUT) as client:
        pids = emulator.pids
        held = f"{emulator.url}/?tag=slow&hold=1&rendezvous={meeting.address}"
        slow = client.get(held)
        assert slow.status_code == 504
        assert slow.headers["x-amzn-errortype"] == "Sandbox.Timeout"
        # the other worker serves while the timed-out handler is still running
        quick = client.get(f"{emulator.url}/?tag=quick")
        assert (quick.status_code, quick.content) == (200, expected_body("quick"))
        meeting.join("hold-slow", 2)  # let the timed-out handler go on: it streams a late response
        # both slots serve again, at once (each needs the other at the rendezvous)
        url = f"{emulator.url}/?rendezvous={meeting.address}&parties=2&tag="
        pair = in_parallel({tag: lambda tag=tag: client.get(url + tag) for tag in ("left", "right")})  # type: ignore[misc]
        assert emulator.pids == pids  # nothing was killed or restarted
        text = emulator.logs.text()

    assert {tag: (r.status_code, r.content) for tag, r in pair.items()} == {
        tag: (200, expected_body(tag)) for tag in ("left", "right")
    }
    assert "Task timed out after 2.00 seconds (Lambda Managed Instances: the runtime is not stopped)" in text
    # the timed-out handler ran on; its late response met the runtime's own write deadline and was abandoned
    assert "Runtime.ResponseWriteTimeout" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-concurrency", "0"], "--max-concurrency must be at least 1"),
        (["--max-concurrency", "4", "--snapstart"], "SnapStart is not available on Managed Instances"),
        (["--max-concurrency", "4", "--log-format", "Text"], "always log JSON"),
    ],
)
def test_impossible_managed_instances_flags_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_the_app_streams_from_several_workers_of_one_environment() -> None:
    """The real app (bedrock_stream) under LMI: each worker does its own init and its own Bedrock client."""
    from emulator import BedrockOptions
    from emulator.fake_bedrock import stub_text

    prompts = [f"prompt number {index}" for index in range(6)]
    bedrock = BedrockOptions(token_delay_ms=20)
    with LocalLambda(concurrency=1, max_concurrency=3, timeout=30.0, bedrock=bedrock) as local:
        with httpx.Client(timeout=TIMEOUT) as client:
            responses = in_parallel(
                {
                    prompt: lambda prompt=prompt: client.post(  # type: ignore[misc]
                        f"{local.url}/", json={"prompt": prompt}, headers={"accept": "text/plain"}
                    )
                    for prompt in prompts
                }
            )
        assert len(local.pids) == 1
        records = [json.loads(line.text) for line in local.log_lines("function") if line.text.startswith("{")]

    assert {prompt: (r.status_code, r.text) for prompt, r in responses.items()} == {
        prompt: (200, stub_text(prompt)) for prompt in prompts
    }
    finished = [record for record in records if record.get("message") == "request finished"]
    assert len(finished) == len(prompts)
    assert len({record["request_id"] for record in finished}) == len(prompts)  # each names its own invocation
