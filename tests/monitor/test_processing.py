"""The clustering consumer: results, snapshots, restart, and a worker killed mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from qinglang.monitor import processing
from qinglang.monitor.analysis import build_engine, to_engine_doc, watchlist_rows
from qinglang.monitor.ingest import source_named, store_batch
from qinglang.monitor.models import Checkpoint, Document, DocumentState, Event, Mention
from tests.monitor.corpus import stream
from tests.processes import ROOT, django_command, django_env


def load(n: int, seed: int = 7) -> None:
    source = source_named("测试源")
    rows = stream(n, seed)
    for start in range(0, n, 500):
        store_batch(source, rows[start:start + 500], channel="test")


def reference_assignments() -> dict[int, tuple[str, int | None]]:
    """What one uninterrupted engine makes of the stored documents, in arrival order."""
    engine = build_engine(watchlist_rows(), Path(settings.MONITOR_SNAPSHOT_DIR))
    out = {}
    for doc in Document.objects.select_related("source").order_by("pk"):
        doc_in = to_engine_doc(doc.pk, doc.text, doc.title, doc.published_at, doc.source.name, doc.author, doc.url)
        result = engine.process_one(doc_in)
        out[doc.pk] = (result.event, int(result.duplicate_of) if result.duplicate_of else None)
    return out


def stored_assignments() -> dict[int, tuple[str, int | None]]:
    rows = Document.objects.values_list("pk", "event__engine_id", "duplicate_of_id")
    return {pk: (engine_id, dup) for pk, engine_id, dup in rows}


def assert_each_document_once(n: int) -> None:
    seqs = sorted(Document.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, n + 1))  # every document, each exactly once, no gap
    assert Document.objects.filter(state=DocumentState.PROCESSED).count() == n
    assert sum(Event.objects.values_list("size", flat=True)) == n
    assert Checkpoint.objects.get(partition="zh").last_seq == n


@pytest.mark.django_db
def test_documents_are_grouped_into_events_with_duplicates_and_mentions(watched: Any) -> None:
    watched("青禾食品", "青禾")
    load(60)
    assert processing.process_partition("zh") == 60
    assert_each_document_once(60)
    assert Document.objects.exclude(duplicate_of=None).exists()
    assert 3 < Event.objects.count() < 60
    assert Mention.objects.filter(entity__name="青禾食品").count() == Document.objects.filter(
        text__contains="青禾食品").count() > 0
    assert Event.objects.filter(tags__contains=" ent:青禾食品 ").exists()
    assert stored_assignments() == reference_assignments()


@pytest.mark.django_db
def test_restart_from_snapshot_and_replay_gives_the_same_events(settings: Any) -> None:
    settings.MONITOR_SNAPSHOT_EVERY = 50
    load(300)
    processing.process_partition("zh", limit=130, batch=40)
    checkpoint = Checkpoint.objects.get(partition="zh")
    assert checkpoint.snapshot_seq >= 50 and Path(checkpoint.snapshot_path).exists()
    processing.forget_engines()  # the worker restarts: only the snapshot and the database remain
    processing.process_partition("zh", batch=40)
    assert_each_document_once(300)
    assert stored_assignments() == reference_assignments()


@pytest.mark.django_db
def test_an_item_the_engine_cannot_read_is_kept_as_failed_and_the_rest_go_on(monkeypatch: Any) -> None:
    load(5)
    bad = Document.objects.order_by("pk")[2]
    real = processing._engine_doc

    def engine_doc(doc: Document) -> Any:
        if doc.pk == bad.pk:
            raise ValueError("模拟的坏数据")
        return real(doc)

    monkeypatch.setattr(processing, "_engine_doc", engine_doc)
    assert processing.process_partition("zh") == 5
    bad.refresh_from_db()
    assert bad.state == DocumentState.FAILED and "模拟的坏数据" in bad.error
    assert Document.objects.filter(state=DocumentState.PROCESSED).count() == 4


@pytest.mark.django_db
def test_a_second_consumer_waits_for_the_lease() -> None:
    load(3)
    Checkpoint.objects.create(partition="zh", owner="other-host:1", lease_until="2999-01-01T00:00:00Z")
    assert processing.process_partition("zh") == 0
    assert Document.objects.filter(state=DocumentState.PENDING).count() == 3


def _subprocess_env(tmp_path: Path) -> dict[str, str]:
    return django_env(MONITOR_SNAPSHOT_DIR=str(tmp_path / "snapshots"), MONITOR_SNAPSHOT_EVERY="40",
                      MONITOR_LEASE_SECONDS="2")


def _wait_for_lease_to_expire() -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lease = Checkpoint.objects.filter(partition="zh").values_list("lease_until", flat=True).first()
        if lease is None or lease < timezone.now():
            return
        time.sleep(0.1)


def _consumer(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return django_command("monitor_process", "--batch", "7", env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    n = 700
    load(n, seed=11)
    env = _subprocess_env(tmp_path)
    kills = 0
    for threshold in (100, 300):
        _wait_for_lease_to_expire()  # the dead consumer's lease runs out before a new one can start
        worker = _consumer(env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            if Checkpoint.objects.filter(partition="zh", last_seq__gte=threshold).exists():
                os.kill(worker.pid, signal.SIGKILL)  # no clean shutdown, possibly mid-transaction
                kills += 1
                break
            time.sleep(0.02)
        worker.wait(timeout=30)
    assert kills == 2, "the consumer finished before it could be killed; raise n"
    assert Document.objects.filter(state=DocumentState.PENDING).exists()
    deadline = time.monotonic() + 180
    while Document.objects.filter(state=DocumentState.PENDING).exists() and time.monotonic() < deadline:
        finished = subprocess.run(
            [sys.executable, "-m", "django", "monitor_process"], env=env, cwd=ROOT, capture_output=True, timeout=120
        )
        assert finished.returncode == 0, finished.stderr.decode()[-2000:]
        time.sleep(0.5)
    assert_each_document_once(n)
    assert stored_assignments() == reference_assignments()


@pytest.mark.django_db
def test_a_name_added_to_the_watch_list_is_found_from_then_on(watched: Any) -> None:
    load(30)
    processing.process_partition("zh")
    assert not Mention.objects.exists()
    watched("鹭屿新能源", "鹭屿")
    store_batch(source_named("测试源"), [{"id": "late-1", "text": "鹭屿公布新储能项目，鹭屿新能源称将扩产。"}],
                channel="test")
    processing.process_partition("zh")
    mention = Mention.objects.get()
    assert mention.entity.name == "鹭屿新能源" and mention.document.external_id == "late-1"
    assert_each_document_once(31)


@pytest.mark.django_db
def test_restart_after_a_watch_list_change_replays_with_the_list_of_the_time(watched: Any, tmp_path: Path) -> None:
    load(200)
    processing.process_partition("zh", limit=100, batch=30)
    watched("海澄物流", "海澄")
    processing.process_partition("zh", limit=50, batch=30)
    processing.forget_engines()  # restart: the replay must not read the first 100 with the new list
    processing.process_partition("zh", batch=30)
    assert_each_document_once(200)

    docs = list(Document.objects.select_related("source").order_by("pk"))
    engine = build_engine([], tmp_path)
    expected = {}
    for i, doc in enumerate(docs):
        if i == 100:  # the list changed here: same state, new list
            engine.snapshot(tmp_path / "state.pkl")
            engine = build_engine(watchlist_rows(), tmp_path)
            engine.restore(tmp_path / "state.pkl")
        doc_in = to_engine_doc(doc.pk, doc.text, doc.title, doc.published_at, doc.source.name, doc.author, doc.url)
        result = engine.process_one(doc_in)
        expected[doc.pk] = (result.event, int(result.duplicate_of) if result.duplicate_of else None)
    assert stored_assignments() == expected
    assert Mention.objects.filter(document__pk__in=[d.pk for d in docs[100:]]).exists()
    assert not Mention.objects.filter(document__pk__in=[d.pk for d in docs[:100]]).exists()
