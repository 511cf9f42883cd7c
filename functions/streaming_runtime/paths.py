"""``sys.path`` as the managed Python runtime orders it: task root, layer site-packages, ``/opt/python``, defaults.

The stock ``bootstrap.py`` of the managed runtime puts these first; an exec wrapper that replaces it must restore them
(AWS Lambda developer guide, python-package.html#python-package-searchpath and packaging-layers.html).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

__all__ = ["install_sys_path", "layer_paths", "search_path"]


def layer_paths(version: tuple[int, int]) -> list[str]:
    """The two layer directories for a Python ``(major, minor)``."""
    return [f"/opt/python/lib/python{version[0]}.{version[1]}/site-packages", "/opt/python"]


def search_path(current: list[str], task_root: str | None, version: tuple[int, int]) -> list[str]:
    """``current`` reordered: task root, then the layer directories, then every other entry in its order."""
    head = ([os.path.abspath(task_root)] if task_root else []) + layer_paths(version)
    rest = [entry for entry in current if (os.path.abspath(entry) if entry else entry) not in head]
    return head + rest


def install_sys_path(environ: Mapping[str, str]) -> None:
    """Apply ``search_path`` to ``sys.path`` in place, with ``LAMBDA_TASK_ROOT`` from ``environ``."""
    sys.path[:] = search_path(sys.path, environ.get("LAMBDA_TASK_ROOT"), (sys.version_info[0], sys.version_info[1]))
