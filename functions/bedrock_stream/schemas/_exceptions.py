"""The exception the generated validators raise (stands in for ``fastjsonschema.JsonSchemaValueException``).

The generated code in ``_compiled.py`` imports these names from here instead of from fastjsonschema, so the
function does not need fastjsonschema at runtime. Constructor signature as fastjsonschema 2.x calls it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["JsonSchemaValueException", "JsonSchemaValuesException"]


class JsonSchemaValueException(ValueError):
    """A value violates the schema. ``name`` is the path (``data.messages[0].role``), ``rule`` the keyword."""

    def __init__(
        self,
        message: str,
        value: Any = None,
        name: str | None = None,
        definition: Any = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule

    @property
    def path(self) -> str:
        """The JSON path of the offending value without the ``data`` root (``messages[0].role``)."""
        name = self.name or "data"
        return name[len("data") :].lstrip(".") if name.startswith("data") else name


class JsonSchemaValuesException(JsonSchemaValueException):
    """Several violations at once (only raised by fastjsonschema's detailed mode, which we do not use)."""
