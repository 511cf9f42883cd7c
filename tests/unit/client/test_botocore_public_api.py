"""The client uses botocore through its public API only: no subclassing of its classes, no private members.

Private names (a leading underscore) are not part of botocore's interface and change between releases; SigV4
signing goes through ``botocore.auth.SigV4Auth(...).add_auth`` (https://github.com/boto/botocore, botocore/auth.py).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.session

CLIENT = Path(__file__).resolve().parents[3] / "client"


def _private_botocore_names() -> set[str]:
    names: set[str] = set()
    for module in (botocore.auth, botocore.awsrequest, botocore.credentials, botocore.session):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            names |= {n for n in vars(cls) if n.startswith("_") and not n.startswith("__")}
    return names


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(CLIENT.glob("*.py"))]


def _own_names() -> set[str]:
    """Names the client defines itself (functions, methods, attributes it assigns)."""
    own: set[str] = set()
    for _, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                own.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                own.add(node.attr)
    return own


def test_no_client_module_touches_a_private_botocore_member() -> None:
    private = _private_botocore_names() - _own_names()
    used = {
        (path.name, node.attr)
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in private
    }
    assert used == set()


def test_no_client_class_subclasses_a_botocore_class() -> None:
    subclasses: set[str] = set()
    for path, tree in _sources():
        imported = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("botocore")
            for alias in node.names
        }
        subclasses |= {
            f"{path.name}:{node.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(isinstance(base, ast.Name) and base.id in imported for base in node.bases)
        }
    assert subclasses == set()
