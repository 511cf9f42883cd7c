"""SnapStart runtime hooks: the public registry for handlers (``register_before_snapshot``, ``register_after_restore``).

Same names, signatures and order as AWS's Snapshot Restore for Python library (aws/snapshot-restore-py,
snapshot_restore_py.py) and its runner in aws/aws-lambda-python-runtime-interface-client
(awslambdaric/lambda_runtime_hooks_runner.py): each call stores ``(func, args, kwargs)`` and returns ``func``, so both
work as plain calls and as decorators; before-snapshot hooks run last registered first (each one taken off the
registry as it runs), after-restore hooks in registration order (AWS Lambda developer guide,
snapstart-runtime-hooks-python.html). ``functions/snapshot_restore_py.py`` re-exports these functions, so a handler
written for AWS's module registers into this registry. Stdlib only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "Hook",
    "get_after_restore",
    "get_before_snapshot",
    "register_after_restore",
    "register_before_snapshot",
    "run_after_restore",
    "run_before_snapshot",
]

F = TypeVar("F", bound=Callable[..., Any])

#: One registration: the callable and the arguments it is called with.
Hook = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]

_before_snapshot: list[Hook] = []
_after_restore: list[Hook] = []


def register_before_snapshot(func: F, *args: Any, **kwargs: Any) -> F:
    """Run ``func(*args, **kwargs)`` just before Lambda takes the snapshot; returns ``func`` (usable as a decorator)."""
    _before_snapshot.append((func, args, kwargs))
    return func


def register_after_restore(func: F, *args: Any, **kwargs: Any) -> F:
    """Run ``func(*args, **kwargs)`` right after Lambda resumes from the snapshot; returns ``func`` (decorator)."""
    _after_restore.append((func, args, kwargs))
    return func


def get_before_snapshot() -> list[Hook]:
    """The live list of before-snapshot registrations, oldest first."""
    return _before_snapshot


def get_after_restore() -> list[Hook]:
    """The live list of after-restore registrations, oldest first."""
    return _after_restore


def run_before_snapshot() -> None:
    """Call the before-snapshot hooks, last registered first, removing each before it runs; an exception stops the
    run and propagates (the hooks after it are not called)."""
    while _before_snapshot:
        func, args, kwargs = _before_snapshot.pop()
        func(*args, **kwargs)


def run_after_restore() -> None:
    """Call the after-restore hooks in registration order; an exception stops the run and propagates."""
    for func, args, kwargs in list(_after_restore):
        func(*args, **kwargs)
