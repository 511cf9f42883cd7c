"""``POST /model/{modelId}/invoke``: the model-native InvokeModel body, checked only for what Bedrock cannot.

The model id must be in the allowlist (403) and the body a JSON object (400); everything else is the model's
own contract and goes to InvokeModelWithResponseStream unchanged.
"""

from __future__ import annotations

from bedrock_stream.errors import InvalidRequestError
from bedrock_stream.plan import Invoke, SurfaceRequest
from bedrock_stream.validation import check_model

__all__ = ["invoke_plan"]


def invoke_plan(call: SurfaceRequest) -> Invoke:
    """The surface parser of ``POST /model/{modelId}/invoke``."""
    model = check_model(call.params["modelId"], call.settings)
    if not isinstance(call.json(), dict):
        raise InvalidRequestError("the model-native body must be a JSON object", field="$")
    return Invoke(model=model, body=call.request.body)
