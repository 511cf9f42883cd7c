"""A small Lambda runtime client for Python that streams responses (Runtime API, streaming mode).

Handlers have the signature ``handle(event, context) -> StreamingResponse``. Stdlib only.
"""

from streaming_runtime.context import LambdaContext
from streaming_runtime.response import StreamingResponse

__all__ = ["LambdaContext", "StreamingResponse"]
