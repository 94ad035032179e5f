"""The demo: idempotent loading, fictional names only, and a feed that grows over time."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from qinglang.monitor import demo, fetch
from qinglang.monitor.models import Alert, Document, Event, Source, WatchedEntity


@pytest.mark.django_db
def test_demo_loads_once_forms_events_and_raises_alerts(org: dict[str, Any]) -> None:
    stories = sum(copies for _, copies, _ in demo.STORIES)
    assert f"新增 {stories} 条演示文档，分析 {stories} 条" in demo.load_demo()
    assert "新增 0 条演示文档，分析 0 条" in demo.load_demo()
    assert Event.objects.count() >= len(demo.STORIES) - 1
    assert Alert.objects.filter(level__in=["orange", "red"]).exists()
    assert all(e.note == demo.NOTE for e in WatchedEntity.objects.all())
    assert Document.objects.filter(department=org["office"]).count() == Document.objects.count()


@pytest.mark.django_db
def test_demo_feed_releases_items_over_time(org: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    demo.load_demo(process=False)
    clock = [1000.0]
    monkeypatch.setattr(demo.time, "monotonic", lambda: clock[0])
    with demo.serve_feed(port=0, seconds_per_item=5.0) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        Source.objects.filter(name="清溪演示订阅源").update(enabled=True, url=url)
        source = Source.objects.get(name="清溪演示订阅源")
        assert fetch.fetch_source(source) == 1
        clock[0] += 12
        assert fetch.fetch_source(source) == 2
        with urllib.request.urlopen(url) as response:
            assert "虚构的演示数据" in response.read().decode()
