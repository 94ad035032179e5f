"""Taking documents in: validation with clear Chinese errors, idempotent storage, nothing lost.

Every channel (push API, file import, feed fetching) ends here. A valid item is stored as a
pending document and analysed later by the clustering consumer; an invalid one is kept verbatim
as a ``RawInput`` with the reason, so it can be fixed and retried.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qinglang.engine.normalize import clean_text
from qinglang.monitor.models import Document, RawInput, Source, SourceKind
from qinglang.org.models import Department, DepartmentKind

FIELDS = ("id", "url", "title", "text", "author", "time")


class IngestError(ValueError):
    """One item cannot be taken in; the message is shown to the sender as is."""


@dataclass
class Outcome:
    index: int
    status: str  # created | duplicate | error
    id: int | None = None
    error: str = ""


@dataclass
class Tally:
    created: int = 0
    duplicates: int = 0
    errors: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcomes: list[Outcome]) -> None:
        # Only the first errors are kept for the report; all of them are stored as RawInput.
        room = max(0, 100 - len(self.outcomes))
        self.outcomes += [o for o in outcomes if o.status == "error"][:room]
        for item in outcomes:
            if item.status == "created":
                self.created += 1
            elif item.status == "duplicate":
                self.duplicates += 1
            else:
                self.errors += 1


def parse_time(value: Any) -> datetime:
    if value is None or value == "":
        return timezone.now()
    if isinstance(value, bool):
        raise IngestError("时间格式无效：应为 ISO 8601 字符串或 Unix 秒数")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            pass
        else:
            return _from_epoch(seconds)
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise IngestError(f"时间格式无效：{text[:40]!r}，应为 ISO 8601（如 2025-03-01T08:00:00+08:00）") from None
        return stamp if stamp.tzinfo else timezone.make_aware(stamp)
    raise IngestError("时间格式无效：应为 ISO 8601 字符串或 Unix 秒数")


def _from_epoch(seconds: float) -> datetime:
    """Unix seconds as a date; NaN, infinities, integers of hundreds of digits and years past
    9999 (JSON allows them all) are the sender's error, not ours."""
    try:
        return datetime.fromtimestamp(float(seconds), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise IngestError(f"时间超出范围：{str(seconds)[:40]}，应为 Unix 秒数或 ISO 8601") from None


def _text_field(row: dict[str, Any], name: str, limit: int) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise IngestError(f"字段 {name} 应为文本")
    return clean_text(str(value)).strip()[:limit]


def _key(external_id: str, url: str, text: str) -> str:
    if external_id:
        return f"id:{external_id}"
    if url:
        return "url:" + hashlib.sha256(url.encode()).hexdigest()
    return "text:" + hashlib.sha256(text.encode()).hexdigest()


def clean(row: Any) -> dict[str, Any]:
    """Validate one item; raise ``IngestError`` saying what is wrong in words a sender can act on."""
    if not isinstance(row, dict):
        raise IngestError("每一条应为 JSON 对象（含 text 字段）")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError("缺少正文：text 字段为空或不是文本")
    text = clean_text(text)  # a lone "\ud800" (valid JSON) could be neither hashed nor stored
    if len(text) > settings.MONITOR_MAX_TEXT_CHARS:
        raise IngestError(f"正文过长：{len(text)} 字，上限 {settings.MONITOR_MAX_TEXT_CHARS} 字")
    external_id = _text_field(row, "id", 200)
    url = _text_field(row, "url", 1000)
    if url and not url.startswith(("http://", "https://")):
        raise IngestError(f"网址无效：{url[:60]!r}，应以 http:// 或 https:// 开头")
    return {
        "key": _key(external_id, url, text),
        "external_id": external_id,
        "url": url,
        "title": _text_field(row, "title", 500),
        "text": text.strip(),
        "author": _text_field(row, "author", 200),
        "published_at": parse_time(row.get("time", row.get("published_at"))),
    }


def json_problem(error: ValueError | RecursionError) -> str:
    """What is wrong with a text that is not JSON, for its sender (JSON nested a thousand deep,
    or a number of more than 4,300 digits, is valid but beyond the parser's limits)."""
    if isinstance(error, json.JSONDecodeError):
        return error.msg
    return "嵌套过深" if isinstance(error, RecursionError) else "数字位数过多"


def keep_rejected(source: Source | None, channel: str, payload: Any, error: str, caller: Any = None) -> None:
    try:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):
        text = "（无法保存原文：嵌套过深或含无法编码的值）"
    text = clean_text(text)
    RawInput.objects.create(source=source, caller=caller, channel=channel, payload=text, error=error)


