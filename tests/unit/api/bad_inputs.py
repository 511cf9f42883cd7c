"""The bad-input table shared by the unit and functional tests: (id, method, path, headers, body, status, type).

``body`` is bytes (sent as is) or any JSON value (serialized). Every case must be rejected before Bedrock.
"""

from __future__ import annotations

import json
from typing import Any

MODEL_PATH = "/model/anthropic.claude-3-haiku-20240307-v1:0/invoke"
USER = [{"role": "user", "content": "Hi"}]
OAI = "/v1/chat/completions"
MSG = "/v1/messages"
ANT = {"anthropic-version": "2023-06-01", "x-api-key": "unused"}
"""Headers as the Anthropic SDK sends them (not checked: authentication is the Function URL's)."""
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"


def msg(**fields: Any) -> dict[str, Any]:
    """A valid Messages body for the test deployment, with ``fields`` replaced (None removes a field)."""
    body: dict[str, Any] = {"model": CLAUDE, "max_tokens": 50, "messages": USER, **fields}
    return {key: value for key, value in body.items() if value is not None}


def user(*blocks: dict[str, Any]) -> list[dict[str, Any]]:
    """One user message holding ``blocks``."""
    return [{"role": "user", "content": list(blocks)}]


IMG_URL = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
IMG_BAD = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "not base64!"}}
DOC_URL = {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}}
TOOL = {"name": "f", "input_schema": {"type": "object"}}
INV = "invalid_request_error"
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
"""A 1x1 PNG, base64."""


def oai_user(*parts: dict[str, Any]) -> dict[str, Any]:
    """A Chat Completions body with one user message holding ``parts``."""
    return {"messages": [{"role": "user", "content": list(parts)}]}


def oai_image(url: str) -> dict[str, Any]:
    """An ``image_url`` content part."""
    return {"type": "image_url", "image_url": {"url": url}}


def oai_file(data: str, filename: str = "notes.txt") -> dict[str, Any]:
    """A ``file`` content part."""
    return {"type": "file", "file": {"file_data": data, "filename": filename}}


OAI_PNG = oai_image(f"data:image/png;base64,{PNG_1PX}")
OAI_TEXT_FILE = oai_file("data:text/plain;base64,aGVsbG8=")
DEEP = "[" * 900 + "]" * 900
"""JSON arrays nested 900 levels: parses in Python, but far past the documented nesting limit (64)."""
OAI_DEEP_TOOL = (
    '{"messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function", '
    '"function": {"name": "f", "parameters": {"type": "object", "x": ' + DEEP + "}}}]}"
).encode()
OAI_DEEP_ARGUMENTS = (
    '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "tool_calls": [{"id": "t1", '
    '"type": "function", "function": {"name": "f", "arguments": "{\\"x\\": ' + DEEP + '}"}}]}, '
    '{"role": "tool", "tool_call_id": "t1", "content": "r"}]}'
).encode()

