"""The runtime set (requirements.in, locked in requirements.txt) against the code and what AWS provides.

On AWS nothing from the runtime set is bundled (see infra/streaming_function.py): boto3/botocore come from the
managed python3.14 runtime and Powertools from the Powertools for AWS Lambda (Python) v3 layer whose version the
stack deploys. So the runtime set must be exactly what functions/ and emulator/ import, its Powertools must be the
layer's version, and its boto3/botocore a matching release pair.

AWS does not publish one boto3 version per Python runtime any more: "Runtime-included SDK versions" in
https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html says the included SDK version depends on the runtime
version and the Region, and tells you to print ``boto3.__version__`` from a function to find it. The e2e tier is
where that number can be read; here the pins are checked to be consistent and to be what the tests ran with.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from infra.config import StackConfig
from tests.support.imports import ROOT, scan
from tests.unit.test_layering import EXCEPTIONS

RUNTIME_PACKAGES = ("functions/streaming_runtime", "functions/bedrock_stream", "emulator")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``{normalized name: version}`` of every ``name==version`` line of a requirements file."""
    return {_normal(name): version for name, version in _PIN.findall(path.read_text(encoding="utf-8"))}


def _runtime_imports() -> set[str]:
    """Top-level third-party modules imported by the function and the emulator (build-time scripts excluded)."""
    own = {Path(package).name for package in RUNTIME_PACKAGES}
    found: set[str] = set()
    for package in RUNTIME_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            extra = EXCEPTIONS.get(str(path.relative_to(ROOT)), (frozenset(), ""))[0]
            found.update(name.split(".")[0] for name in scan(path).modules)
            found -= extra
    return found - set(sys.stdlib_module_names) - {"__future__"} - own


def _top_level_modules(distribution: str) -> set[str]:
    files = metadata.files(distribution) or []
    return {Path(str(file)).parts[0].removesuffix(".py") for file in files if str(file).endswith(".py")}


def test_the_runtime_set_is_what_the_function_and_the_emulator_import() -> None:
    provider = {module: name for name in pins(ROOT / "requirements.txt") for module in _top_level_modules(name)}
    imported = _runtime_imports()
    assert sorted(imported - set(provider)) == [], "imported by the function or the emulator, not in the runtime set"
    assert {provider[module] for module in imported} == set(pins(ROOT / "requirements.in"))


def test_the_locks_pin_the_inputs_and_agree_with_each_other() -> None:
    runtime_lock = pins(ROOT / "requirements.txt")
    dev_lock = pins(ROOT / "requirements-dev.txt")
    inputs = pins(ROOT / "requirements.in") | pins(ROOT / "requirements-dev.in")
    assert {name: runtime_lock[name] for name in pins(ROOT / "requirements.in")} == pins(ROOT / "requirements.in")
    assert {name: dev_lock.get(name) for name in inputs} == inputs
    assert {name: dev_lock.get(name) for name in runtime_lock} == runtime_lock


def test_every_line_of_the_locks_carries_a_hash() -> None:
    for lock in ("requirements.txt", "requirements-dev.txt"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text(encoding="utf-8"))
        unhashed = [entry.split()[0] for entry in entries if "==" in entry and "--hash=sha256:" not in entry]
        assert unhashed == [], lock


def test_the_environment_runs_the_locked_runtime_set() -> None:
    installed = {name: metadata.version(name) for name in pins(ROOT / "requirements.txt")}
    assert installed == pins(ROOT / "requirements.txt")


def test_boto3_and_botocore_are_one_release_pair() -> None:
    locked = pins(ROOT / "requirements.txt")
    botocore = next(
        Requirement(line)
        for line in metadata.requires("boto3") or []
        if Requirement(line).name == "botocore" and Requirement(line).marker is None
    )
    assert botocore.specifier.contains(locked["botocore"]), f"boto3 {locked['boto3']} needs {botocore}"


def test_powertools_is_the_layer_version_the_stack_deploys() -> None:
    default = next(f.default for f in dataclasses.fields(StackConfig) if f.name == "powertools_version")
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"].get("powertoolsVersion", default)
    locked = pins(ROOT / "requirements.txt")["aws-lambda-powertools"]
    assert (default, context) == (locked, locked)
