"""``snapshot_restore_py`` for handlers written for AWS's SnapStart hook library, backed by ``streaming_runtime.hooks``.

The managed Python runtimes ship AWS's Snapshot Restore for Python library (https://pypi.org/project/snapshot-restore-py/,
aws/snapshot-restore-py), but its registry is run only by AWS's own runtime client, which the exec wrapper replaces.
This module sits at the task root, first on ``sys.path``, so ``from snapshot_restore_py import register_after_restore``
in any handler registers into the registry our runtime runs (AWS Lambda developer guide,
snapstart-runtime-hooks-python.html). Same public names: ``register_before_snapshot``, ``register_after_restore``,
``get_before_snapshot``, ``get_after_restore``.
"""

from __future__ import annotations

from streaming_runtime.hooks import (
    get_after_restore,
    get_before_snapshot,
    register_after_restore,
    register_before_snapshot,
)

__all__ = ["get_after_restore", "get_before_snapshot", "register_after_restore", "register_before_snapshot"]
