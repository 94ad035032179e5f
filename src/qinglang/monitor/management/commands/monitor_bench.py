"""``qinglang monitor_bench --yes``: the monitor's figures for ``make bench``.

Writes benchmark documents into the configured database, so run it on a throw-away one:
``QINGLANG_VAR_DIR=$(mktemp -d) qinglang migrate && QINGLANG_VAR_DIR=… qinglang monitor_bench --yes``.

- ingest: a sender posts ``--rate`` items/s for ``--seconds`` to ``POST /api/v1/documents``
  (token auth, batches of 10; Django's test client runs the whole request stack, middleware,
  auth and validation included, without a socket) while this process runs the clustering
  consumer; latency is each document's ``received_at`` to ``processed_at`` (the end-to-end
  figure through a real HTTP server, the broker and a worker is in docs/monitor.md);
- search: ``--search-docs`` documents indexed, then the search page's query (page of 30 plus
  the capped count, as an analyst) for a few queries, p50/p95;
- reports: building the daily and weekly report and rendering xlsx and PDF.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from qinglang.core.models import ApiToken
from qinglang.monitor import reports, search
from qinglang.monitor.analysis import index_text
from qinglang.monitor.demo import ENTERPRISES, STORIES, TAILS
from qinglang.monitor.filters import EventFilter, filter_documents
from qinglang.monitor.ingest import default_department, source_named
from qinglang.monitor.models import Document, DocumentState
from qinglang.monitor.processing import process_partition
from qinglang.org.models import Department, DepartmentKind, Role, User
from qinglang.org.scoping import visible_to

QUERIES = ["删帖费 星岚科技", "座谈会", "澄港物流 倒闭", "禾润食品 致癌 谣言", "宣传周 社区", "年度报告 投产",
           "没有这样的词"]


def _text(rng: random.Random, i: int) -> str:
    story, _, _ = rng.choice(STORIES)
    return story.format(e=rng.choice(list(ENTERPRISES))) + f"（第{i}号）" + rng.choice(TAILS)


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    if not values:
        return "no samples"
    return (f"p50 {values[len(values) // 2]:.3f} p95 {values[int(len(values) * 0.95)]:.3f} "
            f"p99 {values[int(len(values) * 0.99)]:.3f} max {values[-1]:.3f}")


class Command(BaseCommand):
    help = "Measure ingest latency, search speed and report generation (on a throw-away database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--yes", action="store_true", help="confirm the database is a throw-away one")
        parser.add_argument("--rate", type=int, default=100)
        parser.add_argument("--seconds", type=int, default=30)
        parser.add_argument("--search-docs", type=int, default=100_000)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("This writes benchmark documents into the configured database; pass --yes.")
        if default_department() is None:
            Department.objects.create(code="bench-office", name="基准测试办", kind=DepartmentKind.OFFICE)
        self._ingest(options["rate"], options["seconds"])
        self._search(options["search_docs"])
        self._reports()

    def _ingest(self, rate: int, seconds: int) -> None:
        pusher, _ = User.objects.get_or_create(
            username="bench-pusher", defaults={"role": Role.DUTY_OFFICER, "department": default_department()})
        _, key = ApiToken.issue(pusher, "monitor_bench")
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
        rng = random.Random(1)
        stop = threading.Event()
        failures: list[str] = []

        def sender() -> None:
            start, sent = time.monotonic(), 0
            while sent < rate * seconds:
                time.sleep(max(0.0, start + sent / rate - time.monotonic()))
                batch = [{"id": f"i{time.time_ns()}-{k}", "text": _text(rng, sent + k)} for k in range(10)]
                answer = client.post("/api/v1/documents", {"source": "bench-ingest", "items": batch},
                                     content_type="application/json")
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.content[:200]!r}")
                sent += len(batch)
            connection.close()
            stop.set()

        thread = threading.Thread(target=sender)
        thread.start()
        while not stop.is_set():
            if not process_partition("zh"):
                time.sleep(0.05)
        thread.join()
        if failures:
            raise CommandError(f"the push API refused {len(failures)} batches, first: {failures[0]}")
        process_partition("zh")
        rows = Document.objects.filter(source__name="bench-ingest").values_list("received_at", "processed_at")
        latency = [(done - got).total_seconds() for got, done in rows if done]
        self.stdout.write(f"ingest {rate} items/s through POST /api/v1/documents for {seconds} s: "
                          f"{len(latency)} analysed; receipt to event, "
                          f"seconds: {_percentiles(latency)}")

    def _fill(self, n: int) -> None:
        source = source_named("bench-search")
        have = Document.objects.filter(source=source).count()
        rng, now = random.Random(2), timezone.now()
        for start in range(have, n, 5000):
            docs = []
            for i in range(start, min(n, start + 5000)):
                text = _text(rng, i)
                docs.append(Document(source=source, department_id=source.department_id, key=f"id:{i}", text=text,
                                     published_at=now - timedelta(minutes=i % 20000), state=DocumentState.PROCESSED,
                                     search_text=index_text("", text)))
            with transaction.atomic():
                search.index(Document.objects.bulk_create(docs))
        if connection.vendor == "postgresql":
            # what autovacuum does within a minute of a bulk load: without statistics on the
            # full-text index the planner guesses one match per query
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE monitor_document")

    def _search(self, n: int) -> None:
        from qinglang.monitor.views import CappedPaginator

        started = time.monotonic()
        self._fill(n)
        self.stdout.write(f"search: {n} documents indexed in {time.monotonic() - started:.0f} s")
        analyst, _ = User.objects.get_or_create(
            username="bench-analyst", defaults={"role": Role.ANALYST, "department": default_department()})
        for label, filters in (("no filter", EventFilter()), ("last 7 days", EventFilter(days=7))):
            samples = []
            for _ in range(5):
                for query in QUERIES:
                    begin = time.perf_counter()
                    docs = search.matching(visible_to(analyst, Document.objects.select_related("source")), query)
                    page = CappedPaginator(filter_documents(docs, filters).order_by("-pk"), 30).get_page(1)
                    list(page)
                    samples.append(time.perf_counter() - begin)
            total = Document.objects.count()
            self.stdout.write(f"search at {total} documents, {label}, seconds: {_percentiles(samples)}")

    def _reports(self) -> None:
        tomorrow = timezone.localdate() + timedelta(days=1)
        for kind in ("daily", "weekly"):
            begin = time.perf_counter()
            report = reports.generate(kind, *reports.period(kind, tomorrow))
            built = time.perf_counter() - begin
            begin = time.perf_counter()
            reports.to_xlsx(report.data)
            reports.to_pdf(report.data)
            rendered = time.perf_counter() - begin
            self.stdout.write(f"report {kind}: built in {built:.2f} s, xlsx + PDF in {rendered:.2f} s")
