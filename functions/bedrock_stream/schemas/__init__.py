"""Request JSON Schemas (published API documentation) and their validators compiled ahead of time.

The ``*.json`` files are the source of truth; ``_compiled.py`` is generated from them by
``make schemas`` (``schemas/generate.py``) with fastjsonschema's ``compile_to_code`` and
needs no third-party import at runtime. ``tests/unit/api/test_schemas.py`` fails when it is stale.
"""

from __future__ import annotations

from bedrock_stream.schemas._compiled import (
    validate_anthropic_messages_request,
    validate_native_request,
    validate_openai_chat_request,
    validate_openai_responses_request,
    validate_ui_chat_request,
)
from bedrock_stream.schemas._exceptions import JsonSchemaValueException

__all__ = [
    "JsonSchemaValueException",
    "validate_anthropic_messages_request",
    "validate_native_request",
    "validate_openai_chat_request",
    "validate_openai_responses_request",
    "validate_ui_chat_request",
]
