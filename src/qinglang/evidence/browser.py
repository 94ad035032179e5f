"""Render a page in headless Chromium with every request going through ``fetch.Recorder``."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import trafilatura
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Route, ViewportSize, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from qinglang.evidence.fetch import Exchange, Recorder

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
# Chromium cannot paint arbitrarily tall screenshots; beyond this the screenshot is cut and says so.
MAX_SCREENSHOT_HEIGHT = 20000
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
# Chromium's own agent string says "HeadlessChrome", which many sites answer differently.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"


@dataclass(frozen=True)
class BrowserOptions:
    chromium: str
    navigation_timeout: float  # seconds for the page's load event
    time_zone: str = "Asia/Shanghai"


@dataclass
class Rendered:
    screenshot: bytes = b""
    pdf: bytes = b""
    dom: str = ""
    text: str = ""
    title: str = ""
    load_timed_out: bool = False
    error: str = ""
    notes: list[str] = field(default_factory=list)


def default_chromium() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def follow(recorder: Recorder, method: str, url: str, headers: dict[str, str], body: bytes | None) -> list[Exchange]:
    """Fetch ``url`` and every redirect after it, each hop checked and recorded on its own.

    Redirects are followed here rather than by Chromium: a redirect the browser follows itself
    bypasses the route handler, and with it the SSRF check and the WARC record.
    """
    chain = [recorder.fetch(method, url, headers, body)]
    while len(chain) <= MAX_REDIRECTS:
        last = chain[-1]
        location = last.header("Location")
        if last.status not in REDIRECT_STATUSES or not location:
            break
        # 303, and 301/302 after a POST, turn into a GET without a body, as browsers do.
        if last.status == 303 or (last.status in (301, 302) and method == "POST"):
            method, body = "GET", None
        chain.append(recorder.fetch(method, urljoin(last.url, location), headers, body))
    return chain


def _route_handler(recorder: Recorder, ready: dict[str, Exchange]) -> Any:
    def handle(route: Route) -> None:
        request = route.request
        exchange = ready.pop(request.url, None) if request.is_navigation_request() else None
        if exchange is None:
            headers = request.headers
            exchange = follow(recorder, request.method, request.url, headers, request.post_data_buffer)[-1]
        if exchange.status is None:
            route.abort("blockedbyclient" if exchange.refused else "failed")
            return
        route.fulfill(status=exchange.status, headers=recorder.browser_headers(exchange), body=exchange.body)

    return handle


def _snapshot(page: Any, result: Rendered) -> None:
    height = int(page.evaluate("() => document.documentElement.scrollHeight") or 0)
    if height > MAX_SCREENSHOT_HEIGHT:
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": MAX_SCREENSHOT_HEIGHT}
        result.screenshot = page.screenshot(full_page=True, clip=clip)
        result.notes.append(f"页面高 {height} 像素，截图只保留前 {MAX_SCREENSHOT_HEIGHT} 像素")
    else:
        result.screenshot = page.screenshot(full_page=True)
    result.dom = page.content()
    result.title = page.title()
    page.emulate_media(media="screen")
    result.pdf = page.pdf(print_background=True, format="A4")


def extract_text(dom: str, url: str) -> str:
    text = trafilatura.extract(dom, url=url, include_comments=False, favor_recall=True) if dom else None
    return text or ""


def render(main: Exchange, recorder: Recorder, options: BrowserOptions) -> Rendered:
    """Load the already fetched final document ``main`` in Chromium and take the artefacts."""
    url = main.url
    result = Rendered()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=VIEWPORT,
                locale="zh-CN",
                timezone_id=options.time_zone,  # type: ignore[arg-type]
                service_workers="block",
                user_agent=USER_AGENT,
            )
            page = context.new_page()
            page.route("**/*", _route_handler(recorder, {url: main}))
            try:
                page.goto(url, wait_until="load", timeout=options.navigation_timeout * 1000)
            except PlaywrightTimeout:
                result.load_timed_out = True
                result.notes.append(f"页面在 {options.navigation_timeout:.0f} 秒内未加载完成，按当时状态固定")
            except PlaywrightError as exc:
                result.error = str(exc).splitlines()[0]
            _snapshot(page, result)
        finally:
            browser.close()
    result.text = extract_text(result.dom, url)
    return result
