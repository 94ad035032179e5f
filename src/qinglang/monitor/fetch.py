"""Polite fetching of RSS/Atom feeds and article pages.

Polite: a named User-Agent, robots.txt obeyed (RFC 9309: a missing file allows everything, a
server error forbids everything for now), one request per host every few seconds, conditional
requests (ETag / Last-Modified), a timeout and a size limit, and backoff after errors. Private
and loopback addresses are refused unless ``QINGLANG_ALLOW_PRIVATE_URLS`` is on (tests, demos).
"""

from __future__ import annotations

import calendar
import ipaddress
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]
import trafilatura
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from qinglang.monitor.ingest import keep_rejected, store_batch
from qinglang.monitor.models import Source, SourceKind

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_TAGS = re.compile(r"<[^>]+>")
_HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"'#\s]+)""", re.I)
# Articles followed per visit of a list page; the rest wait for the next visit.
LIST_ARTICLES = 20
# GB2312 and GBK pages are decoded as GB18030, their superset: mislabelled pages use its characters.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


class FetchError(Exception):
    """A fetch that failed; the message (Chinese) is recorded against the source."""


@dataclass
class Response:
    status: int
    body: bytes
    headers: Message
    url: str


# -- the network ------------------------------------------------------------------------------


def _check_address(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"只能抓取 http/https 网址：{url[:100]}")
    if settings.QINGLANG_ALLOW_PRIVATE_URLS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise FetchError(f"无法解析主机名 {parts.hostname}：{error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(f"拒绝访问内网或本机地址 {address}（{parts.hostname}）")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect must not lead to an address we would refuse to fetch directly."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        _check_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_CheckedRedirects)
_host_lock = threading.Lock()
_host_last: dict[str, float] = {}


def _wait_for_host(host: str) -> None:
    """Space requests to one host (per process; each worker process keeps its own clock)."""
    with _host_lock:
        ready = _host_last.get(host, 0.0) + settings.MONITOR_FETCH_HOST_INTERVAL
        pause = ready - time.monotonic()
        _host_last[host] = max(ready, time.monotonic())
    if pause > 0:
        time.sleep(pause)


def _read_limited(response: Any) -> bytes:
    limit = settings.MONITOR_FETCH_MAX_BYTES
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"内容过大：{int(declared)} 字节，上限 {limit} 字节")
    body: bytes = response.read(limit + 1)
    if len(body) > limit:
        raise FetchError(f"内容过大：超过 {limit} 字节，已放弃")
    return body


def http_get(url: str, headers: dict[str, str] | None = None) -> Response:
    _check_address(url)
    _wait_for_host(urlsplit(url).netloc)
    # The scheme was checked above (http/https only).
    request = urllib.request.Request(  # noqa: S310
        url, headers={"User-Agent": settings.MONITOR_USER_AGENT, **(headers or {})}
    )
    try:
        with _opener.open(request, timeout=settings.MONITOR_FETCH_TIMEOUT) as response:
            return Response(response.status, _read_limited(response), response.headers, response.url)
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Response(304, b"", error.headers, url)
        raise FetchError(f"服务器返回 HTTP {error.code}（{url[:100]}）") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"连接失败：{reason}（{url[:100]}）") from None


# -- robots.txt -------------------------------------------------------------------------------

_robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser]] = {}
ROBOTS_TTL = 3600.0


def _load_robots(root: str) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    try:
        response = http_get(urljoin(root, "/robots.txt"))
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
    except FetchError as error:
        # RFC 9309: "unavailable" (4xx) allows everything; "unreachable" (5xx, network) forbids.
        unavailable = "HTTP 4" in str(error)
        parser.allow_all = unavailable  # type: ignore[attr-defined]
        parser.disallow_all = not unavailable  # type: ignore[attr-defined]
    return parser


def allowed_by_robots(url: str) -> bool:
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}"
    cached = _robots.get(root)
    if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL:
        cached = (time.monotonic(), _load_robots(root))
        _robots[root] = cached
    return cached[1].can_fetch(settings.MONITOR_USER_AGENT, url)


def forget_robots() -> None:
    _robots.clear()
    _host_last.clear()


# -- decoding and parsing ---------------------------------------------------------------------


def _charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    return _CHARSET_ALIASES.get(name, name)


def decode_html(body: bytes, content_type: str | None) -> str:
    """Header charset, then <meta charset>, then UTF-8, then GB18030 (common on older .cn sites)."""
    message = Message()
    message["Content-Type"] = content_type or "text/html"
    declared = _charset(message.get_param("charset"))  # type: ignore[arg-type]
    meta = _META_CHARSET.search(body[:4096])
    candidates = [declared, _charset(meta.group(1).decode("ascii")) if meta else None, "utf-8", "gb18030"]
    for charset in candidates:
        if not charset:
            continue
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", _TAGS.sub(" ", html)).strip()


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    html = contents[0].get("value", "") if contents else entry.get("summary", "")
    return _plain(html or "")


def _entry_time(entry: Any) -> float | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return float(calendar.timegm(stamp)) if stamp else None  # feedparser gives UTC


