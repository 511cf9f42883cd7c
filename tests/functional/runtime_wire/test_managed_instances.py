"""Lambda Managed Instances through the real runtime process (functions/bootstrap) against the raw-socket stand-in.

Expected behaviour from aws/aws-lambda-python-runtime-interface-client (awslambdaric/__main__.py, lambda_config.py,
lambda_multi_concurrent_utils.py: one worker process per ``AWS_LAMBDA_MAX_CONCURRENCY`` slot, each with its own init
and loop; lambda_runtime_client.py ``LambdaMultiConcurrentRuntimeClient.handle_init_error``: the 403 answered to every
``/init/error`` after the first is ignored) and the AWS Lambda developer guide,
https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-python-runtime.html (separate processes, each
with its own memory and initialization; ``requestId`` on every log record) and
https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html (a crashed worker
leaves the others serving). Concurrency is proved without timing: the handlers meet at a rendezvous after each chunk,
which only completes when all N invocations are inside their handlers at once.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest

from tests.functional.runtime_wire.conftest import ROOT
from tests.functional.runtime_wire.standin import NEXT_PATH, Captured, NextSpec, RuntimeApiStandIn
from tests.handlers.lmi_demo import expected_body
from tests.support.rendezvous import Rendezvous

pytestmark = pytest.mark.timeout(90)

PATHS = os.pathsep.join([str(ROOT / "tests" / "handlers"), str(ROOT)])
INIT_ERROR = "/2018-06-01/runtime/init/error"


def lmi(count: int, **extra: str) -> dict[str, str]:
    """The environment of an LMI function with ``count`` slots running tests/handlers/lmi_demo.py."""
    return {"AWS_LAMBDA_MAX_CONCURRENCY": str(count), "PYTHONPATH": PATHS, **extra}


def records(log: str) -> list[dict[str, object]]:
    """The JSON log records of the runtime's output (every worker writes to the same stdout)."""
    out = []
    for line in log.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def request_id(req: Captured) -> str:
    return req.target.split("/")[-2]


def test_each_slot_has_its_own_next_and_streams_interleave_byte_exact(start_runtime) -> None:
    tags = ["alpha", "beta", "gamma"]
    n = len(tags)
    with Rendezvous() as meeting, RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, "lmi_demo.handle", **lmi(n))
        api.wait_polling(n)
        outstanding = [r for r in api.requests if r.target == NEXT_PATH]
        api.queue(*(NextSpec(f"req-{t}", {"tag": t, "rendezvous": meeting.address, "parties": n}) for t in tags))
        responses = api.wait_complete("/response", count=n)
        api.wait_polling(2 * n)

    # N long-polls were open at once, each on its own connection, before any event existed
    assert len(outstanding) == n
    assert len({r.conn_id for r in outstanding}) == n
    # every stream is byte-exact and complete
    bodies = {request_id(r): r.body for r in responses}
    assert bodies == {f"req-{t}": expected_body(t) for t in tags}
    assert all(not r.trailers for r in responses)
    # interleaved, as recorded by the rendezvous: every handler finished chunk k before any wrote chunk k + 1
    steps = [step for step, _ in meeting.arrivals]
    assert steps == [f"chunk-{k}" for k in range(4) for _ in range(n)]
    assert all({who for step, who in meeting.arrivals if step == f"chunk-{k}"} == set(tags) for k in range(4))
    # each log record carries its own invocation's request id; each invocation ran in its own worker process
    handler_records = [r for r in records(proc.log) if r.get("logger") == "lmi_demo"]
    assert len(handler_records) == n * 5  # "start" + 4 chunks each
    for record in handler_records:
        assert record["requestId"] == record["seen_request_id"] == f"req-{record['tag']}"
    pids = {record["tag"]: record["pid"] for record in handler_records}
    assert len(set(pids.values())) == n
    assert all({r["pid"] for r in handler_records if r["tag"] == tag} == {pid} for tag, pid in pids.items())
    # SIGTERM to the supervisor reaches every worker; none outlives it
    assert proc.stop() == 128 + 15  # the workers died of the forwarded SIGTERM; the supervisor says so
    for pid in pids.values():
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)  # type: ignore[call-overload]


def test_only_the_first_init_error_is_accepted_and_the_403s_are_ignored(start_runtime) -> None:
    accepted: list[Captured] = []
    lock = threading.Lock()

    def status(req: Captured) -> int:
        with lock:
            if req.target == INIT_ERROR and not accepted:
                accepted.append(req)
                return 202
        return 403

    with RuntimeApiStandIn(reply_status=status) as api:
        proc = start_runtime(api.address, "missing_module.handle", **lmi(3))
        posts = api.wait_complete("/init/error", count=3)
        assert proc.wait(timeout=30) == 1

    assert len([r for r in api.requests if r.target == INIT_ERROR]) == 3  # once per worker, never retried
    assert not [r for r in api.requests if r.target == NEXT_PATH]
    assert {r.header("lambda-runtime-function-error-type") for r in posts} == {"Runtime.ImportModuleError"}
    log = records(proc.log)
    ignored = [r for r in log if "already reported the init failure" in str(r["message"])]
    assert len(ignored) == 2
    assert all(r["level"] == "INFO" for r in ignored)
    assert not [r for r in log if "answered 403" in str(r["message"])]