def store_batch(source: Source, rows: list[Any], *, channel: str, caller: Any = None) -> list[Outcome]:
    """Store up to a batch of items; duplicates (same source and key) are reported, not stored."""
    outcomes: list[Outcome] = []
    cleaned: dict[int, dict[str, Any]] = {}
    for index, row in enumerate(rows):
        try:
            cleaned[index] = clean(row)
        except IngestError as error:
            keep_rejected(source, channel, row, str(error), caller)
            outcomes.append(Outcome(index, "error", error=str(error)))
    keys = {item["key"] for item in cleaned.values()}
    with transaction.atomic():
        existing = dict(Document.objects.filter(source=source, key__in=keys).values_list("key", "pk"))
        fresh: dict[str, Document] = {}
        for item in cleaned.values():
            if item["key"] not in existing and item["key"] not in fresh:
                fresh[item["key"]] = Document(
                    source=source, department_id=source.department_id, partition=source.partition, **item
                )
        # ignore_conflicts: a concurrent sender may store the same key between our read and write.
        Document.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        ids = dict(Document.objects.filter(source=source, key__in=list(fresh)).values_list("key", "pk"))
    seen: set[str] = set()
    for index, item in cleaned.items():
        key = item["key"]
        is_new = key in fresh and key not in seen
        seen.add(key)
        outcomes.append(Outcome(index, "created" if is_new else "duplicate", existing.get(key) or ids.get(key)))
    return sorted(outcomes, key=lambda o: o.index)


def default_department() -> Department | None:
    """The office at the top of the tree: monitoring is its work, so a source nobody assigned
    (a file imported on the command line) belongs to it rather than to nobody."""
    return Department.objects.filter(kind=DepartmentKind.OFFICE, parent=None).order_by("pk").first()


def source_named(name: str, *, kind: str = SourceKind.PUSH, department: Any = None) -> Source:
    defaults = {"kind": kind, "department": department or default_department()}
    source, _ = Source.objects.get_or_create(name=name[:100], defaults=defaults)
    return source


def retry_rejected(raw: RawInput) -> Outcome:
    """Try a kept item again (after its sender or the code was fixed); resolved if it goes in."""
    try:
        row = json.loads(raw.payload)
    except (ValueError, RecursionError):
        return Outcome(0, "error", error="原始输入仍不是有效的 JSON，请修正后重新提交")
    source = raw.source or source_named(f"api:{getattr(raw.caller, 'username', 'unknown')}")
    outcome = store_batch(source, [row], channel=f"retry:{raw.channel}", caller=raw.caller)[0]
    if outcome.status != "error":
        RawInput.objects.filter(pk=raw.pk).update(resolved=True)
    return outcome


# -- files ----------------------------------------------------------------------------------


class FileFormatError(IngestError):
    pass


def read_rows(handle: io.TextIOBase | Any, name: str) -> Iterator[tuple[int, Any]]:
    """(line number, row) of a JSONL or CSV file; a line that is not JSON comes as ``_BadLine``."""
    if name.lower().endswith(".csv"):
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise FileFormatError("CSV 文件第一行应为列名，且至少包含 text 列")
        for row in reader:
            yield reader.line_num, row
        return
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as error:
            yield number, _BadLine(line.rstrip("\n"), f"不是有效的 JSON：{json_problem(error)}")
        else:
            yield number, row


@dataclass
class _BadLine:
    raw: str
    error: str


def count_rows(path: str) -> int:
    with open(path, encoding="utf-8-sig", errors="replace") as handle:  # noqa: PTH123
        lines = sum(1 for line in handle if line.strip())
    return max(0, lines - 1) if path.lower().endswith(".csv") else lines


def _store_numbered(source: Source, chunk: list[tuple[int, Any]], channel: str, caller: Any) -> list[Outcome]:
    """Store a chunk and report each outcome under the row's line number in the file."""
    outcomes = store_batch(source, [row for _, row in chunk], channel=channel, caller=caller)
    for outcome in outcomes:
        outcome.index = chunk[outcome.index][0]
        if outcome.error:
            outcome.error = f"第 {outcome.index} 行：{outcome.error}"
    return outcomes


def import_rows(
    source: Source, rows: Iterable[tuple[int, Any]], *, channel: str = "import", caller: Any = None,
    batch: int = 500,
) -> Iterator[Tally]:
    """Store rows in batches, yielding the running tally after each (for progress bars)."""
    tally = Tally()
    chunk: list[tuple[int, Any]] = []
    for number, row in rows:
        if isinstance(row, _BadLine):
            keep_rejected(source, channel, row.raw, f"第 {number} 行{row.error}", caller)
            tally.add([Outcome(number, "error", error=f"第 {number} 行{row.error}")])
            continue
        chunk.append((number, row))
        if len(chunk) >= batch:
            tally.add(_store_numbered(source, chunk, channel, caller))
            chunk = []
            yield tally
    if chunk:
        tally.add(_store_numbered(source, chunk, channel, caller))
    yield tally
