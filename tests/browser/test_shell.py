"""The shell in a real browser: Debian's Chromium driven by Playwright.

Run alone with ``pytest tests/browser``; skipped with ``--no-browser`` or when chromium is
missing (CI sets QINGLANG_REQUIRE_BROWSER so it fails there instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qinglang.core.tasks import beat
from tests.browser.conftest import ARTIFACTS, GLYPHS_RENDER, sign_in

pytestmark = pytest.mark.browser


def test_duty_officer_signs_in_and_sees_the_dashboard(browser_page: Any, live_server: Any, org: dict[str, Any]) -> None:
    beat("worker")
    beat("scheduler")
    page = browser_page
    sign_in(page, live_server.url, "duty")
    page.wait_for_selector("h1:has-text('工作台')")
    assert page.locator(".who").inner_text().startswith("值班员")
    assert page.locator('[data-component="worker"]').get_attribute("class") == "ok"
    assert "运行中" in page.locator('[data-component="worker"]').inner_text()
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert page.evaluate(GLYPHS_RENDER, "工作台值班员") is True, "Chinese renders as boxes: install fonts-noto-cjk"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    # The activity chart is drawn by ECharts when the front-end packages were built.
    if (Path(__file__).resolve().parents[2] / "src/qinglang/static/vendor/echarts.min.js").exists():
        page.wait_for_selector("#activity-chart canvas")


def test_wrong_password_shows_a_chinese_error(browser_page: Any, live_server: Any, org: dict[str, Any]) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "duty")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit].primary")
    assert "请输入一个正确的" in page.locator(".errors").inner_text()


def test_narrow_screen_folds_the_navigation(browser_page: Any, live_server: Any, org: dict[str, Any]) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, live_server.url, "admin")
    page.wait_for_selector("h1:has-text('工作台')")
    assert not page.locator(".mainnav").is_visible()
    page.click(".nav-toggle-label")
    assert page.locator(".mainnav").is_visible()
    page.screenshot(path=str(ARTIFACTS / "dashboard-narrow.png"), full_page=True)


def test_navigation_has_one_item_per_module_with_its_pages_below(
    browser_page: Any, live_server: Any, org: dict[str, Any]
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, "admin")
    page.wait_for_selector("h1:has-text('工作台')")
    head = page.locator(".navgroup-head", has_text="舆情监测")
    alerts = page.locator(".navmenu a", has_text="预警")
    assert not alerts.first.is_visible()
    tops = page.eval_on_selector_all(".mainnav > a, .mainnav > .navgroup", "els => els.map(e => e.offsetTop)")
    page.screenshot(path=str(ARTIFACTS / "nav-wide.png"))
    assert len(set(tops)) == 1, "the modules fit on one line at 1280 px"
    head.hover()
    alerts.first.click()
    page.wait_for_url("**/monitor/alerts/")
    page.focus(".navgroup-head >> nth=0")  # keyboard users open the same menu by focus
    assert page.locator(".navgroup").first.locator(".navmenu").is_visible()