BAD_INPUTS: list[tuple[str, str, str, dict[str, str], Any, int, str]] = [
    ("empty-body", "POST", "/", {}, b"", 400, "invalid_request"),
    ("whitespace-body", "POST", "/", {}, b"  \n", 400, "invalid_request"),
    ("invalid-json", "POST", "/", {}, b"{not json", 400, "invalid_request"),
    ("truncated-json", "POST", "/", {}, b'{"prompt": "Hi"', 400, "invalid_request"),
    ("non-utf8", "POST", "/", {}, b'{"prompt": "\xff\xfe"}', 400, "invalid_request"),
    ("array-body", "POST", "/", {}, [1, 2], 400, "invalid_request"),
    ("string-body", "POST", "/", {}, "hello", 400, "invalid_request"),
    ("no-prompt-or-messages", "POST", "/", {}, {}, 400, "invalid_request"),
    ("prompt-and-messages", "POST", "/", {}, {"prompt": "a", "messages": USER}, 400, "invalid_request"),
    ("prompt-wrong-type", "POST", "/", {}, {"prompt": 42}, 400, "invalid_request"),
    ("prompt-empty", "POST", "/", {}, {"prompt": ""}, 400, "invalid_request"),
    ("prompt-blank", "POST", "/", {}, {"prompt": " \n\t"}, 400, "invalid_request"),
    ("system-blank", "POST", "/", {}, {"prompt": "a", "system": "  "}, 400, "invalid_request"),
    (
        "content-block-blank",
        "POST",
        "/",
        {},
        {"messages": [{"role": "user", "content": [{"text": " "}]}]},
        400,
        "invalid_request",
    ),
    ("unknown-field", "POST", "/", {}, {"prompt": "a", "temprature": 1}, 400, "invalid_request"),
    ("bad-role", "POST", "/", {}, {"messages": [{"role": "system", "content": "a"}]}, 400, "invalid_request"),
    ("empty-messages", "POST", "/", {}, {"messages": []}, 400, "invalid_request"),
    (
        "last-not-user",
        "POST",
        "/",
        {},
        {"messages": [*USER, {"role": "assistant", "content": "x"}]},
        400,
        "invalid_request",
    ),
    (
        "bad-content-block",
        "POST",
        "/",
        {},
        {"messages": [{"role": "user", "content": [{"image": 1}]}]},
        400,
        "invalid_request",
    ),
    ("temperature-too-high", "POST", "/", {}, {"prompt": "a", "temperature": 1.5}, 400, "invalid_request"),
    ("temperature-string", "POST", "/", {}, {"prompt": "a", "temperature": "hot"}, 400, "invalid_request"),
    ("temperature-nan", "POST", "/", {}, b'{"prompt": "a", "temperature": NaN}', 400, "invalid_request"),
    ("top-p-negative-infinity", "POST", "/", {}, b'{"prompt": "a", "top_p": -Infinity}', 400, "invalid_request"),
    ("max-tokens-zero", "POST", "/", {}, {"prompt": "a", "max_tokens": 0}, 400, "invalid_request"),
    ("max-tokens-above-cap", "POST", "/", {}, {"prompt": "a", "max_tokens": 999_999}, 400, "invalid_request"),
    ("max-tokens-float", "POST", "/", {}, {"prompt": "a", "max_tokens": 1.5}, 400, "invalid_request"),
    ("stop-too-many", "POST", "/", {}, {"prompt": "a", "stop": ["a", "b", "c", "d", "e"]}, 400, "invalid_request"),
    ("stream-not-bool", "POST", "/", {}, {"prompt": "a", "stream": "yes"}, 400, "invalid_request"),
    ("model-not-allowed", "POST", "/", {}, {"prompt": "a", "model": "evil.model-v1"}, 403, "model_not_allowed"),
    ("too-large", "POST", "/", {}, {"prompt": "x" * 5000}, 413, "payload_too_large"),
    ("unknown-format", "POST", "/?format=xml", {}, {"prompt": "a"}, 406, "not_acceptable"),
    ("unacceptable-accept", "POST", "/", {"accept": "image/png"}, {"prompt": "a"}, 406, "not_acceptable"),
    (
        "accept-refused-then-wildcard",
        "POST",
        "/",
        {"accept": "text/plain;q=0, */*"},
        {"prompt": "a"},
        406,
        "not_acceptable",
    ),
    ("unknown-route", "POST", "/v2/everything", {}, {"prompt": "a"}, 404, "not_found"),
    ("wrong-method-root", "GET", "/", {}, None, 405, "method_not_allowed"),
    ("wrong-method-models", "DELETE", "/models", {}, None, 405, "method_not_allowed"),
    ("openai-n-2", "POST", OAI, {}, {"messages": USER, "n": 2}, 400, INV),
    ("openai-user-blank", "POST", OAI, {}, {"messages": [{"role": "user", "content": "  "}]}, 400, INV),
    ("openai-no-messages", "POST", OAI, {}, {"model": "x"}, 400, INV),
    ("openai-bad-role", "POST", OAI, {}, {"messages": [{"role": "robot", "content": "a"}]}, 400, INV),
    ("openai-logprobs", "POST", OAI, {}, {"messages": USER, "logprobs": True}, 400, INV),
    (
        "openai-top-p-nan",
        "POST",
        OAI,
        {},
        b'{"messages": [{"role": "user", "content": "a"}], "top_p": NaN}',
        400,
        INV,
    ),
    ("openai-empty-user", "POST", OAI, {}, {"messages": [{"role": "user", "content": ""}]}, 400, INV),
    ("openai-null-user", "POST", OAI, {}, {"messages": [{"role": "user", "content": None}]}, 400, INV),
    (
        "openai-tool-arguments-not-object",
        "POST",
        OAI,
        {},
        {
            "messages": [
                *USER,
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "[1]"}}],
                },
                {"role": "tool", "tool_call_id": "t1", "content": "r"},
            ]
        },
        400,
        INV,
    ),
    (
        "openai-both-limits",
        "POST",
        OAI,
        {},
        {"messages": USER, "max_tokens": 5, "max_completion_tokens": 5},
        400,
        INV,
    ),
    (
        "openai-tool-choice-unknown",
        "POST",
        OAI,
        {},
        {
            "messages": USER,
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "tool_choice": {"type": "function", "function": {"name": "g"}},
        },
        400,
        INV,
    ),
    ("oai-image-https-url", "POST", OAI, {}, oai_user(oai_image("https://example.com/a.png")), 400, INV),
    ("oai-image-http-url", "POST", OAI, {}, oai_user(oai_image("HTTP://example.com/a.png")), 400, INV),
    ("oai-image-not-data-url", "POST", OAI, {}, oai_user(oai_image("file:///etc/passwd")), 400, INV),
    ("oai-image-not-base64", "POST", OAI, {}, oai_user(oai_image("data:image/png;base64,%%%")), 400, INV),
    ("oai-image-svg", "POST", OAI, {}, oai_user(oai_image(f"data:image/svg+xml;base64,{PNG_1PX}")), 400, INV),
    ("oai-image-no-url", "POST", OAI, {}, oai_user({"type": "image_url", "image_url": {}}), 400, INV),
    ("oai-image-21", "POST", OAI, {}, oai_user(*[OAI_PNG] * 21), 400, INV),
    (
        "oai-image-in-assistant",
        "POST",
        OAI,
        {},
        {"messages": [*USER, {"role": "assistant", "content": [OAI_PNG]}, *USER]},
        400,
        INV,
    ),
    ("oai-image-in-system", "POST", OAI, {}, {"messages": [{"role": "system", "content": [OAI_PNG]}, *USER]}, 400, INV),
    ("oai-file-id", "POST", OAI, {}, oai_user({"type": "file", "file": {"file_id": "file-abc"}}), 400, INV),
    ("oai-file-https-url", "POST", OAI, {}, oai_user(oai_file("https://example.com/a.pdf")), 400, INV),
    ("oai-file-docx", "POST", OAI, {}, oai_user(oai_file("data:application/msword;base64,aGVsbG8=")), 400, INV),
    ("oai-file-unknown-type", "POST", OAI, {}, oai_user(oai_file("aGVsbG8=", filename="a.exe")), 400, INV),
    ("oai-file-empty", "POST", OAI, {}, oai_user(oai_file("data:text/plain;base64,")), 400, INV),
    ("oai-file-6", "POST", OAI, {}, oai_user(*[OAI_TEXT_FILE] * 6), 400, INV),
    ("oai-part-unknown-type", "POST", OAI, {}, oai_user({"type": "input_audio", "input_audio": {}}), 400, INV),
    ("oai-response-format-unknown", "POST", OAI, {}, {"messages": USER, "response_format": {"type": "xml"}}, 400, INV),
    (
        "oai-json-schema-no-schema",
        "POST",
        OAI,
        {},
        {"messages": USER, "response_format": {"type": "json_schema", "json_schema": {"name": "x"}}},
        400,
        INV,
    ),
    (
        "oai-json-schema-not-object",
        "POST",
        OAI,
        {},
        {"messages": USER, "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": "{}"}}},
        400,
        INV,
    ),
    ("oai-reasoning-not-a-level", "POST", OAI, {}, {"messages": USER, "reasoning_effort": "huge"}, 400, INV),
    ("oai-reasoning-model-cannot", "POST", OAI, {}, {"messages": USER, "reasoning_effort": "high"}, 400, INV),
    ("oai-service-tier-unknown", "POST", OAI, {}, {"messages": USER, "service_tier": "gold"}, 400, INV),
    ("oai-penalty-out-of-range", "POST", OAI, {}, {"messages": USER, "presence_penalty": 3}, 400, INV),
    ("oai-logit-bias-not-object", "POST", OAI, {}, {"messages": USER, "logit_bias": [1]}, 400, INV),
    ("openai-model-not-allowed", "POST", OAI, {}, {"messages": USER, "model": "gpt-4o"}, 403, "permission_error"),
    ("invoke-not-allowed", "POST", "/model/evil.model-v1/invoke", {}, {"prompt": "a"}, 403, "model_not_allowed"),
    ("invoke-not-json", "POST", MODEL_PATH, {}, b"<xml/>", 400, "invalid_request"),
    ("invoke-empty", "POST", MODEL_PATH, {}, b"", 400, "invalid_request"),
    ("invoke-array", "POST", MODEL_PATH, {}, [1], 400, "invalid_request"),
    ("openai-tool-parameters-900-deep", "POST", OAI, {}, OAI_DEEP_TOOL, 400, INV),
    ("openai-tool-arguments-900-deep", "POST", OAI, {}, OAI_DEEP_ARGUMENTS, 400, INV),
    ("body-nested-2000-deep", "POST", "/", {}, b"[" * 2000 + b"]" * 2000, 400, "invalid_request"),
    ("prompt-unpaired-surrogate", "POST", "/", {}, b'{"prompt": "hi \\ud800"}', 400, "invalid_request"),
    (
        "message-unpaired-low-surrogate",
        "POST",
        "/",
        {},
        b'{"messages": [{"role": "user", "content": [{"text": "\\udc00 x"}]}]}',
        400,
        "invalid_request",
    ),
    ("system-unpaired-surrogate", "POST", "/", {}, b'{"prompt": "a", "system": ["\\udbff"]}', 400, "invalid_request"),
    ("member-name-unpaired-surrogate", "POST", "/", {}, b'{"prompt": "a", "\\ud800": 1}', 400, "invalid_request"),
    (
        "openai-content-unpaired-surrogate",
        "POST",
        OAI,
        {},
        b'{"messages": [{"role": "user", "content": "smile \\ud83d"}]}',
        400,
        INV,
    ),
    (
        "openai-tool-parameters-overflowing-number",
        "POST",
        OAI,
        {},
        b'{"messages": [{"role": "user", "content": "a"}], "tools": [{"type": "function", '
        b'"function": {"name": "f", "parameters": {"type": "object", "maximum": 1e999}}}]}',
        400,
        INV,
    ),
    ("invoke-body-900-deep", "POST", MODEL_PATH, {}, ('{"x": ' + DEEP + "}").encode(), 400, "invalid_request"),
    ("messages-no-model", "POST", MSG, ANT, msg(model=None), 400, INV),
    ("messages-no-max-tokens", "POST", MSG, ANT, msg(max_tokens=None), 400, INV),
    ("messages-max-tokens-above-cap", "POST", MSG, ANT, msg(max_tokens=999_999), 400, INV),
    ("messages-empty-list", "POST", MSG, ANT, msg(messages=[]), 400, INV),
    ("messages-blank-text", "POST", MSG, ANT, msg(messages=user({"type": "text", "text": " "})), 400, INV),
    ("messages-unknown-block", "POST", MSG, ANT, msg(messages=user({"type": "search_result"})), 400, INV),
    ("messages-unknown-field", "POST", MSG, ANT, msg(temprature=1), 400, INV),
    ("messages-bad-role", "POST", MSG, ANT, msg(messages=[{"role": "system", "content": "a"}]), 400, INV),
    ("messages-image-url", "POST", MSG, ANT, msg(messages=user(IMG_URL)), 400, INV),
    ("messages-image-not-base64", "POST", MSG, ANT, msg(messages=user(IMG_BAD)), 400, INV),
    ("messages-document-url", "POST", MSG, ANT, msg(messages=user(DOC_URL)), 400, INV),
    (
        "messages-tool-use-from-user",
        "POST",
        MSG,
        ANT,
        msg(messages=user({"type": "tool_use", "id": "t", "name": "f", "input": {}})),
        400,
        INV,
    ),
    (
        "messages-first-is-assistant",
        "POST",
        MSG,
        ANT,
        msg(messages=[{"role": "assistant", "content": "a"}, *USER]),
        400,
        INV,
    ),
    (
        "messages-tool-choice-unknown",
        "POST",
        MSG,
        ANT,
        msg(tools=[TOOL], tool_choice={"type": "tool", "name": "g"}),
        400,
        INV,
    ),
    ("messages-tool-choice-without-tools", "POST", MSG, ANT, msg(tool_choice={"type": "any"}), 400, INV),
    (
        "messages-server-tool",
        "POST",
        MSG,
        ANT,
        msg(tools=[{"type": "web_search_20250305", "name": "web_search"}]),
        400,
        INV,
    ),
    (
        "messages-thinking-budget-small",
        "POST",
        MSG,
        ANT,
        msg(thinking={"type": "enabled", "budget_tokens": 10}),
        400,
        INV,
    ),
    (
        "messages-thinking-budget-over-max",
        "POST",
        MSG,
        ANT,
        msg(max_tokens=1024, thinking={"type": "enabled", "budget_tokens": 1024}),
        400,
        INV,
    ),
    ("messages-top-k-negative", "POST", MSG, ANT, msg(top_k=-1), 400, INV),
    ("messages-temperature-too-high", "POST", MSG, ANT, msg(temperature=1.5), 400, INV),
    ("messages-stream-not-bool", "POST", MSG, ANT, msg(stream="yes"), 400, INV),
    ("messages-invalid-json", "POST", MSG, ANT, b"{not json", 400, INV),
    ("messages-array-body", "POST", MSG, ANT, [1], 400, INV),
    ("messages-too-large", "POST", MSG, ANT, msg(system="x" * 5000), 413, INV),
    ("messages-model-not-allowed", "POST", MSG, ANT, msg(model="claude-opus-4-1-20250805"), 403, "permission_error"),
    ("count-tokens-no-messages", "POST", f"{MSG}/count_tokens", ANT, {"model": CLAUDE}, 400, INV),
    (
        "count-tokens-model-not-allowed",
        "POST",
        f"{MSG}/count_tokens",
        ANT,
        {"model": "evil.model-v1", "messages": USER},
        403,
        "permission_error",
    ),
    ("v1-models-limit-zero", "GET", "/v1/models?limit=0", ANT, None, 400, INV),
    ("v1-models-unknown-after-id", "GET", "/v1/models?after_id=nope", ANT, None, 400, INV),
    ("v1-models-post", "POST", "/v1/models", {}, {}, 405, "method_not_allowed"),
    ("v1-models-post-anthropic", "POST", "/v1/models", ANT, {}, 405, INV),
    ("messages-get", "GET", MSG, ANT, None, 405, INV),
]

