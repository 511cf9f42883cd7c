"""Resolve the handler named by ``_HANDLER`` (``module.function``, module importable from ``LAMBDA_TASK_ROOT``).

Error types follow the managed Python runtime (``Runtime.MalformedHandlerName``, ``Runtime.BuiltInModuleConflict``,
``Runtime.ImportModuleError``, ``Runtime.UserCodeSyntaxError``, ``Runtime.HandlerNotFound``): AWS Lambda developer
guide, python-handler.html and runtimes-api.html ("Initialization error"), and ``_get_handler`` in
aws/aws-lambda-python-runtime-interface-client, awslambdaric/bootstrap.py (the built-in module check).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from streaming_runtime.errors import (
    BuiltInModuleConflictError,
    HandlerNotFoundError,
    ImportModuleError,
    MalformedHandlerError,
    UserCodeSyntaxError,
)

__all__ = ["Handler", "resolve_handler"]

#: ``handle(event, context) -> StreamingResponse``
Handler = Callable[[Any, Any], Any]


def _split(spec: str) -> tuple[str, str]:
    module_name, dot, function_name = spec.strip().replace("/", ".").rpartition(".")
    if not dot or not module_name or not function_name or module_name.startswith("."):
        raise MalformedHandlerError(f"Bad handler '{spec}': expected 'module.function', e.g. 'app.handler.handle'")
    return module_name, function_name


def resolve_handler(spec: str | None) -> Handler:
    """Import the module of ``spec`` and return its callable. Raises a ``RuntimeFault`` subclass on any failure."""
    if not spec:
        raise MalformedHandlerError("_HANDLER is not set: expected 'module.function'")
    module_name, function_name = _split(spec)
    if module_name.split(".", 1)[0] in sys.builtin_module_names:
        raise BuiltInModuleConflictError(
            f"Cannot use built-in module {module_name} as a handler module: rename the handler's module "
            f"(_HANDLER={spec!r})"
        )
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise UserCodeSyntaxError(f"Syntax error in module '{module_name}': {exc}") from exc
    except ImportError as exc:
        raise ImportModuleError(f"Unable to import module '{module_name}': {exc}") from exc
    except Exception as exc:
        raise ImportModuleError(f"Unable to import module '{module_name}': {type(exc).__name__}: {exc}") from exc
    handler = getattr(module, function_name, None)
    if handler is None:
        raise HandlerNotFoundError(f"Handler '{function_name}' missing on module '{module_name}'")
    if not callable(handler):
        raise HandlerNotFoundError(f"Handler '{function_name}' on module '{module_name}' is not callable")
    return handler  # type: ignore[no-any-return]
