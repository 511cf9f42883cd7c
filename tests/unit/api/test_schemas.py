"""The committed compiled validators match the JSON Schemas, and they need no fastjsonschema at runtime."""

from __future__ import annotations

import json
from pathlib import Path

from bedrock_stream.schemas import generate

SCHEMAS = Path(generate.__file__).parent


def test_compiled_module_is_up_to_date() -> None:
    assert generate.TARGET.read_text(encoding="utf-8") == generate.render(), "stale: run `make schemas`"


def test_compiled_module_is_standalone() -> None:
    source = generate.TARGET.read_text(encoding="utf-8")
    assert "import fastjsonschema" not in source
    assert "from fastjsonschema" not in source


def test_schemas_are_valid_json_documents() -> None:
    for name in generate.SCHEMAS.values():
        schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        assert schema["type"] == "object"
        assert schema["title"]
