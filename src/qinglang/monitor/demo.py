"""Demo content: fictional enterprises of the fictional 清溪市, rules, and a stream of stories.

Everything here is invented for the project: the enterprises, the accounts and the stories. No
real company or person appears, so no invented negative story is attached to anyone real.
``load_demo()`` is idempotent (``qinglang demo_data`` may run it any number of times);
``serve_feed()`` replays the same stories as an RSS feed on 127.0.0.1, a few at a time, so a
newcomer sees events form and an alert fire within minutes.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

from qinglang.monitor.ingest import default_department, source_named, store_batch
from qinglang.monitor.models import AlertRule, RuleKind, Source, SourceKind, WatchedAlias, WatchedEntity

NOTE = "虚构企业（演示数据）"
ENTERPRISES = {
    "清溪星岚科技": ["星岚科技", "星岚"],
    "清溪禾润食品": ["禾润食品", "禾润"],
    "清溪澄港物流": ["澄港物流"],
    "清溪云织纺织": ["云织纺织"],
}
# (story, how many copies and reposts, which enterprise) - each a small event of its own. The
# first four are attacks, posted by many accounts; the last two are ordinary news, carried by
# the outlets themselves (many accounts posting the same text would look coordinated).
STORIES = [
    ("有自媒体账号发布{e}负面文章后，向企业索要删帖费和公关费，声称不付钱就继续发布", 9, "清溪澄港物流"),
    ("网传{e}产品致癌，纯属捏造，恶意造谣，{e}已向清溪市公安局报案", 7, "清溪禾润食品"),
    ("有网民称{e}即将倒闭跑路，经核实{e}经营正常，相关说法为不实信息", 5, "清溪星岚科技"),
    ("{e}今日发布年度报告，营业收入同比增长，新建生产线在清溪市高新区投产", 4, "清溪星岚科技"),
    ("清溪市召开优化营商网络环境座谈会，{e}等十七家企业代表参加并交流经验", 6, "清溪云织纺织"),
    ("清溪市网信办开展网络安全宣传周活动，走进社区和校园普及防诈骗知识", 4, ""),
]
ATTACKS = 4
TAILS = ["。", "。（来源：清溪日报）", "。转自清溪论坛", "，请广大网民不信谣不传谣。", "。记者 林晓"]
SOURCES = ["清溪日报（演示）", "清溪论坛（演示）", "溪畔新闻（演示）"]
DEMO_FEED_PORT = 8765


def corpus(now: datetime | None = None, hours: float = 36.0) -> list[dict[str, Any]]:
    """The demo stream, oldest first, spread over the ``hours`` before ``now``."""
    rng = random.Random(20251128)
    items: list[dict[str, Any]] = []
    for number, (story, copies, enterprise) in enumerate(STORIES):
        for copy in range(copies):
            source = rng.choice(SOURCES)
            items.append({
                "id": f"demo-{number}-{copy}", "story": number,
                "text": story.format(e=enterprise) + rng.choice(TAILS),
                "author": f"清溪网友{rng.randint(100, 999)}" if number < ATTACKS else source, "source": source,
                "offset": rng.uniform(0, hours * 3600) if copy == 0 else None,
            })
    # Copies follow their first post by minutes to hours, as reposts do.
    firsts = {item["story"]: item["offset"] for item in items if item["offset"] is not None}
    for item in items:
        if item["offset"] is None:
            item["offset"] = min(hours * 3600, firsts[item["story"]] + rng.uniform(60, 4 * 3600))
    end = now or timezone.now()
    items.sort(key=lambda item: item["offset"])
    for item in items:
        item["time"] = (end - timedelta(seconds=hours * 3600 - item["offset"])).isoformat()
        item["url"] = f"https://demo.qingxi.example/{item['id']}.html"
    return items


def _watch_list() -> None:
    for name, aliases in ENTERPRISES.items():
        entity, _ = WatchedEntity.objects.get_or_create(name=name, defaults={"note": NOTE})
        for alias in aliases:
            WatchedAlias.objects.get_or_create(alias=alias, defaults={"entity": entity})


def _rules() -> None:
    rules: list[tuple[str, dict[str, Any]]] = [
        ("删帖勒索", {"kind": RuleKind.CATEGORY, "category": "EXTORT", "level": "orange"}),
        ("造谣抹黑", {"kind": RuleKind.CATEGORY, "category": "SMEAR", "level": "yellow"}),
        ("事件规模", {"kind": RuleKind.BURST, "min_size": 8, "level": "yellow"}),
    ]
    for name, fields in rules:
        AlertRule.objects.get_or_create(name=name, defaults=fields)


def load_demo(*, process: bool = True) -> str:
    """Watch list, rules, sources and the demo stream; safe to run again (nothing doubles).
    ``qinglang demo_data`` calls it and prints what it returns."""
    _watch_list()
    _rules()
    office = default_department()
    Source.objects.get_or_create(
        name="清溪演示订阅源", defaults={"kind": SourceKind.RSS, "department": office, "interval_minutes": 1,
                                  "url": f"http://127.0.0.1:{DEMO_FEED_PORT}/feed.xml", "enabled": False},
    )
    created = 0
    by_source: dict[str, list[dict[str, Any]]] = {}
    for item in corpus():
        by_source.setdefault(item["source"], []).append(item)
    for name, rows in by_source.items():
        outcomes = store_batch(source_named(name, department=office), rows, channel="demo")
        created += sum(o.status == "created" for o in outcomes)
    processed = 0
    if process:
        from qinglang.monitor.processing import process_partition

        processed = process_partition("zh")
    return f"舆情监测：{len(ENTERPRISES)} 家虚构重点企业，新增 {created} 条演示文档，分析 {processed} 条"


# -- the replaying feed server ------------------------------------------------------------------


def _rss(items: list[dict[str, Any]]) -> bytes:
    entries = "".join(
        f"<item><guid>{escape(i['id'])}</guid><title>{escape(i['text'][:30])}</title>"
        f"<link>{escape(i['url'])}</link><description>{escape(i['text'])}</description>"
        f"<author>{escape(i['author'])}</author>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(i['time']).astimezone(UTC))}</pubDate></item>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>清溪演示订阅源</title>'
            f"<link>https://demo.qingxi.example/</link><description>虚构的演示数据</description>{entries}"
            "</channel></rss>").encode()


def released(items: list[dict[str, Any]], started: float, seconds_per_item: float) -> list[dict[str, Any]]:
    count = 1 + int((time.monotonic() - started) / seconds_per_item)
    return items[:count]


@contextmanager
def serve_feed(port: int = DEMO_FEED_PORT, seconds_per_item: float = 5.0) -> Iterator[ThreadingHTTPServer]:
    """Serve the demo stream as RSS, one more item every ``seconds_per_item``. The items are new
    posts ("live-" ids) of the same stories, so they join the loaded events and grow them."""
    items = [dict(item, id="live-" + item["id"]) for item in corpus(hours=2.0)]
    started = time.monotonic()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/feed.xml":
                self.send_error(404)
                return
            body = _rss(released(items, started, seconds_per_item))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