RSP = "/v1/responses"
OAI_INV = "invalid_request_error"
"""The OpenAI error type of every 400 on /v1/responses (OpenAI's error shape)."""


def rsp(**fields: Any) -> dict[str, Any]:
    """A valid Responses body for the test deployment, with ``fields`` replaced (None removes a field)."""
    body: dict[str, Any] = {"model": CLAUDE, "input": "Hi", **fields}
    return {key: value for key, value in body.items() if value is not None}


def call_item(arguments: str) -> list[dict[str, Any]]:
    """A function-call round trip whose call has ``arguments``."""
    return [
        {"role": "user", "content": "Hi"},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": arguments},
        {"type": "function_call_output", "call_id": "c1", "output": "r"},
    ]


RSP_TOOL = {"type": "function", "name": "f", "parameters": {"type": "object"}}
RSP_DEEP_TOOL = (
    '{"input": "Hi", "tools": [{"type": "function", "name": "f", "parameters": {"type": "object", "x": ' + DEEP + "}}]}"
).encode()

BAD_INPUTS += [
    ("responses-empty-body", "POST", RSP, {}, b"", 400, OAI_INV),
    ("responses-invalid-json", "POST", RSP, {}, b"{not json", 400, OAI_INV),
    ("responses-array-body", "POST", RSP, {}, [1], 400, OAI_INV),
    ("responses-no-input", "POST", RSP, {}, {"model": CLAUDE}, 400, OAI_INV),
    ("responses-input-empty-string", "POST", RSP, {}, rsp(input=""), 400, OAI_INV),
    ("responses-input-blank", "POST", RSP, {}, rsp(input=" \n"), 400, OAI_INV),
    ("responses-input-empty-list", "POST", RSP, {}, rsp(input=[]), 400, OAI_INV),
    ("responses-input-number", "POST", RSP, {}, rsp(input=42), 400, OAI_INV),
    ("responses-unknown-field", "POST", RSP, {}, rsp(temprature=1), 400, OAI_INV),
    ("responses-store-true", "POST", RSP, {}, rsp(store=True), 400, OAI_INV),
    ("responses-previous-response-id", "POST", RSP, {}, rsp(previous_response_id="resp_1"), 400, OAI_INV),
    ("responses-background-true", "POST", RSP, {}, rsp(background=True), 400, OAI_INV),
    ("responses-conversation", "POST", RSP, {}, rsp(conversation="conv_1"), 400, OAI_INV),
    ("responses-item-reference", "POST", RSP, {}, rsp(input=[{"type": "item_reference", "id": "msg_1"}]), 400, OAI_INV),
    ("responses-item-without-type-or-role", "POST", RSP, {}, rsp(input=[{"content": "Hi"}]), 400, OAI_INV),
    ("responses-message-bad-role", "POST", RSP, {}, rsp(input=[{"role": "tool", "content": "Hi"}]), 400, OAI_INV),
    ("responses-message-blank", "POST", RSP, {}, rsp(input=[{"role": "user", "content": "  "}]), 400, OAI_INV),
    ("responses-message-no-parts", "POST", RSP, {}, rsp(input=[{"role": "user", "content": []}]), 400, OAI_INV),
    (
        "responses-first-message-assistant",
        "POST",
        RSP,
        {},
        rsp(input=[{"role": "assistant", "content": "Hi"}]),
        400,
        OAI_INV,
    ),
    (
        "responses-output-text-in-user-message",
        "POST",
        RSP,
        {},
        rsp(input=[{"role": "user", "content": [{"type": "output_text", "text": "x"}]}]),
        400,
        OAI_INV,
    ),
    ("responses-arguments-not-json", "POST", RSP, {}, rsp(input=call_item("{oops")), 400, OAI_INV),
    ("responses-arguments-not-object", "POST", RSP, {}, rsp(input=call_item("[1]")), 400, OAI_INV),
    ("responses-arguments-too-deep", "POST", RSP, {}, rsp(input=call_item('{"x": ' + DEEP + "}")), 400, OAI_INV),
    (
        "responses-output-without-call-id",
        "POST",
        RSP,
        {},
        rsp(input=[{"role": "user", "content": "Hi"}, {"type": "function_call_output", "output": "r"}]),
        400,
        OAI_INV,
    ),
    (
        "responses-image-url-not-data",
        "POST",
        RSP,
        {},
        rsp(input=[{"role": "user", "content": [{"type": "input_image", "image_url": "https://example.com/a.png"}]}]),
        400,
        OAI_INV,
    ),
    (
        "responses-image-bad-base64",
        "POST",
        RSP,
        {},
        rsp(input=[{"role": "user", "content": [{"type": "input_image", "image_url": "data:image/png;base64,!!"}]}]),
        400,
        OAI_INV,
    ),
    (
        "responses-image-file-id",
        "POST",
        RSP,
        {},
        rsp(input=[{"role": "user", "content": [{"type": "input_image", "file_id": "file-1"}]}]),
        400,
        OAI_INV,
    ),
    ("responses-builtin-tool", "POST", RSP, {}, rsp(tools=[{"type": "web_search"}]), 400, OAI_INV),
    ("responses-tool-bad-name", "POST", RSP, {}, rsp(tools=[{**RSP_TOOL, "name": "a b"}]), 400, OAI_INV),
    ("responses-tool-parameters-too-deep", "POST", RSP, {}, RSP_DEEP_TOOL, 400, OAI_INV),
    ("responses-tool-choice-without-tools", "POST", RSP, {}, rsp(tool_choice="required"), 400, OAI_INV),
    (
        "responses-tool-choice-unknown-tool",
        "POST",
        RSP,
        {},
        rsp(tools=[RSP_TOOL], tool_choice={"type": "function", "name": "g"}),
        400,
        OAI_INV,
    ),
    ("responses-tool-choice-bad", "POST", RSP, {}, rsp(tool_choice="sometimes"), 400, OAI_INV),
    ("responses-json-object-format", "POST", RSP, {}, rsp(text={"format": {"type": "json_object"}}), 400, OAI_INV),
    (
        "responses-json-schema-without-schema",
        "POST",
        RSP,
        {},
        rsp(text={"format": {"type": "json_schema", "name": "x"}}),
        400,
        OAI_INV,
    ),
    ("responses-temperature-too-high", "POST", RSP, {}, rsp(temperature=2), 400, OAI_INV),
    ("responses-max-output-tokens-over-cap", "POST", RSP, {}, rsp(max_output_tokens=999_999), 400, OAI_INV),
    ("responses-max-output-tokens-zero", "POST", RSP, {}, rsp(max_output_tokens=0), 400, OAI_INV),
    (
        "responses-reasoning-no-room",
        "POST",
        RSP,
        {},
        rsp(reasoning={"effort": "low"}, max_output_tokens=99),
        400,
        OAI_INV,
    ),
    ("responses-reasoning-bad-effort", "POST", RSP, {}, rsp(reasoning={"effort": "max"}), 400, OAI_INV),
    ("responses-top-logprobs", "POST", RSP, {}, rsp(top_logprobs=5), 400, OAI_INV),
    ("responses-stream-not-bool", "POST", RSP, {}, rsp(stream="yes"), 400, OAI_INV),
    ("responses-too-large", "POST", RSP, {}, rsp(instructions="x" * 5000), 413, OAI_INV),
    ("responses-model-not-allowed", "POST", RSP, {}, rsp(model="gpt-5"), 403, "permission_error"),
    ("responses-get", "GET", RSP, {}, None, 405, OAI_INV),
]

