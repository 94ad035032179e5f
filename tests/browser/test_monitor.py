"""The duty officer's walk in a real Chromium: an alert appears by itself, is acknowledged,
leads to its event, and the day's report is exported."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from qinglang.monitor import analysis, processing, tasks
from qinglang.monitor.ingest import source_named, store_batch
from qinglang.monitor.models import Alert, AlertRule, AlertStatus, Document, Event, RuleKind, WatchedEntity
from tests.browser.conftest import ARTIFACTS, GLYPHS_RENDER, sign_in

pytestmark = pytest.mark.browser

STORY = "有自媒体账号发布海澄物流负面文章后，向企业索要删帖费和公关费，否则继续发布。"


@pytest.fixture
def desk(org: dict[str, Any], settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    settings.MONITOR_SNAPSHOT_DIR = tmp_path
    settings.MONITOR_ALERT_MIN_LEVEL = "off"
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: None)
    processing.forget_engines()
    WatchedEntity.objects.create(name="海澄物流")
    AlertRule.objects.create(name="删帖勒索", kind=RuleKind.CATEGORY, category="EXTORT", level="red")
    return org


def publish(n: int) -> None:
    start = timezone.now() - timedelta(hours=2)
    rows = [{"id": f"b{i}", "text": STORY + ("转发" * i), "time": (start + timedelta(minutes=i)).isoformat(),
             "url": f"https://news.example.cn/b{i}.html", "author": f"账号{i}"} for i in range(n)]
    store_batch(source_named("清溪论坛"), rows, channel="test")
    processing.process_partition("zh")


def test_alert_to_event_to_report(browser_page: Any, live_server: Any, desk: dict[str, Any]) -> None:
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, "duty")
    page.goto(f"{live_server.url}/monitor/alerts/")
    page.wait_for_selector("text=暂无预警")
    publish(4)  # while the inbox is open: the alert must appear without a reload
    page.wait_for_selector(".alert-red .alert-title", timeout=20000)
    assert page.evaluate(GLYPHS_RENDER, "预警确认排除升级")
    page.screenshot(path=str(ARTIFACTS / "monitor-alerts.png"), full_page=True)

    # The inbox refreshes itself; a reason being typed must survive the refresh.
    page.fill("input[id^=dismiss-reason-]", "正在填写的理由")
    with page.expect_response(lambda r: "/monitor/alerts/live/" in r.url, timeout=15000):
        pass
    page.wait_for_timeout(300)
    assert page.input_value("input[id^=dismiss-reason-]") == "正在填写的理由"

    page.click("button:has-text('确认')")
    page.wait_for_selector(".status-acknowledged")
    assert Alert.objects.get().status == AlertStatus.ACKNOWLEDGED

    page.click("text=查看事件")
    page.wait_for_selector("#event-chart canvas")
    assert page.locator("mark", has_text="海澄物流").count() >= 1
    assert "清溪论坛" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "monitor-event.png"), full_page=True)

    page.goto(f"{live_server.url}/monitor/reports/")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page.fill("input[name=day]", tomorrow)
    page.click("button:has-text('生成')")
    page.wait_for_selector("text=舆情日报")
    page.wait_for_selector("#report-chart canvas")
    page.screenshot(path=str(ARTIFACTS / "monitor-report.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=下载 PDF")
    target = ARTIFACTS / "monitor-report.pdf"
    download.value.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")


def test_events_page_on_a_phone(browser_page: Any, live_server: Any, desk: dict[str, Any]) -> None:
    publish(3)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "duty")
    page.goto(f"{live_server.url}/monitor/")
    page.wait_for_selector("table.mon-events")
    time.sleep(0.2)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # the table scrolls inside its card, the page itself does not
    page.screenshot(path=str(ARTIFACTS / "monitor-events-phone.png"), full_page=True)


def test_watched_enterprise_page_and_alias_form(browser_page: Any, live_server: Any, desk: dict[str, Any]) -> None:
    publish(3)
    page = browser_page
    sign_in(page, live_server.url, "duty")
    page.goto(f"{live_server.url}/monitor/watched/")
    page.click("text=海澄物流")
    page.fill("input[name=alias]", "澄港")
    page.click("form.inline-form button")
    page.wait_for_selector("text=已添加别名")
    page.wait_for_selector("#mention-chart canvas")
    assert "澄港" in page.inner_text(".status-list")
    page.screenshot(path=str(ARTIFACTS / "monitor-watched.png"), full_page=True)
    page.goto(f"{live_server.url}/monitor/sources/")
    assert "清溪论坛" in page.inner_text("table")
    page.screenshot(path=str(ARTIFACTS / "monitor-sources.png"), full_page=True)


def test_sparklines_and_the_alert_rule_form(browser_page: Any, live_server: Any, desk: dict[str, Any]) -> None:
    publish(3)
    page = browser_page
    sign_in(page, live_server.url, "duty")
    page.goto(f"{live_server.url}/monitor/")
    page.wait_for_selector(".spark[data-event] canvas")  # ECharts replaced the server-drawn line
    assert page.locator(".spark[data-event] svg").count() == 0

    page.click("nav.mon-tabs >> text=预警规则")
    page.wait_for_selector("text=删帖勒索")
    page.select_option("#id_kind", "keyword")
    assert page.is_visible("#id_keyword") and not page.is_visible("#id_category")
    page.select_option("#id_kind", "category")
    assert page.is_visible("#id_category") and not page.is_visible("#id_keyword")
    page.fill("#id_name", "水军")
    page.click("form.rule-form button[type=submit]")
    page.wait_for_selector("text=危害类别规则必须选择危害类别。")
    page.select_option("#id_category", "SMEAR.ASTROTURF")
    page.click("form.rule-form button[type=submit]")
    page.wait_for_selector("text=已添加预警规则“水军”。")
    assert AlertRule.objects.get(name="水军").category == "SMEAR.ASTROTURF"
    page.screenshot(path=str(ARTIFACTS / "monitor-rules.png"), full_page=True)


def test_an_analyst_merges_an_event_the_engine_split_off(browser_page: Any, live_server: Any,
                                                         desk: dict[str, Any]) -> None:
    """The suggestion, the reason, the merge, the merged event's page leading on, and the undo."""
    analysis._pair_engine.cache_clear()   # its frequencies come from this test's event labels
    now = timezone.now()
    source = source_named("清溪论坛")
    made = []
    for n, label in enumerate(["岚溪鞋业被曝拖欠工人工资三个月，数百名工人到青禾市人社局反映情况",
                               "转发：岚溪鞋业拖欠工人工资三个月，数百名工人到青禾市人社局反映"]):
        event = Event.objects.create(engine_id=f"e{n}", label=label, department=desk["office"], first_seen=now,
                                     last_seen=now - timedelta(hours=n), size=2 + n)
        for k in range(2 + n):
            Document.objects.create(source=source, key=f"d{n}-{k}", text=f"{label}（{k}）", published_at=now,
                                    state="processed", event=event, sentiment=-0.5, risk_level="blue")
        made.append(event)
    target, other = made
    page = browser_page
    sign_in(page, live_server.url, "duty")
    page.goto(f"{live_server.url}/monitor/events/{target.pk}/")
    page.wait_for_selector("#similar-events >> text=可能为同一事件")
    assert page.evaluate(GLYPHS_RENDER, "可能为同一事件并入本事件")
    page.fill(f"#merge-reason-{other.pk}", "同一起欠薪事件的转发")
    page.screenshot(path=str(ARTIFACTS / "monitor-merge.png"), full_page=True)
    page.click("#similar-events button:has-text('并入本事件')")
    page.wait_for_selector("text=已并入本事件")
    assert "同一起欠薪事件的转发" in page.inner_text("#similar-events")
    assert Event.objects.get(pk=other.pk).merged_into_id == target.pk
    assert Event.objects.get(pk=target.pk).size == target.size + other.size
    page.goto(f"{live_server.url}/monitor/events/{other.pk}/")
    page.wait_for_selector("text=该事件已并入")
    assert page.url.endswith(f"/monitor/events/{target.pk}/")
    # second thoughts: undone from the target's page, with a reason, back to the event it was
    page.click("#similar-events summary:has-text('撤销合并')")
    page.fill(f"#unmerge-reason-{other.pk}", "其实是另一家工厂")
    page.click("#similar-events button:has-text('撤销合并')")
    page.wait_for_selector("text=已撤销")
    assert page.url.endswith(f"/monitor/events/{other.pk}/")
    assert Event.objects.get(pk=other.pk).merged_into_id is None
    assert Event.objects.get(pk=other.pk).size == other.size and Event.objects.get(pk=target.pk).size == target.size
