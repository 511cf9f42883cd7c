"""streaming_runtime.hooks: registration and run order of the SnapStart runtime hooks.

Expected behaviour from aws/snapshot-restore-py (snapshot_restore_py.py) and
aws/aws-lambda-python-runtime-interface-client (awslambdaric/lambda_runtime_hooks_runner.py); AWS Lambda developer
guide, snapstart-runtime-hooks-python.html.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import snapshot_restore_py

from streaming_runtime import hooks


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    """Each test starts with empty registries; whatever was registered before is put back afterwards."""
    saved = (list(hooks.get_before_snapshot()), list(hooks.get_after_restore()))
    hooks.get_before_snapshot().clear()
    hooks.get_after_restore().clear()
    yield
    hooks.get_before_snapshot()[:] = saved[0]
    hooks.get_after_restore()[:] = saved[1]


def test_before_snapshot_hooks_run_last_registered_first_with_their_arguments() -> None:
    ran: list[object] = []
    hooks.register_before_snapshot(ran.append, "first")
    hooks.register_before_snapshot(lambda *a, **k: ran.append((a, k)), 1, 2, key="v")

    @hooks.register_before_snapshot
    def third() -> None:
        ran.append("third")

    hooks.run_before_snapshot()
    assert ran == ["third", ((1, 2), {"key": "v"}), "first"]
    assert hooks.get_before_snapshot() == []  # each one is taken off as it runs, as AWS's runner pops them


def test_after_restore_hooks_run_in_registration_order() -> None:
    ran: list[str] = []
    hooks.register_after_restore(ran.append, "a")
    hooks.register_after_restore(ran.append, "b")
    hooks.run_after_restore()
    assert ran == ["a", "b"]


def test_decorators_return_the_function_unchanged() -> None:
    def hook() -> str:
        return "same"

    assert hooks.register_before_snapshot(hook) is hook
    assert hooks.register_after_restore(hook) is hook
    assert hooks.get_before_snapshot() == [(hook, (), {})]
    assert hooks.get_after_restore() == [(hook, (), {})]


def test_a_failing_hook_stops_the_run_and_propagates() -> None:
    ran: list[str] = []

    def boom() -> None:
        raise ValueError("no")

    hooks.register_after_restore(ran.append, "before the failure")
    hooks.register_after_restore(boom)
    hooks.register_after_restore(ran.append, "never")
    with pytest.raises(ValueError, match="no"):
        hooks.run_after_restore()
    assert ran == ["before the failure"]


def test_snapshot_restore_py_registers_into_the_same_registry() -> None:
    """Handlers written for AWS's module (``from snapshot_restore_py import ...``) reach our runtime's registry."""
    snapshot_restore_py.register_before_snapshot(print, "b")
    snapshot_restore_py.register_after_restore(print, "a")
    assert hooks.get_before_snapshot() == [(print, ("b",), {})]
    assert hooks.get_after_restore() == [(print, ("a",), {})]
    assert snapshot_restore_py.get_before_snapshot() is hooks.get_before_snapshot()
    assert snapshot_restore_py.get_after_restore() is hooks.get_after_restore()
