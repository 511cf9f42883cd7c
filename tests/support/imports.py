"""What a Python file imports, read from its syntax tree (no code executed); used by the dependency tests.

Relative imports are resolved as the file's package sees them (``functions/`` is on the path, as
``LAMBDA_TASK_ROOT`` is on Lambda), and ``importlib.import_module("x")`` / ``__import__("x")`` count as imports of
``x``; a dynamic import of a computed name is reported by line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Found:
    """What one file imports: absolute dotted names, and the lines of dynamic imports with a computed name."""

    modules: frozenset[str]
    computed: tuple[int, ...]


def _module_parts(path: Path) -> list[str]:
    """Dotted name of ``path`` as an import sees it (``functions/`` is on the path, like ``LAMBDA_TASK_ROOT``)."""
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "functions":
        relative = relative.relative_to("functions")
    parts = list(relative.with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _is_dynamic_import(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in {"__import__", "import_module"}
    if isinstance(func, ast.Attribute):
        return func.attr in {"import_module", "__import__"}
    return False


def scan(path: Path) -> Found:
    """Every module ``path`` imports, statically or through a literal dynamic import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_parts(path) if path.name == "__init__.py" else _module_parts(path)[:-1]  # what `.` means
    modules: set[str] = set()
    computed: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = [*base, *(node.module.split(".") if node.module else [])]
            modules.update(".".join([*module, alias.name]) for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            argument = node.args[0] if node.args else None
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                modules.add(argument.value)
            else:
                computed.append(node.lineno)
    return Found(frozenset(modules), tuple(computed))
