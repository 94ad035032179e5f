"""Browser fixtures shared by every module's browser tests: Debian's Chromium via Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.conftest import PASSWORD, chromium_path

ARTIFACTS = Path(os.environ.get("QINGLANG_TEST_ARTIFACTS", "test-artifacts"))

# True when the glyph for `text` differs from the box drawn for a character no font has: if the
# CJK font is missing, both come out as the same "tofu" rectangle.
GLYPHS_RENDER = """(text) => {
  const draw = (s) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = '40px ' + getComputedStyle(document.body).fontFamily;
    g.fillStyle = '#000'; g.fillText(s, 4, 48); return c.toDataURL();
  };
  const tofu = draw('\\u{10FFFD}');
  return Array.from(text).every((ch) => draw(ch) !== tofu);
}"""


@pytest.fixture
def browser_page(live_server: Any, settings: Any) -> Iterator[Any]:
    # The live server speaks plain http, so cookies cannot be Secure here.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
    # afterwards are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.set_default_timeout(15000)
        yield page
        browser.close()
        # Connections opened while Playwright's event loop runs in this thread are kept per
        # context (asgiref.local treats the thread as async) and are out of reach once the loop
        # stops: close them here, or PostgreSQL refuses to drop the test database at the end
        # ("being accessed by other users").
        connections.close_all()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