def feed_rows(body: bytes, headers: Message, url: str) -> list[dict[str, Any]]:
    parsed = feedparser.parse(body, response_headers={k.lower(): v for k, v in headers.items()})
    if parsed.bozo and not parsed.entries:
        raise FetchError(f"不是有效的 RSS/Atom 源：{parsed.get('bozo_exception', '无法解析')}")
    rows = []
    for entry in parsed.entries:
        link = entry.get("link", "")
        rows.append({
            "id": entry.get("id") or link, "url": urljoin(url, link) if link else "",
            "title": _plain(entry.get("title", "")), "text": _entry_text(entry) or _plain(entry.get("title", "")),
            "author": entry.get("author", ""), "time": _entry_time(entry),
        })
    return rows


def page_row(body: bytes, headers: Message, url: str) -> dict[str, Any]:
    html = decode_html(body, headers.get("Content-Type"))
    text = trafilatura.extract(html, url=url, include_comments=False) or ""
    if not text.strip():
        raise FetchError("页面中没有找到正文")
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta is not None and meta.title else ""
    published = meta.date if meta is not None and meta.date else None
    return {"id": url, "url": url, "title": title, "text": text, "time": published}


def article_links(body: bytes, headers: Message, url: str) -> list[str]:
    """Links of a list page that lead to other pages of the same site, in page order."""
    html = decode_html(body, headers.get("Content-Type"))
    host = urlsplit(url).netloc
    links: dict[str, None] = {}
    for href in _HREF.findall(html):
        target = urljoin(url, href)
        parts = urlsplit(target)
        if parts.scheme in {"http", "https"} and parts.netloc == host and target.rstrip("/") != url.rstrip("/"):
            links[target] = None
    return list(links)


def _list_rows(source: Source, response: Response) -> list[dict[str, Any]]:
    """Fetch the list page's articles not stored yet (politeness rules apply to each)."""
    links = article_links(response.body, response.headers, response.url)
    known = set(source.documents.filter(url__in=links).values_list("url", flat=True))
    rows = []
    for link in [u for u in links if u not in known][:LIST_ARTICLES]:
        try:
            if not allowed_by_robots(link):
                continue
            article = http_get(link)
            rows.append(page_row(article.body, article.headers, article.url))
        except FetchError as error:
            keep_rejected(source, "fetch", link, f"文章抓取失败：{error}")
    return rows


# -- one source -------------------------------------------------------------------------------


def claim_source(source: Source) -> bool:
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    until = now + timedelta(seconds=settings.MONITOR_FETCH_TIMEOUT * 4 + 60)
    return bool(Source.objects.filter(free, pk=source.pk).update(claimed_until=until))


def _conditional_headers(source: Source) -> dict[str, str]:
    headers = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    return headers


def _succeeded(source: Source, response: Response, stored: int) -> None:
    now = timezone.now()
    source.failures = 0
    source.last_success_at = now
    source.next_fetch_at = now + timedelta(minutes=source.interval_minutes)
    source.etag = response.headers.get("ETag", source.etag or "")[:300]
    source.last_modified = response.headers.get("Last-Modified", source.last_modified or "")[:100]
    source.claimed_until = None
    source.save(update_fields=["failures", "last_success_at", "next_fetch_at", "etag", "last_modified",
                               "claimed_until"])


def _failed(source: Source, message: str) -> None:
    now = timezone.now()
    source.failures += 1
    backoff = min(source.interval_minutes * 2 ** min(source.failures, 16), settings.MONITOR_MAX_BACKOFF_MINUTES)
    source.last_error, source.last_error_at = message[:2000], now
    source.next_fetch_at = now + timedelta(minutes=backoff)
    source.claimed_until = None
    source.save(update_fields=["failures", "last_error", "last_error_at", "next_fetch_at", "claimed_until"])


def _parse(source: Source, response: Response) -> list[dict[str, Any]]:
    try:
        if source.kind == SourceKind.RSS:
            return feed_rows(response.body, response.headers, response.url)
        if source.kind == SourceKind.LIST:
            return _list_rows(source, response)
        return [page_row(response.body, response.headers, response.url)]
    except FetchError as error:
        # Keep what the server sent, so the parse can be retried once the bug is understood.
        keep_rejected(source, "fetch", response.body.decode("utf-8", errors="replace")[:1_000_000], str(error))
        raise


def fetch_source(source: Source) -> int:
    """Fetch one feed or page now; return the number of new documents stored."""
    try:
        _check_address(source.url)
        if not allowed_by_robots(source.url):
            raise FetchError(f"robots.txt 不允许抓取 {source.url}（或 robots.txt 暂时无法访问）")
        response = http_get(source.url, _conditional_headers(source))
        rows = [] if response.status == 304 else _parse(source, response)
    except FetchError as error:
        _failed(source, str(error))
        return 0
    outcomes = store_batch(source, rows, channel="fetch") if rows else []
    _succeeded(source, response, len(outcomes))
    return sum(1 for o in outcomes if o.status == "created")


def due_sources() -> list[Source]:
    now = timezone.now()
    due = Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
    kinds = [SourceKind.RSS, SourceKind.PAGE, SourceKind.LIST]
    return list(Source.objects.filter(due, enabled=True, kind__in=kinds).exclude(url=""))
