"""Browser tests: the chat page (web/dist/) in headless Chromium, driven by Playwright, against the real emulator
over the stub fake Bedrock.

The browser is Debian's ``chromium`` package (``make browser-deps`` installs it; Playwright never downloads one):
launched through ``executable_path``. Without it (or without the ``playwright`` package) the tests are skipped with
the reason, except under ``CI=true``, where they fail: CI must run them. The page must be built first (``make web``;
``make pytest`` does it). Screenshots go to ``test-artifacts/browser/`` (gitignored); the run's summary names the folder
(tests/support/browser_artifacts.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from emulator.web_static import WEB_DIST
from tests.support.browser_artifacts import ARTIFACTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail under CI=true (the browser tests are required there)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; the browser tests are required in CI (make browser-deps installs chromium)")
    pytest.skip(f"{reason} (make browser-deps installs Debian's chromium)")


def chromium_path() -> str:
    """The system Chromium, or skip / fail (see the module docstring)."""
    found = shutil.which("chromium")
    if found is None:
        _unavailable("no chromium on PATH")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless system Chromium per module."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (requirements-dev.txt)")
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(f"{WEB_DIST} is not built: run `make web` (make pytest builds it)")
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # Chromium refuses root without
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (own context: no shared storage) for each test."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/browser/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"browser screenshot: {path}")
    return path
