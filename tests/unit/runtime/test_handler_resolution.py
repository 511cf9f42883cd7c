"""Resolving ``_HANDLER`` and the init error types (imports only, no sockets)."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from streaming_runtime.__main__ import _init_without_gc
from streaming_runtime.errors import (
    BuiltInModuleConflictError,
    HandlerNotFoundError,
    ImportModuleError,
    MalformedHandlerError,
    UserCodeSyntaxError,
)
from streaming_runtime.handler import resolve_handler


def test_resolves_module_function() -> None:
    resolved: object = resolve_handler("json.dumps")
    assert resolved is json.dumps
    by_path: object = resolve_handler("json/decoder.JSONDecoder")
    assert by_path is json.decoder.JSONDecoder  # path style, as Lambda allows


@pytest.mark.parametrize("spec", [None, "", "nodot", ".func", "module.", "  "])
def test_malformed_names(spec: str | None) -> None:
    with pytest.raises(MalformedHandlerError) as info:
        resolve_handler(spec)
    assert info.value.error_type == "Runtime.MalformedHandlerName"


@pytest.mark.parametrize("spec", ["sys.handler", "time.handle", "builtins.handle", "sys.sub.handle"])
def test_a_handler_module_named_like_a_built_in_module_is_refused(spec: str) -> None:
    """Importing ``sys`` would hand back the interpreter's own module (awslambdaric/bootstrap.py, ``_get_handler``)."""
    with pytest.raises(BuiltInModuleConflictError, match="Cannot use built-in module") as info:
        resolve_handler(spec)
    assert info.value.error_type == "Runtime.BuiltInModuleConflict"


def test_missing_module() -> None:
    with pytest.raises(ImportModuleError, match="Unable to import module 'no_such_mod_q': No module named") as info:
        resolve_handler("no_such_mod_q.handle")
    assert info.value.error_type == "Runtime.ImportModuleError"


def test_missing_and_non_callable_attributes() -> None:
    with pytest.raises(HandlerNotFoundError, match="Handler 'nope' missing on module 'json'"):
        resolve_handler("json.nope")
    with pytest.raises(HandlerNotFoundError, match="not callable"):
        resolve_handler("json.__doc__")


def test_syntax_and_import_time_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rt_unit_syntax_mod.py").write_text("def handle(:\n")
    (tmp_path / "rt_unit_raising_mod.py").write_text("raise RuntimeError('config missing')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(UserCodeSyntaxError) as syntax:
        resolve_handler("rt_unit_syntax_mod.handle")
    assert syntax.value.error_type == "Runtime.UserCodeSyntaxError"
    with pytest.raises(ImportModuleError, match="RuntimeError: config missing"):
        resolve_handler("rt_unit_raising_mod.handle")


def test_init_pauses_the_gc_freezes_init_objects_and_always_re_enables_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rt_unit_gc_probe.py").write_text("import gc\nGC_ON_IMPORT = gc.isenabled()\ndef handle(e, c): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert gc.isenabled()
    try:
        resolved: Any = _init_without_gc("rt_unit_gc_probe.handle")
        assert sys.modules["rt_unit_gc_probe"].GC_ON_IMPORT is False  # paused while the module was imported
        assert resolved is sys.modules["rt_unit_gc_probe"].handle
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        with pytest.raises(ImportModuleError):
            _init_without_gc("no_such_mod_q.handle")
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        sys.modules.pop("rt_unit_gc_probe", None)
