"""One capture from URL to package, without Django: check, record, render, describe, package.

``services.run_capture`` calls this for a database row; the pieces stay testable on their own.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any
from zoneinfo import ZoneInfo

from qinglang.evidence import browser, netguard, package, record_pdf
from qinglang.evidence.fetch import Exchange, Limits, Recorder

Progress = Callable[[int, str], None]
# What Chromium sends for a top-level page, so the first request looks like the browser's own.
NAVIGATION_HEADERS = {
    "User-Agent": browser.USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}


class Outcome:
    """How a capture ended; each is a clear, recorded result (Chinese labels live in models)."""

    OK = "ok"
    NOT_FOUND = "not_found"
    HTTP_ERROR = "http_error"
    LOAD_TIMEOUT = "load_timeout"
    INCOMPLETE = "incomplete"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"


@dataclass(frozen=True)
class Job:
    capture: str  # the public identifier printed on the record
    url: str
    reason: str = ""
    case_reference: str = ""
    operator: str = ""
    department: str = ""
    source: str = ""


@dataclass(frozen=True)
class Config:
    limits: Limits
    browser: browser.BrowserOptions
    package: package.Options


@dataclass
class Result:
    outcome: str
    error: str = ""
    final_url: str = ""
    status: int | None = None
    title: str = ""
    text_sha256: str = ""
    text: str = ""
    notes: list[str] = field(default_factory=list)
    built: package.Built | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


def software() -> str:
    names = ("qinglang", "playwright", "warcio", "trafilatura")
    versions = []
    for name in names:
        try:
            versions.append(f"{name}/{version(name)}")
        except Exception:  # noqa: BLE001 - an uninstalled distribution only loses its version string
            versions.append(name)
    return " ".join(versions)


def _warcinfo(job: Job, config: Config) -> dict[str, str]:
    return {
        "software": software(),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "browser": f"Chromium ({config.browser.chromium})",
        "host-os": platform.platform(),
        "isPartOf": job.capture,
        "description": f"Qinglang evidence capture of {job.url}",
    }


def classify(main: Exchange | None, rendered: browser.Rendered, exchanges: list[Exchange]) -> tuple[str, list[str]]:
    notes = list(rendered.notes)
    cut = [e for e in exchanges if e.truncated]
    notes += [f"资源未完整获取（{e.truncated}）: {e.url}" for e in cut]
    failed = [e for e in exchanges if e.error and e is not main]
    notes += [f"资源获取失败: {e.url}（{e.error}）" for e in failed]
    if main is None or main.status is None:
        return Outcome.UNREACHABLE, notes
    if main.status in (404, 410):
        return Outcome.NOT_FOUND, notes
    if main.status >= 400:
        return Outcome.HTTP_ERROR, notes
    if rendered.load_timed_out:
        return Outcome.LOAD_TIMEOUT, notes
    return (Outcome.INCOMPLETE if cut else Outcome.OK), notes


def provenance(
    job: Job, target: netguard.Target, chain: list[Exchange], exchanges: list[Exchange], started: datetime, tz: str
) -> dict[str, Any]:
    final = chain[-1] if chain else None
    return {
        "capture": job.capture,
        "requested_url": job.url,
        "final_url": final.url if final else "",
        "redirects": [{"url": e.url, "status": e.status, "location": e.header("Location")} for e in chain],
        "addresses": list(target.addresses),
        "connected_ip": final.ip if final else None,
        "tls": final.tls if final else None,
        "response_headers": [list(h) for h in final.headers] if final else [],
        "started_utc": started.isoformat(),
        "started_local": started.astimezone(ZoneInfo(tz)).isoformat(),
        "time_zone": tz,
        "operator": job.operator,
        "department": job.department,
        "reason": job.reason,
        "case_reference": job.case_reference,
        "source": job.source,
        "software": software(),
        "requests": [e.summary() for e in exchanges],
    }


def _artefacts(
    warc: bytes, rendered: browser.Rendered, record: dict[str, Any], job: Job, started: datetime
) -> dict[str, bytes]:
    return {
        "archive/data.warc.gz": warc,
        "indexes/index.cdx": package.cdxj_index(warc),
        "pages/pages.jsonl": package.pages_jsonl(
            record["final_url"] or job.url, started, rendered.title, rendered.text
        ),
        "evidence/provenance.json": json.dumps(record, ensure_ascii=False, indent=2, default=str).encode(),
        "evidence/screenshot.png": rendered.screenshot,
        "evidence/page.pdf": rendered.pdf,
        "evidence/dom.html": rendered.dom.encode(),
        "evidence/text.txt": rendered.text.encode(),
    }


def _about(job: Job, record: dict[str, Any], outcome_label: str, started: datetime) -> dict[str, Any]:
    return {
        "capture": job.capture,
        "title": f"证据 {job.capture}",
        "description": f"网页取证: {job.url}",
        "url": job.url,
        "requested_url": job.url,
        "final_url": record["final_url"],
        "addresses": record["addresses"],
        "created": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "created_local": record["started_local"],
        "operator": job.operator,
        "department": job.department,
        "reason": job.reason,
        "case_reference": job.case_reference,
        "software": record["software"],
        "outcome_label": outcome_label,
    }


def run(job: Job, config: Config, progress: Progress, label: Callable[[str], str]) -> Result:
    """Capture ``job.url``; ``label`` names an outcome code for the printed record."""
    progress(5, "检查网址")
    try:
        target = netguard.check(job.url, allow_private=config.limits.allow_private)
    except netguard.UrlRefused as exc:
        return Result(Outcome.REFUSED, error=str(exc))
    started = datetime.now(UTC).replace(microsecond=0)
    stream = io.BytesIO()
    recorder = Recorder(stream, config.limits)
    recorder.write_warcinfo(_warcinfo(job, config))
    progress(10, "请求网址并跟随跳转")
    chain = browser.follow(recorder, "GET", job.url, dict(NAVIGATION_HEADERS), None)
    main = chain[-1]
    if main.status is None:
        return Result(
            Outcome.UNREACHABLE,
            error=main.error or "无法连接",
            final_url=main.url,
            provenance=provenance(job, target, chain, recorder.exchanges, started, config.browser.time_zone),
        )
    progress(20, "浏览器加载页面并记录全部请求")
    rendered = browser.render(main, recorder, config.browser)
    outcome, notes = classify(main, rendered, recorder.exchanges)
    record = provenance(job, target, chain, recorder.exchanges, started, config.browser.time_zone)
    record.update({"outcome": outcome, "notes": notes, "title": rendered.title})
    result = Result(
        outcome,
        final_url=record["final_url"],
        status=main.status,
        title=rendered.title,
        text=rendered.text,
        text_sha256=hashlib.sha256(rendered.text.encode()).hexdigest(),
        notes=notes,
        provenance=record,
    )
    progress(70, "计算哈希、申请可信时间戳、打包")
    about = _about(job, record, label(outcome), started)
    files = _artefacts(stream.getvalue(), rendered, record, job, started)
    result.built = package.build(files, about, config.package, lambda built, _files: record_pdf.build(about, built))
    progress(100, "完成")
    return result