UI = "/v1/ui/chat"
UI_USER = {"id": "u1", "role": "user", "parts": [{"type": "text", "text": "Hi"}]}


def ui(*messages: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A DefaultChatTransport body for the test deployment (``messages`` default to one user text)."""
    body: dict[str, Any] = {"id": "c", "messages": list(messages) or [UI_USER], "trigger": "submit-message", **fields}
    return {key: value for key, value in body.items() if value is not None}


def ui_assistant(*parts: dict[str, Any]) -> dict[str, Any]:
    """An assistant UIMessage holding ``parts``."""
    return {"id": "a1", "role": "assistant", "parts": list(parts)}


UI_TOOL_DONE = {"type": "tool-f", "toolCallId": "c1", "state": "output-available", "input": {}, "output": "r"}
UI_DEEP = (
    '{"messages": [{"role": "user", "parts": [{"type": "text", "text": "Hi"}]}], "tools": {"f": {"inputSchema": '
    '{"type": "object", "x": ' + DEEP + "}}}}"
).encode()

BAD_INPUTS += [
    ("ui-empty-body", "POST", UI, {}, b"", 400, "invalid_request"),
    ("ui-invalid-json", "POST", UI, {}, b"{not json", 400, "invalid_request"),
    ("ui-array-body", "POST", UI, {}, [UI_USER], 400, "invalid_request"),
    ("ui-no-messages", "POST", UI, {}, {"id": "c", "trigger": "submit-message"}, 400, "invalid_request"),
    ("ui-empty-messages", "POST", UI, {}, {"messages": []}, 400, "invalid_request"),
    ("ui-unknown-field", "POST", UI, {}, ui(temprature=1), 400, "invalid_request"),
    ("ui-bad-trigger", "POST", UI, {}, ui(trigger="explode"), 400, "invalid_request"),
    ("ui-bad-role", "POST", UI, {}, ui({"role": "tool", "parts": []}), 400, "invalid_request"),
    ("ui-parts-not-array", "POST", UI, {}, ui({"role": "user", "parts": "Hi"}), 400, "invalid_request"),
    ("ui-part-without-type", "POST", UI, {}, ui({"role": "user", "parts": [{"text": "Hi"}]}), 400, "invalid_request"),
    (
        "ui-text-not-string",
        "POST",
        UI,
        {},
        ui({"role": "user", "parts": [{"type": "text", "text": 5}]}),
        400,
        "invalid_request",
    ),
    ("ui-text-missing", "POST", UI, {}, ui({"role": "user", "parts": [{"type": "text"}]}), 400, "invalid_request"),
    (
        "ui-only-blank-text",
        "POST",
        UI,
        {},
        ui({"role": "user", "parts": [{"type": "text", "text": "  "}]}),
        400,
        "invalid_request",
    ),
    (
        "ui-file-part",
        "POST",
        UI,
        {},
        ui({"role": "user", "parts": [{"type": "file", "mediaType": "image/png", "url": "https://example.com/a.png"}]}),
        400,
        "invalid_request",
    ),
    ("ui-tool-part-from-user", "POST", UI, {}, ui({"role": "user", "parts": [UI_TOOL_DONE]}), 400, "invalid_request"),
    (
        "ui-unknown-part",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({"type": "hologram"}), UI_USER),
        400,
        "invalid_request",
    ),
    ("ui-assistant-first", "POST", UI, {}, ui(ui_assistant({"type": "text", "text": "Hi"})), 400, "invalid_request"),
    (
        "ui-assistant-last",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({"type": "text", "text": "Hi"})),
        400,
        "invalid_request",
    ),
    (
        "ui-tool-input-not-object",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({**UI_TOOL_DONE, "input": "x"})),
        400,
        "invalid_request",
    ),
    (
        "ui-tool-output-missing",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({k: v for k, v in UI_TOOL_DONE.items() if k != "output"})),
        400,
        "invalid_request",
    ),
    (
        "ui-tool-no-call-id",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({k: v for k, v in UI_TOOL_DONE.items() if k != "toolCallId"})),
        400,
        "invalid_request",
    ),
    (
        "ui-dynamic-tool-no-name",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({**UI_TOOL_DONE, "type": "dynamic-tool"})),
        400,
        "invalid_request",
    ),
    (
        "ui-tool-call-id-bad-chars",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({**UI_TOOL_DONE, "toolCallId": "a b"})),
        400,
        "invalid_request",
    ),
    (
        "ui-tool-part-bad-name",
        "POST",
        UI,
        {},
        ui(UI_USER, ui_assistant({**UI_TOOL_DONE, "type": "tool-a.b"})),
        400,
        "invalid_request",
    ),
    ("ui-bad-tool-name", "POST", UI, {}, ui(tools={"no spaces!": {}}), 400, "invalid_request"),
    (
        "ui-tool-choice-unknown",
        "POST",
        UI,
        {},
        ui(tools={"f": {}}, toolChoice={"type": "tool", "toolName": "g"}),
        400,
        "invalid_request",
    ),
    ("ui-tool-choice-without-tools", "POST", UI, {}, ui(toolChoice="required"), 400, "invalid_request"),
    ("ui-bad-reasoning-effort", "POST", UI, {}, ui(reasoningEffort="ultra"), 400, "invalid_request"),
    (
        "ui-reasoning-unsupported-model",
        "POST",
        UI,
        {},
        ui(reasoningEffort="high", model="amazon.nova-lite-v1:0"),
        400,
        "invalid_request",
    ),
    ("ui-temperature-too-high", "POST", UI, {}, ui(temperature=3), 400, "invalid_request"),
    ("ui-max-tokens-over-cap", "POST", UI, {}, ui(maxOutputTokens=10**9), 400, "invalid_request"),
    ("ui-deep-schema", "POST", UI, {}, UI_DEEP, 400, "invalid_request"),
    ("ui-too-large", "POST", UI, {}, ui(system="x" * 5000), 413, "payload_too_large"),
    ("ui-model-not-allowed", "POST", UI, {}, ui(model="evil.model-v1"), 403, "model_not_allowed"),
    ("ui-get", "GET", UI, {}, None, 405, "method_not_allowed"),
]

MAX_BODY_BYTES = 4096
"""The body limit the bad-input tests configure (so ``too-large`` stays small)."""


def encode_body(body: Any) -> bytes | None:
    """The raw request body for a table entry."""
    if body is None:
        return None
    return body if isinstance(body, bytes) else json.dumps(body).encode()
