"""The real runtime process (functions/bootstrap) against a raw-socket Runtime API; wire bytes checked with h11."""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from streaming_runtime.wire import chunk
from tests.functional.runtime_wire.conftest import HANDLERS, ROOT
from tests.functional.runtime_wire.standin import NEXT_PATH, Captured, NextSpec, RuntimeApiStandIn

pytestmark = pytest.mark.timeout(60)

BASE = "/2018-06-01/runtime"
INTEGRATION = "application/vnd.awslambda.http-integration-response"
TRAILER = "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"


def http_event(**fields: object) -> dict[str, object]:
    """A minimal Function URL (payload 2.0) event plus test fields."""
    event: dict[str, object] = {
        "version": "2.0",
        "rawPath": "/",
        "requestContext": {"http": {"method": "POST", "path": "/"}, "requestId": "x"},
        "headers": {},
    }
    event.update(fields)
    return event


def trailers_of(req: Captured) -> dict[str, str]:
    return {k.lower(): v for k, v in req.trailers}


def decode_error_body(req: Captured) -> dict[str, object]:
    doc = json.loads(base64.b64decode(trailers_of(req)["lambda-runtime-function-error-body"], validate=True))
    assert isinstance(doc, dict)
    return doc


def test_http_event_streams_prelude_then_one_chunk_per_item(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(
            NextSpec(
                "req-1",
                http_event(
                    status=201,
                    headers_out={"content-type": "text/plain", "x-test": "yes"},
                    cookies_out=["sid=abc; Path=/; HttpOnly"],
                    items=["hello ", "", "wörld"],
                ),
                invocation_id="inv-nonce-1",
            )
        )
        start_runtime(api.address, "rw_handlers.stream_items")
        (req,) = api.wait_complete("/response")

    # request line and headers, as an independent parser (h11) read them
    assert (req.method, req.target, req.http_version) == ("POST", f"{BASE}/invocation/req-1/response", "1.1")
    assert req.header("lambda-runtime-function-response-mode") == "streaming"
    assert req.header("transfer-encoding") == "chunked"
    assert req.header("content-length") is None
    assert req.header("content-type") == INTEGRATION
    assert ", ".join(req.header_all("trailer")) == TRAILER
    assert req.header("lambda-runtime-invocation-id") == "inv-nonce-1"
    # chunks: the prelude (JSON + 8 NULs) as one chunk, then one chunk per non-empty item
    prelude_doc = {
        "statusCode": 201,
        "headers": {"content-type": "text/plain", "x-test": "yes"},
        "cookies": ["sid=abc; Path=/; HttpOnly"],
    }
    assert req.chunks[0].endswith(b"\x00" * 8)
    assert json.loads(req.chunks[0][:-8]) == prelude_doc
    assert req.chunks[1:] == [b"hello ", "wörld".encode()]
    assert req.trailers == []
    # and byte for byte: body framing ends with the plain terminator
    body_start = req.raw.index(b"\r\n\r\n") + 4
    assert req.raw[body_start:] == chunk(req.chunks[0]) + chunk(b"hello ") + chunk("wörld".encode()) + b"0\r\n\r\n"


def test_direct_invoke_event_gets_no_prelude_and_its_own_content_type(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(
            NextSpec("req-a", {"headers_out": {"Content-Type": "application/x-ndjson"}, "items": ['{"a":1}\n']}),
            NextSpec("req-b", {"items": ["raw"]}),
        )
        start_runtime(api.address, "rw_handlers.stream_items")
        first, second = api.wait_complete("/response", count=2)

    assert first.header("content-type") == "application/x-ndjson"
    assert first.chunks == [b'{"a":1}\n']
    assert second.header("content-type") == "application/octet-stream"
    assert second.chunks == [b"raw"]
    # no invocation id from /next -> none echoed
    assert first.header("lambda-runtime-invocation-id") is None
    # each streamed /response on a fresh connection; /next keeps its own keep-alive one
    # (docs/lambda-streaming.md, "The streamed response request")
    next_conns = {r.conn_id for r in api.requests if r.target == NEXT_PATH}
    assert len(next_conns) == 1
    assert len({first.conn_id, second.conn_id} - next_conns) == 2


def test_context_trace_env_and_sys_path(start_runtime) -> None:
    identity = json.dumps({"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"})
    client_context = json.dumps({"client": {"app_title": "wire app"}, "custom": {"k": "v"}, "env": {}})
    with RuntimeApiStandIn() as api:
        api.queue(
            NextSpec(
                "req-ctx",
                {"any": "event"},
                trace_id="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                invocation_id="nonce-ctx",
                deadline_ms=4102444800000,
                extra_headers={
                    "Lambda-Runtime-Cognito-Identity": identity,
                    "Lambda-Runtime-Client-Context": client_context,
                    "Lambda-Runtime-Aws-Tenant-Id": "tenant-7",
                },
            ),
            NextSpec("req-ctx2", {"any": "event"}),
        )
        start_runtime(api.address, "rw_handlers.context_echo")
        first, second = api.wait_complete("/response", count=2)

    ctx = json.loads(first.body)
    assert ctx["aws_request_id"] == "req-ctx"
    assert ctx["deadline_ms"] == 4102444800000
    assert ctx["remaining"] > 0
    assert ctx["function_name"] == "wire-test"
    assert ctx["function_version"] == "$LATEST"
    assert ctx["memory_limit_in_mb"] == "512"
    assert ctx["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:wire-test"
    assert ctx["log_group_name"] == "/aws/lambda/wire-test"
    assert ctx["log_stream_name"] == "2026/11/21/[$LATEST]0123456789abcdef"
    assert ctx["tenant_id"] == "tenant-7"
    assert ctx["invocation_id"] == "nonce-ctx"
    assert (ctx["identity_id"], ctx["identity_pool_id"]) == ("id-1", "pool-1")
    assert ctx["client_app_title"] == "wire app"
    assert ctx["client_custom"] == {"k": "v"}
    assert ctx["trace_env"] == "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    major, minor = ctx["version"]
    functions_dir = str(Path(__file__).resolve().parents[3] / "functions")
    assert ctx["sys_path"][:3] == [functions_dir, f"/opt/python/lib/python{major}.{minor}/site-packages", "/opt/python"]
    assert any(p.endswith("site-packages") for p in ctx["sys_path"][3:])  # interpreter's own (venv) site-packages
    # second invocation: no trace header -> variable deleted; non-HTTP JSON content type passes through
    assert json.loads(second.body)["trace_env"] is None
    assert second.header("content-type") == "application/json"


def test_exception_mid_body_ends_with_error_trailers(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-mid", http_event(), invocation_id="n-mid"), NextSpec("req-after", {"items": ["ok"]}))
        proc = start_runtime(api.address, "rw_handlers.fail_mid")
        first, _second = api.wait_complete("/response", count=2)

    assert first.chunks[1:] == [b"partial"]
    trailers = trailers_of(first)
    assert trailers["lambda-runtime-function-error-type"] == "Function.ValueError"
    doc = decode_error_body(first)
    assert doc["errorType"] == "ValueError"
    assert doc["errorMessage"] == "upstream broke\r\nInjected: header"
    assert isinstance(doc["stackTrace"], list)
    assert doc["stackTrace"]
    assert set(doc) == {"errorMessage", "errorType", "stackTrace"}
    assert "injected" not in trailers  # the CR/LF stayed inside the base64 body
    body_start = first.raw.index(b"\r\n\r\n") + 4
    tail = first.raw[body_start:].split(chunk(b"partial"), 1)[1]
    assert tail.startswith(b"0\r\nLambda-Runtime-Function-Error-Type: Function.ValueError\r\n")
    assert tail.endswith(b"\r\n\r\n")
    assert '"level": "ERROR"' in proc.log


def test_str_body_item_is_reported_as_type_error_trailer(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-str", {}))
        start_runtime(api.address, "rw_handlers.str_item")
        (req,) = api.wait_complete("/response")

    assert req.chunks == [b"ok"]
    assert trailers_of(req)["lambda-runtime-function-error-type"] == "Runtime.InvalidBodyItem"
    doc = decode_error_body(req)
    assert "str" in str(doc["errorMessage"])
    assert "bytes" in str(doc["errorMessage"])


def test_handler_raising_before_return_posts_error_and_loop_continues(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-err", http_event(), invocation_id="n-err"), NextSpec("req-err2", {}))
        start_runtime(api.address, "rw_handlers.raise_before")
        first, second = api.wait_complete("/error", count=2)
        api.wait_polling(3)  # alive and polling again

    assert (first.method, first.target) == ("POST", f"{BASE}/invocation/req-err/error")
    assert first.header("lambda-runtime-function-error-type") == "Function.RuntimeError"
    assert first.header("lambda-runtime-invocation-id") == "n-err"
    assert first.header("content-type") == "application/json"
    doc = json.loads(first.body)
    assert doc["errorMessage"] == "failed before the stream started"
    assert doc["errorType"] == "RuntimeError"
    assert doc["requestId"] == "req-err"
    assert any("raise_before" in line for line in doc["stackTrace"])
    assert second.header("lambda-runtime-invocation-id") is None
    assert not [r for r in api.requests if r.target.endswith("/response")]


TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def test_a_traced_invocation_error_carries_the_xray_error_cause(start_runtime) -> None:
    """The cause JSON has the shape of awslambdaric/bootstrap.py ``make_xray_fault``; untraced errors send none."""
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-traced", http_event(), trace_id=TRACE), NextSpec("req-untraced", http_event()))
        start_runtime(api.address, "rw_handlers.raise_before")
        traced, untraced = api.wait_complete("/error", count=2)

    assert untraced.header("lambda-runtime-function-xray-error-cause") is None
    raw = traced.header("lambda-runtime-function-xray-error-cause")
    assert raw is not None
    cause = json.loads(raw)
    assert set(cause) == {"working_directory", "exceptions", "paths"}
    assert Path(cause["working_directory"]) == ROOT / "functions"  # LAMBDA_TASK_ROOT, where bootstrap starts us
    (exc,) = cause["exceptions"]
    assert (exc["message"], exc["type"]) == ("failed before the stream started", "RuntimeError")
    handler_file = str(HANDLERS / "rw_handlers.py")
    assert exc["stack"][0]["label"] == "raise_before"  # starts in the function's code, not in the runtime loop
    assert exc["stack"][0]["path"] == handler_file
    assert isinstance(exc["stack"][0]["line"], int)
    assert cause["paths"] == [handler_file]


def test_a_traced_runtime_fault_is_a_lambda_validation_error_without_stack(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-dict-traced", http_event(), trace_id=TRACE))
        start_runtime(api.address, "rw_handlers.wrong_return")
        (req,) = api.wait_complete("/error")

    cause = json.loads(req.header("lambda-runtime-function-xray-error-cause") or "null")
    (exc,) = cause["exceptions"]
    assert exc["type"] == "LambdaValidationError"
    assert "StreamingResponse" in exc["message"]
    assert (exc["stack"], cause["paths"]) == ([], [])


def test_non_streaming_response_return_is_a_clear_error(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-dict", http_event()))
        start_runtime(api.address, "rw_handlers.wrong_return")
        (req,) = api.wait_complete("/error")

    assert req.header("lambda-runtime-function-error-type") == "Runtime.InvalidResponse"
    doc = json.loads(req.body)
    assert "returned dict" in str(doc["errorMessage"])
    assert "StreamingResponse" in str(doc["errorMessage"])


def test_invalid_event_json_is_reported_and_the_loop_continues(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-bad", b"{not json"), NextSpec("req-good", {"items": ["fine"]}))
        start_runtime(api.address, "rw_handlers.stream_items")
        (err,) = api.wait_complete("/error")
        (ok,) = api.wait_complete("/response")

    assert err.header("lambda-runtime-function-error-type") == "Runtime.UnmarshalError"
    assert ok.chunks == [b"fine"]


def test_an_event_nested_past_the_recursion_limit_is_an_unmarshal_error_posted_at_once(start_runtime) -> None:
    """json.loads raises RecursionError (not ValueError) for it: still one /error, then the next event is served."""
    deep = b"[" * 100_000 + b"]" * 100_000
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-deep", deep), NextSpec("req-after", {"items": ["fine"]}))
        start_runtime(api.address, "rw_handlers.stream_items")
        (err,) = api.wait_complete("/error")
        (ok,) = api.wait_complete("/response")

    assert err.target == f"{BASE}/invocation/req-deep/error"
    assert err.header("lambda-runtime-function-error-type") == "Runtime.UnmarshalError"
    doc = json.loads(err.body)
    assert doc["errorType"] == "Runtime.UnmarshalError"
    assert "RecursionError" in str(doc["errorMessage"])
    assert ok.chunks == [b"fine"]


def test_first_chunk_reaches_the_runtime_api_before_the_handler_produces_the_second(start_runtime, tmp_path) -> None:
    gate = tmp_path / "gate"

    def open_gate(req: Captured, piece: bytes) -> bool:
        if piece == b"one":
            gate.write_text("open")
        return False

    with RuntimeApiStandIn(on_chunk=open_gate) as api:
        api.queue(NextSpec("req-gate", http_event(gate=str(gate))))
        start_runtime(api.address, "rw_handlers.gated")
        (req,) = api.wait_complete("/response", timeout=30)

    # the handler only yields "two" after the stand-in saw "one": had the runtime buffered, it would have raised
    assert req.chunks[1:] == [b"one", b"two", b"three"]
    assert req.trailers == []
    assert req.chunk_times[1] < req.chunk_times[2]


def test_connection_lost_mid_stream_abandons_the_invocation_closes_the_body_and_continues(
    start_runtime, tmp_path
) -> None:
    marker = tmp_path / "closed"
    gate = tmp_path / "gate"

    def drop_on_one(req: Captured, piece: bytes) -> bool:
        if piece == b"one" and "/req-drop/" in req.target:
            gate.write_text("open")  # let the handler write "two" into the dead connection
            return True
        return False

    with RuntimeApiStandIn(on_chunk=drop_on_one) as api:
        api.queue(
            NextSpec("req-drop", http_event(gate=str(gate), closed_marker=str(marker))),
            NextSpec("req-next", {"gate": str(gate)}),
        )
        proc = start_runtime(api.address, "rw_handlers.gated")
        (after,) = api.wait_complete("/response", timeout=30)  # the second invocation completes

    assert after.target.endswith("/req-next/response")
    assert after.chunks == [b"one", b"two", b"three"]
    assert marker.read_text() == "closed"
    assert "abandoned" in proc.log


def test_a_write_blocked_by_a_reader_that_stopped_reading_ends_before_the_deadline(start_runtime, tmp_path) -> None:
    """The Runtime API stops reading the /response connection after the first chunk (a very slow caller pushing back).
    The runtime's write blocks once the socket buffers are full; it must give up before the invocation deadline
    (Lambda-Runtime-Deadline-Ms, runtimes-api.html), close the body and serve the next event, instead of staying
    blocked until Lambda kills the process."""
    release = threading.Event()
    marker = tmp_path / "closed"

    def stall(req: Captured, piece: bytes) -> bool:
        if req.target.endswith("/response"):
            release.wait(30)  # the test releases it once the runtime has moved on to the next event
        return False

    with RuntimeApiStandIn(on_chunk=stall) as api:
        deadline_ms = int(time.time() * 1000) + 2500
        api.queue(
            NextSpec("req-flood", {"closed_marker": str(marker)}, deadline_ms=deadline_ms),
            NextSpec("req-next", {"closed_marker": str(tmp_path / "next-closed"), "count": 1}),
        )
        proc = start_runtime(api.address, "rw_handlers.flood")
        try:
            api.wait_polling(2)  # the runtime gave up the stuck write and asked for the next event
        finally:
            release.set()
        responses = api.wait_for(lambda reqs: len([r for r in reqs if r.target.endswith("/response")]) == 2)
        (ok,) = api.wait_complete("/req-next/response")

    (flooded,) = [r for r in responses if "req-flood" in r.target]
    assert not flooded.complete or trailers_of(flooded)["lambda-runtime-function-error-type"] == (
        "Runtime.ResponseWriteTimeout"
    )
    assert marker.read_text() == "closed"
    assert ok.chunks == [b"x" * 65536]
    assert "Runtime.ResponseWriteTimeout" in proc.log


def test_an_item_produced_past_the_write_deadline_ends_the_body_with_the_error_trailers(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        # ~5 s left when the stream opens: the write margin is 0.5 s and the end margin 0.125 s (stream.MARGIN_SHARE);
        # the second item comes 0.3 s before the deadline, between the two
        deadline_ms = int(time.time() * 1000) + 6000
        api.queue(NextSpec("req-late", {"ms_left": 300}, deadline_ms=deadline_ms))
        start_runtime(api.address, "rw_handlers.late_item")
        (req,) = api.wait_complete("/response")

    assert req.chunks == [b"early"]
    assert trailers_of(req)["lambda-runtime-function-error-type"] == "Runtime.ResponseWriteTimeout"
    assert "read too slowly" in str(decode_error_body(req)["errorMessage"])


def test_body_close_is_called(start_runtime, tmp_path) -> None:
    marker = tmp_path / "closed"
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-close", {"closed_marker": str(marker)}))
        start_runtime(api.address, "rw_handlers.closable")
        (req,) = api.wait_complete("/response")
        api.wait_polling(2)

    assert req.chunks == [b"a", b"b"]
    assert marker.read_text() == "closed"


def test_stale_invocation_410_is_logged_and_the_loop_continues(start_runtime) -> None:
    def reply(req: Captured) -> int:
        return 410 if "/req-stale/" in req.target else 202

    with RuntimeApiStandIn(reply_status=reply) as api:
        api.queue(NextSpec("req-stale", {"items": ["late"]}), NextSpec("req-fresh", {"items": ["on time"]}))
        proc = start_runtime(api.address, "rw_handlers.stream_items")
        api.wait_complete("/response", count=2)
        api.wait_polling(3)
        assert proc.proc.poll() is None  # still serving

    assert "stale invocation" in proc.log


def test_runtime_api_500_makes_the_process_exit(start_runtime) -> None:
    with RuntimeApiStandIn(reply_status=lambda req: 500) as api:
        api.queue(NextSpec("req-500", {"items": ["x"]}))
        proc = start_runtime(api.address, "rw_handlers.stream_items")
        api.wait_complete("/response")
        assert proc.wait(timeout=15) == 1
    assert '"level": "CRITICAL"' in proc.log


@pytest.mark.parametrize(
    ("handler", "error_type", "needle"),
    [
        ("no_such_module_xyz.handle", "Runtime.ImportModuleError", "No module named 'no_such_module_xyz'"),
        ("rw_handlers.missing", "Runtime.HandlerNotFound", "missing"),
        ("rw_handlers.not_callable", "Runtime.HandlerNotFound", "not callable"),
        ("nodots", "Runtime.MalformedHandlerName", "nodots"),
        ("time.handle", "Runtime.BuiltInModuleConflict", "Cannot use built-in module time as a handler module"),
    ],
)
def test_bad_handler_posts_init_error_and_exits_non_zero(start_runtime, handler, error_type, needle) -> None:
    with RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, handler)
        (req,) = api.wait_complete("/init/error")
        assert proc.wait(timeout=15) == 1

    assert (req.method, req.target) == ("POST", f"{BASE}/init/error")
    assert req.header("lambda-runtime-function-error-type") == error_type
    doc = json.loads(req.body)
    assert doc["errorType"] == error_type
    assert needle in str(doc["errorMessage"])
    assert not [r for r in api.requests if r.target == NEXT_PATH]


def test_syntax_error_in_handler_module_is_an_init_error(start_runtime, tmp_path) -> None:
    (tmp_path / "rw_broken_syntax.py").write_text("def handle(event, context)\n    return 1\n")
    with RuntimeApiStandIn() as api:
        proc = start_runtime(api.address, "rw_broken_syntax.handle", PYTHONPATH=str(tmp_path))
        (req,) = api.wait_complete("/init/error")
        assert proc.wait(timeout=15) == 1
    assert req.header("lambda-runtime-function-error-type") == "Runtime.UserCodeSyntaxError"


def test_powertools_inject_lambda_context_reads_our_context(start_runtime) -> None:
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-pt", {}))
        proc = start_runtime(api.address, "rw_handlers.powertools")
        (req,) = api.wait_complete("/response", timeout=30)
        api.wait_polling(2)

    assert req.chunks == [b"pt-ok"]
    (line,) = [json.loads(x) for x in proc.log.splitlines() if "inside powertools handler" in x]
    assert line["function_request_id"] == "req-pt"
    assert line["function_name"] == "wire-test"
    assert str(line["function_memory_size"]) == "512"
    assert line["function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:wire-test"


def test_task_root_without_the_runtime_and_given_relative_still_works(start_runtime, tmp_path) -> None:
    task = tmp_path / "task"
    task.mkdir()
    (task / "rw_task_handler.py").write_text(
        "import json, sys\n"
        "from streaming_runtime import StreamingResponse\n"
        "def handle(event, context):\n"
        "    return StreamingResponse(body=[json.dumps(sys.path).encode()])\n"
    )
    with RuntimeApiStandIn() as api:
        api.queue(NextSpec("req-task", {}))
        start_runtime(api.address, "rw_task_handler.handle", cwd=tmp_path, LAMBDA_TASK_ROOT="task", PYTHONPATH="")
        (req,) = api.wait_complete("/response")

    path = json.loads(req.body)
    assert path[0] == str(task)  # made absolute, first
    assert path[1:3] == [
        f"/opt/python/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages",
        "/opt/python",
    ]
    assert str(Path(__file__).resolve().parents[3] / "functions") in path  # the runtime came from next to the wrapper


def _read_frames(fd: int) -> list[tuple[int, dict[str, object]]]:
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    frames = []
    while data:
        kind, length = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
        frames.append((kind, json.loads(data[16 : 16 + length])))
        data = data[16 + length :]
    return frames


def test_records_go_to_the_telemetry_fd_as_one_json_frame_each_with_the_request_id(start_runtime) -> None:
    """awslambdaric/bootstrap.py ``FramedTelemetryLogSink``: with _LAMBDA_TELEMETRY_LOG_FD, every record of the root
    logger (libraries' too) is one frame, so a traceback is one CloudWatch event; print() stays on stdout."""
    read_end, write_end = os.pipe()
    try:
        with RuntimeApiStandIn() as api:
            api.queue(NextSpec("req-logs", {}))
            proc = start_runtime(
                api.address, "rw_handlers.log_things", pass_fds=(write_end,), _LAMBDA_TELEMETRY_LOG_FD=str(write_end)
            )
            os.close(write_end)
            write_end = -1
            (req,) = api.wait_complete("/response")
            api.wait_polling(2)
            proc.stop()
        frames = _read_frames(read_end)
    finally:
        os.close(read_end)
        if write_end != -1:
            os.close(write_end)

    assert req.chunks == [b"logged"]
    by_message = {doc["message"]: (kind, doc) for kind, doc in frames}
    info_kind, info = by_message["library says hi"]
    assert (info_kind, info["level"], info["logger"], info["requestId"]) == (
        0xA55A000E,
        "INFO",
        "some.library",
        "req-logs",
    )
    error_kind, error = by_message["library failed"]
    assert (error_kind, error["errorType"], error["requestId"]) == (0xA55A0016, "KeyError", "req-logs")
    assert any("log_things" in line for line in error["stackTrace"])  # type: ignore[union-attr]
    assert "library says hi" not in proc.log  # records went to the descriptor, not to stdout
    assert "printed line" in proc.log  # print() is plain stdout, as on the managed runtime
