"""Feeds and pages fetched from a real HTTP server on 127.0.0.1 (no mocked network)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from qinglang.monitor import fetch
from qinglang.monitor.models import Document, RawInput, Source, SourceKind

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>清溪日报</title>
<item><guid>n1</guid><title>青禾食品新厂投产</title><link>/news/1.html</link>
<description>&lt;p&gt;青禾食品在清溪市高新区的新厂今日投产。&lt;/p&gt;</description>
<pubDate>Mon, 24 Nov 2025 08:00:00 +0800</pubDate><author>记者 李清</author></item>
<item><guid>n2</guid><title>网传星河科技倒闭系谣言</title><link>/news/2.html</link>
<description>有网民称星河科技即将倒闭，经核实为不实信息。</description></item>
</channel></rss>"""

GBK_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>海澄物流澄清声明</title></head><body><div class="nav">首页 &gt; 新闻</div>
<article><h1>海澄物流澄清声明</h1><p>近日，有自媒体发布关于海澄物流的不实信息，并向公司索要所谓删帖费。</p>
<p>海澄物流已向清溪市公安局报案，并将依法追究相关账号的法律责任。公司经营一切正常，请广大网民不信谣、不传谣。</p>
<p>海澄物流成立于二〇〇八年，是清溪市重点物流企业之一，服务覆盖全省各地市。</p></article></body></html>"""


@dataclass
class Site:
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            status, headers, body = state.routes.get(self.path, (404, {}, b"not found"))
            if "ETag" in headers and self.headers.get("If-None-Match") == headers["ETag"]:
                status, body = 304, b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def feed_source(site: Site, path: str = "/feed.xml", kind: str = SourceKind.RSS) -> Source:
    return Source.objects.create(name=f"源{path}", kind=kind, url=site.base + path, interval_minutes=10)


@pytest.mark.django_db
def test_feed_is_stored_then_fetched_conditionally(site: Site, settings: Any) -> None:
    site.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, RSS.encode())
    source = feed_source(site)
    assert fetch.fetch_source(source) == 2
    doc = Document.objects.get(external_id="n1")
    assert doc.title == "青禾食品新厂投产" and doc.text == "青禾食品在清溪市高新区的新厂今日投产。"
    assert doc.url == site.base + "/news/1.html" and doc.author == "记者 李清"
    assert doc.published_at.isoformat().startswith("2025-11-24T00:00:00")
    source.refresh_from_db()
    assert source.etag == '"v1"' and source.failures == 0 and source.last_success_at is not None
    assert source.next_fetch_at > timezone.now()
    assert fetch.fetch_source(source) == 0  # 304: nothing downloaded, nothing duplicated
    feed_requests = [headers for path, headers in site.requests if path == "/feed.xml"]
    assert feed_requests[1]["If-None-Match"] == '"v1"'
    assert all(h["User-Agent"] == settings.MONITOR_USER_AGENT for _, h in site.requests)
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_gbk_page_is_decoded_and_its_article_extracted(site: Site) -> None:
    site.routes["/gbk.html"] = (200, {"Content-Type": "text/html"}, GBK_PAGE.encode("gbk"))
    source = feed_source(site, "/gbk.html", SourceKind.PAGE)
    assert fetch.fetch_source(source) == 1
    doc = Document.objects.get()
    assert doc.title == "海澄物流澄清声明"
    assert "索要所谓删帖费" in doc.text and "首页" not in doc.text


def test_decoding_prefers_the_header_then_meta_then_utf8_then_gb18030() -> None:
    text = "清朗网络空间"
    assert fetch.decode_html(text.encode("gbk"), "text/html; charset=GBK") == text
    assert fetch.decode_html(text.encode("utf-8"), "text/html") == text
    assert fetch.decode_html(text.encode("gb18030"), None) == text  # unlabelled and not UTF-8


@pytest.mark.django_db
def test_malformed_feed_is_an_error_on_the_source_and_its_body_is_kept(site: Site) -> None:
    site.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, b"<html><body>Error 502</body>")
    source = feed_source(site)
    assert fetch.fetch_source(source) == 0
    source.refresh_from_db()
    assert "不是有效的 RSS/Atom 源" in source.last_error and source.failures == 1
    assert RawInput.objects.get(source=source).payload == "<html><body>Error 502</body>"


@pytest.mark.django_db
def test_errors_back_off_exponentially_up_to_the_cap(site: Site, settings: Any) -> None:
    settings.MONITOR_MAX_BACKOFF_MINUTES = 60
    source = feed_source(site, "/missing.xml")
    waits = []
    for _ in range(4):
        before = timezone.now()
        fetch.fetch_source(source)
        source.refresh_from_db()
        waits.append(round((source.next_fetch_at - before).total_seconds() / 60))
    assert waits == [20, 40, 60, 60]
    assert "HTTP 404" in source.last_error


@pytest.mark.django_db
def test_robots_txt_is_obeyed(site: Site) -> None:
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
    site.routes["/private/feed.xml"] = (200, {}, RSS.encode())
    source = feed_source(site, "/private/feed.xml")
    assert fetch.fetch_source(source) == 0
    source.refresh_from_db()
    assert "robots.txt" in source.last_error
    assert "/private/feed.xml" not in [path for path, _ in site.requests]


@pytest.mark.django_db
def test_oversized_response_is_refused(site: Site, settings: Any) -> None:
    settings.MONITOR_FETCH_MAX_BYTES = 1000
    site.routes["/big.html"] = (200, {"Content-Type": "text/html"}, b"<p>" + "大".encode() * 2000 + b"</p>")
    source = feed_source(site, "/big.html", SourceKind.PAGE)
    assert fetch.fetch_source(source) == 0
    source.refresh_from_db()
    assert "内容过大" in source.last_error


@pytest.mark.django_db
def test_private_addresses_are_refused_unless_allowed(site: Site, settings: Any) -> None:
    settings.QINGLANG_ALLOW_PRIVATE_URLS = False
    source = feed_source(site)
    fetch.fetch_source(source)
    source.refresh_from_db()
    assert "拒绝访问内网或本机地址" in source.last_error
    assert site.requests == []


@pytest.mark.django_db
def test_a_source_is_fetched_by_one_worker_at_a_time(site: Site) -> None:
    source = feed_source(site)
    assert fetch.claim_source(source) is True
    assert fetch.claim_source(source) is False
    assert source in fetch.due_sources()


LIST_PAGE = """<html><head><meta charset="gbk"><title>清溪新闻</title></head><body><ul>
<li><a href="/news/a1.html">澄清声明</a></li><li><a href='/news/a2.html'>座谈会</a></li>
<li><a href="/news/a1.html#top">重复链接</a></li><li><a href="https://elsewhere.example/x.html">外站</a></li>
</ul></body></html>"""

MEETING = """<html><head><meta charset="gbk"><title>优化营商网络环境座谈会召开</title></head><body><article>
<p>清溪市网信办召开优化营商网络环境座谈会，十七家企业代表参加。</p>
<p>会上，企业代表就网络谣言、恶意抹黑等问题交流了意见，网信办介绍了举报渠道和处置流程。</p>
<p>与会企业表示将加强自身舆情应对能力，共同营造清朗的网络营商环境。</p></article></body></html>"""


@pytest.mark.django_db
def test_list_page_articles_are_followed_once(site: Site) -> None:
    site.routes["/list.html"] = (200, {"Content-Type": "text/html"}, LIST_PAGE.encode("gbk"))
    site.routes["/news/a1.html"] = (200, {"Content-Type": "text/html; charset=gbk"}, GBK_PAGE.encode("gbk"))
    site.routes["/news/a2.html"] = (200, {"Content-Type": "text/html"}, MEETING.encode("gbk"))
    source = feed_source(site, "/list.html", SourceKind.LIST)
    assert fetch.fetch_source(source) == 2
    assert set(Document.objects.values_list("title", flat=True)) == {"海澄物流澄清声明", "优化营商网络环境座谈会召开"}
    before = len(site.requests)
    assert fetch.fetch_source(source) == 0
    assert [path for path, _ in site.requests[before:]] == ["/list.html"]  # known articles are not fetched again


@pytest.mark.django_db
def test_scheduler_tasks_fetch_due_sources_once_and_queue_processing(site: Site, queued: list[Any]) -> None:
    from qinglang.monitor import tasks

    site.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, RSS.encode())
    source = feed_source(site)
    assert tasks.fetch_due_sources() == 1
    assert ("qinglang.monitor.tasks.fetch_source", (source.pk,)) in queued
    assert tasks.fetch_source(source.pk) == 2
    assert ("qinglang.monitor.tasks.process_pending", ("zh",)) in queued
    assert tasks.fetch_due_sources() == 0  # not due again before its interval