def test_a_worker_retries_a_failed_next_with_back_off_instead_of_exiting(start_runtime) -> None:
    """LambdaMultiConcurrentRuntimeClient._get_next_with_backoff: 5 attempts, doubling from 0.1 s."""
    with RuntimeApiStandIn(next_status=lambda n: 500 if n <= 3 else 200) as api:
        proc = start_runtime(api.address, "lmi_demo.handle", **lmi(1))
        api.queue(NextSpec("req-retry", {"tag": "retry"}))
        (response,) = api.wait_complete("/response")
        assert proc.proc.poll() is None
        retries = proc.log.count("/next failed, retrying")  # before the stand-in closes the next long-poll

    assert response.body == expected_body("retry")
    assert len([r for r in api.requests if r.target == NEXT_PATH]) >= 4  # 3 refused, then the event
    assert retries == 3


def test_a_worker_gives_up_after_five_failed_attempts(start_runtime) -> None:
    with RuntimeApiStandIn(next_status=lambda n: 500) as api:
        proc = start_runtime(api.address, "lmi_demo.handle", **lmi(1))
        assert proc.wait(timeout=30) == 1
        attempts = len([r for r in api.requests if r.target == NEXT_PATH])

    assert attempts == 5
    assert "fatal Runtime API error, exiting" in proc.log


def test_a_worker_whose_result_post_fails_keeps_serving(start_runtime) -> None:
    """LambdaMultiConcurrentRuntimeClient.handle_exception: a failed result post is logged, the loop goes on."""

    def status(req: Captured) -> int:
        return 500 if request_id(req) == "req-refused" else 202

    with RuntimeApiStandIn(reply_status=status) as api:
        proc = start_runtime(api.address, "lmi_demo.handle", **lmi(1))
        api.queue(NextSpec("req-refused", {"tag": "refused"}), NextSpec("req-next", {"tag": "next"}))
        responses = api.wait_complete("/response", count=2)
        api.wait_polling(3)
        assert proc.proc.poll() is None

    assert [request_id(r) for r in responses] == ["req-refused", "req-next"]
    assert "posting the result failed; this runtime worker keeps serving" in proc.log


def test_a_crashed_worker_leaves_the_others_serving(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, "lmi_demo.handle", **lmi(2))
        api.wait_polling(2)
        api.queue(NextSpec("req-crash", {"tag": "crash", "exit": 7}))
        api.queue(NextSpec("req-after", {"tag": "after"}), NextSpec("req-later", {"tag": "later"}))
        responses = api.wait_complete("/response", count=2)
        assert proc.proc.poll() is None  # the supervisor still runs with one worker

    assert {request_id(r): r.body for r in responses} == {
        "req-after": expected_body("after"),
        "req-later": expected_body("later"),
    }
    assert "exited with status 7" in proc.log


def test_stdout_and_stderr_of_each_worker_go_to_their_own_socket_connection(start_runtime, tmp_path: Path) -> None:
    path = str(tmp_path / "out.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    received: list[bytearray] = []

    def read(conn: socket.socket, into: bytearray) -> None:
        with conn:
            while data := conn.recv(65536):
                into.extend(data)

    def accept() -> None:
        threads = []
        for _ in range(4):
            conn, _ = server.accept()
            buf = bytearray()
            received.append(buf)
            thread = threading.Thread(target=read, args=(conn, buf), daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(timeout=30)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    env = lmi(2, _LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET=path)
    with RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, "lmi_demo.handle", **env)
        api.wait_polling(2)
        api.queue(NextSpec("req-one", {"tag": "one"}))
        api.wait_complete("/response")
        api.wait_polling(3)
        proc.stop()
    acceptor.join(timeout=30)
    server.close()

    assert len(received) == 4  # stdout and stderr of each of the 2 workers
    carrying = [bytes(buf) for buf in received if b'"requestId": "req-one"' in buf]
    assert len(carrying) == 1  # the one worker that served req-one, on its own stdout connection
    assert '"req-one"' not in proc.log  # nothing of the worker's went to the supervisor's stdout


@pytest.mark.parametrize(
    ("extra", "error_type"),
    [
        ({"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}, "Runtime.UnsupportedConfiguration"),
        ({"AWS_LAMBDA_MAX_CONCURRENCY": "0"}, "Runtime.InvalidMaxConcurrency"),
        ({"AWS_LAMBDA_MAX_CONCURRENCY": "many"}, "Runtime.InvalidMaxConcurrency"),
    ],
)
def test_an_impossible_lmi_configuration_is_one_init_error(start_runtime, extra: dict[str, str], error_type) -> None:
    with RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, "lmi_demo.handle", **{**lmi(2), **extra})
        (post,) = api.wait_complete("/init/error")
        assert proc.wait(timeout=30) == 1

    assert post.header("lambda-runtime-function-error-type") == error_type
    assert json.loads(post.body)["errorType"] == error_type
    assert [r.target for r in api.requests] == [INIT_ERROR]  # no worker was started, nothing polled /next
