"""The stub's tool inputs: a minimal instance of each JSON Schema, valid per fastjsonschema (draft 7)
(https://json-schema.org/understanding-json-schema/reference)."""

from __future__ import annotations

from typing import Any

import fastjsonschema
import pytest

from emulator.fake_bedrock.schema_instance import minimal_instance

SCHEMAS: list[dict[str, Any]] = [
    {},
    {"type": "object"},
    {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False},
    {"type": ["null", "integer"], "minimum": 5},
    {"type": "string", "minLength": 9, "maxLength": 9},
    {"type": "string", "maxLength": 2},
    {"type": "string", "format": "date-time"},
    {"const": {"fixed": [1, 2]}},
    {"enum": ["b", "a"]},
    {"type": "integer", "minimum": -10, "maximum": -4, "multipleOf": 3},
    {"type": "number", "exclusiveMinimum": 2.5, "exclusiveMaximum": 4},
    {"type": "integer", "exclusiveMaximum": 0},
    {"type": "boolean"},
    {"type": "array", "items": {"type": "object", "required": ["x"]}, "minItems": 2},
    {"type": "array", "items": [{"type": "string"}, {"type": "integer", "minimum": 1}], "minItems": 2},
    {"anyOf": [{"type": "string", "minLength": 2}, {"type": "integer"}]},
    {"oneOf": [{"type": "object", "required": ["kind"], "properties": {"kind": {"const": "a"}}}]},
    {"allOf": [{"required": ["a"]}, {"required": ["b"], "properties": {"b": {"type": "integer", "minimum": 3}}}]},
    {"type": "object", "minProperties": 2, "properties": {"p": {"type": "boolean"}, "q": {"type": "null"}}},
    {
        "definitions": {"point": {"type": "object", "required": ["x", "y"], "properties": {"x": {"type": "number"}}}},
        "type": "object",
        "required": ["from", "to"],
        "properties": {"from": {"$ref": "#/definitions/point"}, "to": {"$ref": "#/definitions/point"}},
    },
    {
        "$defs": {
            "tree": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}}
        },
        "$ref": "#/$defs/tree",
    },
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_minimal_instance_is_valid(schema: dict[str, Any]) -> None:
    fastjsonschema.compile(schema)(minimal_instance(schema))


def test_instances_are_minimal_and_deterministic() -> None:
    schema = SCHEMAS[2] | {"properties": {"a": {"type": "string"}, "optional": {"type": "integer"}}}
    assert minimal_instance(schema) == {"a": "stub"}
    assert minimal_instance(SCHEMAS[9]) == -6
    assert minimal_instance(SCHEMAS[10]) == 3
    assert minimal_instance("not a schema") == {}
