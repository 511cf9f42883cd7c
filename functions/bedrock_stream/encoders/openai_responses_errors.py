"""The Response object's own ``error`` member (``openai.types.responses.ResponseError``).

Error *answers* use the OpenAI shape shared with Chat Completions (``openai_common.openai_error_body``); this is only
the ``error`` a failed ``response`` object carries, whose ``code`` is a closed list in the OpenAI API reference
(https://platform.openai.com/docs/api-reference/responses/object).
"""

from __future__ import annotations

from typing import Any

from bedrock_stream.errors import AppError

__all__ = ["response_error"]


def response_error(exc: AppError) -> dict[str, Any]:
    """The Response object's ``error``: ``rate_limit_exceeded`` for a 429, else ``server_error``."""
    code = "rate_limit_exceeded" if exc.status_code == 429 else "server_error"
    return {"code": code, "message": exc.message}
