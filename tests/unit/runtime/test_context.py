"""Invocation headers from /next parsed into an Invocation and a LambdaContext (no sockets)."""

from __future__ import annotations

import json
import time

import pytest

from streaming_runtime.context import FunctionInfo, LambdaContext, lower_headers, parse_invocation
from streaming_runtime.errors import FatalRuntimeApiError, InvalidEventError

FULL = {
    "Lambda-Runtime-Aws-Request-Id": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
    "Lambda-Runtime-Deadline-Ms": "1542409706888",
    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime",
    "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
    "Lambda-Runtime-Client-Context": json.dumps(
        {"client": {"installation_id": "i-1", "app_title": "App", "app_package_name": "pkg"}, "custom": {"a": 1}}
    ),
    "Lambda-Runtime-Cognito-Identity": json.dumps({"cognitoIdentityId": "cid", "cognitoIdentityPoolId": "pool"}),
    "Lambda-Runtime-Aws-Tenant-Id": "tenant-1",
    "Lambda-Runtime-Invocation-Id": "nonce-1",
    "Content-Type": "application/json",
}
ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "fn",
    "AWS_LAMBDA_FUNCTION_VERSION": "7",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
    "AWS_LAMBDA_LOG_STREAM_NAME": "stream-1",
}


def test_all_headers_are_parsed() -> None:
    inv = parse_invocation(FULL, b'{"k": 1}')
    assert inv.request_id == "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
    assert inv.deadline_ms == 1542409706888
    assert inv.invoked_function_arn.endswith(":function:custom-runtime")
    assert inv.trace_id is not None
    assert inv.trace_id.startswith("Root=1-5bef4de7")
    assert inv.client_context is not None
    assert inv.client_context.client is not None
    assert inv.client_context.client.app_title == "App"
    assert inv.client_context.client.installation_id == "i-1"
    assert inv.client_context.custom == {"a": 1}
    assert inv.client_context.env is None
    assert (inv.identity.cognito_identity_id, inv.identity.cognito_identity_pool_id) == ("cid", "pool")
    assert inv.tenant_id == "tenant-1"
    assert inv.invocation_id == "nonce-1"
    assert inv.payload == b'{"k": 1}'


def test_header_names_are_case_insensitive() -> None:
    inv = parse_invocation({k.lower(): v for k, v in FULL.items()}, b"{}")
    assert inv.invocation_id == "nonce-1"
    assert inv.tenant_id == "tenant-1"
    upper = parse_invocation({k.upper(): v for k, v in FULL.items()}, b"{}")
    assert upper.request_id == inv.request_id


def test_optional_headers_absent() -> None:
    inv = parse_invocation({"lambda-runtime-aws-request-id": "r", "lambda-runtime-deadline-ms": "5"}, b"{}")
    assert inv.trace_id is None
    assert inv.client_context is None
    assert inv.identity.cognito_identity_id is None
    assert inv.identity.cognito_identity_pool_id is None
    assert inv.tenant_id is None
    assert inv.invocation_id is None
    assert inv.invoked_function_arn == ""


def test_missing_request_id_is_fatal() -> None:
    with pytest.raises(FatalRuntimeApiError, match="Lambda-Runtime-Aws-Request-Id"):
        parse_invocation({"Lambda-Runtime-Deadline-Ms": "1"}, b"{}")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("Lambda-Runtime-Deadline-Ms", "soon", "not an integer"),
        ("Lambda-Runtime-Client-Context", "{nope", "not valid JSON"),
        ("Lambda-Runtime-Cognito-Identity", "[1]", "JSON object"),
        ("Lambda-Runtime-Client-Context", "[" * 100_000, "RecursionError"),
    ],
)
def test_malformed_headers_are_invalid_event_errors(name: str, value: str, message: str) -> None:
    with pytest.raises(InvalidEventError, match=message) as info:
        parse_invocation({**FULL, name: value}, b"{}")
    assert info.value.error_type == "Runtime.UnmarshalError"


def test_context_has_the_managed_runtime_attribute_names() -> None:
    deadline = int(time.time() * 1000) + 30_000
    inv = parse_invocation({**FULL, "Lambda-Runtime-Deadline-Ms": str(deadline)}, b"{}")
    ctx = LambdaContext(inv, FunctionInfo.from_env(ENV))
    assert ctx.aws_request_id == inv.request_id
    assert ctx.invoked_function_arn == inv.invoked_function_arn
    assert (ctx.function_name, ctx.function_version, ctx.memory_limit_in_mb) == ("fn", "7", "1024")
    assert (ctx.log_group_name, ctx.log_stream_name) == ("/aws/lambda/fn", "stream-1")
    assert ctx.identity.cognito_identity_id == "cid"
    assert ctx.client_context is inv.client_context
    assert ctx.tenant_id == "tenant-1"
    assert ctx.invocation_id == "nonce-1"
    assert ctx.deadline_ms == deadline
    assert 25_000 < ctx.get_remaining_time_in_millis() <= 30_000
    assert "fn" in repr(ctx)


def test_remaining_time_never_negative() -> None:
    inv = parse_invocation({**FULL, "Lambda-Runtime-Deadline-Ms": "1000"}, b"{}")
    assert LambdaContext(inv, FunctionInfo()).get_remaining_time_in_millis() == 0


def test_function_info_missing_env_is_none() -> None:
    assert FunctionInfo.from_env({}) == FunctionInfo()


def test_lower_headers() -> None:
    assert lower_headers([("A-B", "1"), ("a-b", "2"), ("C", "3")]) == {"a-b": "2", "c": "3"}
