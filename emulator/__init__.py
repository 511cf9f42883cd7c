"""Local, offline stand-ins for AWS (dev and test only, never deployed).

A local Function URL front, a local Lambda Runtime API, a process launcher that starts the function as
Lambda would, and a fake Bedrock Runtime speaking the real event-stream wire format. Stdlib only.

``LocalLambda`` (the whole stack in process) and ``BedrockOptions`` are re-exported here; importing them does not
import the fake Bedrock.
"""

from __future__ import annotations

from emulator.local import BedrockOptions, EmulatorError, LocalLambda

__all__ = ["BedrockOptions", "EmulatorError", "LocalLambda"]
