"""A fake Amazon Bedrock Runtime that real boto3 consumes like the service (stdlib only, dev and test only).

Public API: :class:`FakeBedrock` (stub or replay server with in-process fault scripting), the fault types,
:class:`ScriptedReply` (byte-exact answers a test scripts through ``FakeBedrock.responder``), and
:func:`stub_text`, the deterministic stub answer for a prompt. The stub also calls tools, answers tool results,
reasons and reports prompt-cache counts when a request asks (``converse.py``, ``anthropic_invoke.py``). See
docs/bedrock-formats.md ("The fake Bedrock").
"""

from __future__ import annotations

from emulator.fake_bedrock.families import Family, family_for, parse_invoke, prompt_of
from emulator.fake_bedrock.faults import (
    DropAfter,
    ErrorFrameAfter,
    ExceptionAfter,
    Fault,
    HttpError,
    StallAfter,
    TruncateFinalFrame,
)
from emulator.fake_bedrock.scripted import Responder, ScriptedReply
from emulator.fake_bedrock.server import FakeBedrock, RecordedRequest, split_frames
from emulator.fake_bedrock.stub import split_deltas, stub_text

__all__ = [
    "DropAfter",
    "ErrorFrameAfter",
    "ExceptionAfter",
    "FakeBedrock",
    "Family",
    "Fault",
    "HttpError",
    "RecordedRequest",
    "Responder",
    "ScriptedReply",
    "StallAfter",
    "TruncateFinalFrame",
    "family_for",
    "parse_invoke",
    "prompt_of",
    "split_deltas",
    "split_frames",
    "stub_text",
]
