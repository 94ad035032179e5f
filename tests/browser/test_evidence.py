"""Evidence in a real browser: a duty officer captures a page, watches it being preserved,
shares it with the police, and the police liaison finds it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from qinglang.evidence import services
from qinglang.evidence.models import Capture
from tests.browser.conftest import ARTIFACTS, GLYPHS_RENDER, sign_in
from tests.evidence.site import Site
from tests.evidence.tsa_server import TsaServer

pytestmark = pytest.mark.browser


@pytest.fixture
def local_web(settings: Any, tmp_path: Path) -> Iterator[Site]:
    (tmp_path / "tsa").mkdir()
    with Site() as site, TsaServer(tmp_path / "tsa") as tsa:
        settings.QINGLANG_ALLOW_PRIVATE_URLS = True
        settings.QINGLANG_TSA_URLS = [tsa.url]
        settings.QINGLANG_EVIDENCE_TIMEOUT_SECONDS = 5
        settings.MEDIA_ROOT = tmp_path / "media"
        yield site


def work_in_background(capture_id: int) -> threading.Thread:
    """What the Celery worker does, in a thread: this one runs the test's own browser."""

    def run() -> None:
        try:
            services.run_capture(capture_id)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_capture_share_and_find(browser_page: Any, live_server: Any, org: dict[str, Any], local_web: Site) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    sign_in(page, live_server.url, "duty")
    page.wait_for_selector("h1:has-text('工作台')")
    page.click("nav.mainnav a:has-text('网络取证')")
    page.click("a:has-text('新建取证')")
    page.fill("#id_url", f"{local_web.base}/redirect/1")
    page.fill("#id_reason", "网民举报该文章含有不实信息，需固定证据")
    page.fill("#id_case_reference", "清网〔2026〕21号")
    page.click("button:has-text('取证并保全')")
    page.wait_for_selector(".ev-progress[data-status='queued']")
    capture = Capture.objects.get()
    worker = work_in_background(capture.pk)
    # The page polls its progress and reloads itself once the package is sealed.
    page.wait_for_selector("[data-outcome='ok']", timeout=90000)
    worker.join()
    assert "已保全" in page.locator(".ev-progress").inner_text()
    assert page.locator("dd.ev-break").nth(1).inner_text() == f"{local_web.base}/article"
    assert "Qinglang" not in page.locator("h1").inner_text()
    page.wait_for_function("() => document.querySelector('img.ev-shot').naturalWidth > 0")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert page.evaluate(GLYPHS_RENDER, "已保全可信时间戳保管链") is True
    page.screenshot(path=str(ARTIFACTS / "evidence-detail.png"), full_page=True)

    page.select_option("#id_department", label="测试市公安局网安支队")
    page.click("form.ev-inline button")
    page.wait_for_selector(".messages li:has-text('已共享给测试市公安局网安支队')")
    assert page.locator(".ev-custody li").filter(has_text="共享给单位").count() == 1

    page.context.clear_cookies()
    sign_in(page, live_server.url, "police_liaison")
    page.goto(f"{live_server.url}/evidence/")
    page.wait_for_selector(f"a:has-text('{capture.public_id}')")
    page.screenshot(path=str(ARTIFACTS / "evidence-list-police.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 800})
    page.click(f"a:has-text('{capture.public_id}')")
    page.wait_for_selector("h1:has-text('网络取证')")
    assert page.locator("form.ev-inline").count() == 0  # the police see it, but cannot share it on
    page.screenshot(path=str(ARTIFACTS / "evidence-detail-narrow.png"), full_page=True)


def test_refused_address_is_explained_in_the_form(browser_page: Any, live_server: Any, org: dict[str, Any]) -> None:
    page = browser_page
    sign_in(page, live_server.url, "duty")
    page.wait_for_selector("h1:has-text('工作台')")
    page.goto(f"{live_server.url}/evidence/new/")
    page.fill("#id_url", "http://169.254.169.254/latest/meta-data/")
    page.fill("#id_reason", "测试")
    page.click("button:has-text('取证并保全')")
    assert "拒绝访问内网或本机地址" in page.locator(".errors").first.inner_text()
    assert page.input_value("#id_url") == "http://169.254.169.254/latest/meta-data/"
    page.screenshot(path=str(ARTIFACTS / "evidence-refused.png"), full_page=True)
