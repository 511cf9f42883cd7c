"""The dependency rules of docs/architecture.md ("Packages and dependency rules"), checked on the import graph
(ast, no code executed).

Three kinds of rules, one table each:

- ``RULES``: what each package (every folder with an ``__init__.py`` at the top level or in ``functions/``, and every
  top-level module) may import besides the standard library and itself. A package without a row fails.
- ``LAYERS``: inside a package, what each part (sub-package or module) may import from its siblings. Every
  sub-package needs a row.
- Dynamic imports count: ``importlib.import_module("x")`` and ``__import__("x")`` are imports of ``x``; a call with
  a computed name is only allowed at the sites in ``COMPUTED_IMPORTS``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.imports import ROOT, scan

STDLIB = sys.stdlib_module_names | {"__future__"}
ANYTHING = None  # a package whose imports are not restricted

# package (path relative to ROOT) -> top-level modules it may import besides the stdlib and itself
RULES: dict[str, frozenset[str] | None] = {
    "functions/streaming_runtime": frozenset(),
    "functions/snapshot_restore_py.py": frozenset({"streaming_runtime"}),
    "functions/bedrock_stream": frozenset({"streaming_runtime", "boto3", "botocore", "aws_lambda_powertools"}),
    "emulator": frozenset({"boto3", "botocore"}),
    "client": frozenset({"botocore", "boto3", "httpx", "streamlit"}),
    "infra": frozenset({"aws_cdk", "constructs", "cdk_nag"}),
    "app.py": frozenset({"aws_cdk", "constructs", "cdk_nag", "infra"}),
    "bench": frozenset(
        {
            "emulator",
            "streaming_runtime",
            "bedrock_stream",
            "client",
            "boto3",
            "botocore",
            "httpx",
            "fastapi",
            "starlette",
            "uvicorn",
            "matplotlib",
        }
    ),
    "tests": ANYTHING,
}

# one file -> extra top-level modules it alone may import, and why
EXCEPTIONS: dict[str, tuple[frozenset[str], str]] = {
    "functions/bedrock_stream/schemas/generate.py": (
        frozenset({"fastjsonschema"}),
        "build-time script behind `make schemas`; the function imports only the generated _compiled.py",
    ),
}

# package -> part -> the sibling parts it may import (parts without a row: every sibling but those in FORBIDDEN)
LAYERS: dict[str, dict[str, frozenset[str]]] = {
    "functions/bedrock_stream": {
        "events": frozenset(),
        "errors": frozenset(),
        "settings": frozenset(),
        "chat": frozenset({"events"}),
        "negotiation": frozenset({"errors"}),
        "schemas": frozenset(),
        "bedrock": frozenset({"chat", "errors", "events", "settings"}),
        "encoders": frozenset({"errors", "events", "negotiation"}),
        "rest_event": frozenset(),
        "api_keys": frozenset({"errors", "plan", "settings", "bedrock.token_limits"}),
    },
    "emulator": {
        "fake_bedrock": frozenset({"chunked", "eventstream", "http_base"}),
        "bandwidth": frozenset(),
        "rest_event": frozenset({"url_event"}),
        "api_gateway": frozenset({"bandwidth", "function_url", "http_base", "invocation", "prelude", "rest_event"}),
    },
}

# package -> part -> the only parts that may import it: the handler wires the boto3 source into the Bedrock-agnostic
# app. Only the pure-data modules of a guarded part in OPEN_MODULES (model-id parsing, the family registry, each
# family's token-limit field) are open to every part whose layer rule allows it.
FORBIDDEN: dict[str, dict[str, frozenset[str]]] = {
    "functions/bedrock_stream": {"bedrock": frozenset({"handler"}), "handler": frozenset()},
}
OPEN_MODULES: dict[str, dict[str, frozenset[str]]] = {
    "functions/bedrock_stream": {"bedrock": frozenset({"registry", "families", "token_limits"})},
}

# files whose import_module / __import__ takes a computed name, and why
COMPUTED_IMPORTS: dict[str, str] = {
    "functions/streaming_runtime/handler.py": "imports the module named by _HANDLER, as Lambda's own runtime does",
}


def discovered_packages() -> list[str]:
    """Every package folder (top level and ``functions/*``) and every top-level module of the repository and of
    ``functions/``."""
    folders = [*ROOT.glob("*/__init__.py"), *ROOT.glob("functions/*/__init__.py")]
    packages = {str(init.parent.relative_to(ROOT)) for init in folders}
    packages.update(path.name for path in ROOT.glob("*.py"))
    packages.update(str(path.relative_to(ROOT)) for path in ROOT.glob("functions/*.py"))
    return sorted(packages)


def _files(package: str) -> list[Path]:
    target = ROOT / package
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


def _own_name(package: str) -> str:
    return Path(package).stem


@pytest.mark.parametrize("package", discovered_packages())
def test_package_imports_only_what_its_rule_allows(package: str) -> None:
    assert package in RULES, f"{package} has no row in RULES: say what it may import"
    allowed = RULES[package]
    if allowed is ANYTHING:
        return
    offenders: list[str] = []
    for path in _files(package):
        relative = str(path.relative_to(ROOT))
        extra = EXCEPTIONS.get(relative, (frozenset(), ""))[0]
        tops = {name.split(".")[0] for name in scan(path).modules}
        for name in sorted(tops - STDLIB - allowed - extra - {_own_name(package)}):
            offenders.append(f"{relative} imports {name}")
    assert offenders == []


def _part(package: str, path: Path) -> str:
    """The first component below ``package``: its sub-package or module name (``__init__`` for the package's own)."""
    relative = path.relative_to(ROOT / package)
    return relative.parts[0].removesuffix(".py")


def _sibling_imports(package: str, path: Path) -> set[str]:
    """The parts of ``package`` that ``path`` imports; an open module of a part counts as ``part.module``."""
    own = _own_name(package)
    open_modules = OPEN_MODULES.get(package, {})
    parts: set[str] = set()
    for name in scan(path).modules:
        components = name.split(".")
        if components[0] == own and len(components) > 1:
            part = components[1]
            if len(components) > 2 and components[2] in open_modules.get(part, frozenset()):
                part = f"{part}.{components[2]}"
            parts.add(part)
    own_part = _part(package, path)
    return {part for part in parts if part.split(".")[0] != own_part}


@pytest.mark.parametrize("package", sorted(name for name, rule in RULES.items() if rule is not ANYTHING))
def test_every_subpackage_has_a_layer_rule(package: str) -> None:
    target = ROOT / package
    subpackages = {init.parent.name for init in target.glob("*/__init__.py")} if target.is_dir() else set()
    assert sorted(subpackages - set(LAYERS.get(package, {}))) == []


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_parts_of_a_package_import_only_their_allowed_siblings(package: str) -> None:
    rules = LAYERS[package]
    guarded = FORBIDDEN.get(package, {})
    offenders: list[str] = []
    for path in _files(package):
        part = _part(package, path)
        for sibling in sorted(_sibling_imports(package, path)):
            allowed = sibling in rules[part] if part in rules else True
            if sibling in guarded and part not in guarded[sibling]:
                allowed = False
            if not allowed:
                offenders.append(f"{path.relative_to(ROOT)} ({part}) imports {package}/{sibling}")
    assert offenders == []


def test_dynamic_imports_name_their_module_except_at_the_known_sites() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports a computed module name"
        for package in RULES
        if RULES[package] is not ANYTHING
        for path in _files(package)
        if str(path.relative_to(ROOT)) not in COMPUTED_IMPORTS
        for line in scan(path).computed
    ]
    assert offenders == []


def test_nothing_but_tests_bench_and_dev_imports_emulator() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}"
        for package in ("functions/streaming_runtime", "functions/bedrock_stream", "client", "infra", "app.py")
        for path in _files(package)
        if any(name.split(".")[0] == "emulator" for name in scan(path).modules)
    ]
    assert offenders == []
