"""The stateful stage: one consumer per partition feeds pending documents to the engine.

Crash safety rests on three facts. (1) A document's result, its sequence number, the event
counters, the alerts and the partition's ``last_seq`` are written in one transaction, so a
killed worker leaves either all of a batch or none of it. (2) The engine's state at ``last_seq``
can always be rebuilt: restore the latest snapshot (taken at ``snapshot_seq``) and replay the
stored documents after it in sequence order, which is deterministic. (3) The commit only
succeeds if ``last_seq`` is still what this consumer started from, so even two consumers that
both think they hold the lease cannot assign a document twice.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qinglang.engine import Engine
from qinglang.engine.pipeline import Result
from qinglang.monitor import alerts, merging, search
from qinglang.monitor.analysis import build_engine, to_engine_doc, watch_hash, watchlist_rows
from qinglang.monitor.models import NEGATIVE, Checkpoint, Document, DocumentState, Event, Mention, level_rank

log = logging.getLogger(__name__)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


class LostLease(RuntimeError):
    """Another consumer moved the partition on; this one's batch is rolled back."""


@dataclass
class Loaded:
    engine: Engine
    last_seq: int
    snapshot_seq: int
    watch: str
    watched_ids: dict[str, int] = field(default_factory=dict)  # watched name -> WatchedEntity id


_LOADED: dict[str, Loaded] = {}


def forget_engines() -> None:
    """Drop in-memory engines (a restarted worker starts like this)."""
    _LOADED.clear()


# -- lease ----------------------------------------------------------------------------------


def claim(partition: str) -> bool:
    Checkpoint.objects.get_or_create(partition=partition)
    now = timezone.now()
    free = Q(owner=WORKER_ID) | Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    until = now + timedelta(seconds=settings.MONITOR_LEASE_SECONDS)
    return bool(Checkpoint.objects.filter(free, partition=partition).update(owner=WORKER_ID, lease_until=until))


def release(partition: str) -> None:
    Checkpoint.objects.filter(partition=partition, owner=WORKER_ID).update(owner="", lease_until=None)


# -- engine state ---------------------------------------------------------------------------


def _engine_doc(doc: Document) -> Any:
    return to_engine_doc(doc.pk, doc.text, doc.title, doc.published_at, doc.source.name, doc.author, doc.url)


def _replay(engine: Engine, partition: str, after: int, upto: int) -> int:
    """Feed already-processed documents back in order to rebuild state; nothing is written."""
    replayed = 0
    docs = (
        Document.objects.filter(partition=partition, state=DocumentState.PROCESSED, seq__gt=after, seq__lte=upto)
        .select_related("source")
        .order_by("seq")
    )
    for doc in docs.iterator(chunk_size=1000):
        engine.process_one(_engine_doc(doc))
        replayed += 1
    return replayed


def _fresh_engine(checkpoint: Checkpoint) -> tuple[Engine, int]:
    """An engine at the latest snapshot, with the watch list its later documents were read with."""
    engine = build_engine(checkpoint.watchlist, settings.MONITOR_SNAPSHOT_DIR)
    path = Path(checkpoint.snapshot_path) if checkpoint.snapshot_path else None
    if path is not None and path.exists() and checkpoint.snapshot_seq <= checkpoint.last_seq:
        engine.restore(path)
        return engine, checkpoint.snapshot_seq
    if checkpoint.snapshot_seq:
        log.warning("monitor: snapshot %s is missing; replaying partition %s from the start", path,
                    checkpoint.partition)
    return engine, 0


def _rewatch(cached: Loaded, rows: list[dict[str, Any]]) -> Engine:
    """Same stream state, new watch list: move the state over through a snapshot file."""
    folder = Path(settings.MONITOR_SNAPSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rewatch-{os.getpid()}.pkl"
    cached.engine.snapshot(path)
    engine = build_engine(rows, folder)
    engine.restore(path)
    path.unlink(missing_ok=True)
    return engine


def _ids(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["name"]: row["id"] for row in rows}


def load(partition: str, checkpoint: Checkpoint) -> Loaded:
    """The partition's engine at ``checkpoint.last_seq``, with the current watch list."""
    loaded = _LOADED.get(partition)
    if loaded is None or loaded.last_seq != checkpoint.last_seq:
        engine, base = _fresh_engine(checkpoint)
        replayed = _replay(engine, partition, base, checkpoint.last_seq)
        log.info("monitor: partition %s rebuilt from snapshot %s plus %s documents", partition, base, replayed)
        loaded = Loaded(engine, checkpoint.last_seq, base, watch_hash(checkpoint.watchlist),
                        _ids(checkpoint.watchlist))
        _LOADED[partition] = loaded
    rows = watchlist_rows()
    if loaded.watch != watch_hash(rows):
        # Snapshot right at the change, so that no replay ever spans two watch lists.
        loaded.engine, loaded.watch, loaded.watched_ids = _rewatch(loaded, rows), watch_hash(rows), _ids(rows)
        snapshot(partition, loaded, rows)
    return loaded


def snapshot(partition: str, loaded: Loaded, watchlist: list[dict[str, Any]] | None = None) -> None:
    """Write the engine's state at ``loaded.last_seq`` and point the checkpoint at it."""
    folder = Path(settings.MONITOR_SNAPSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{partition}-{loaded.last_seq}-{loaded.watch}.pkl"
    loaded.engine.snapshot(path)
    old = Checkpoint.objects.filter(partition=partition).values_list("snapshot_path", flat=True).first()
    fields: dict[str, Any] = {"snapshot_seq": loaded.last_seq, "snapshot_path": str(path)}
    if watchlist is not None:
        fields["watchlist"] = watchlist
    # Only at the checkpoint's own seq: a consumer that lost the partition must not move it back.
    updated = Checkpoint.objects.filter(partition=partition, last_seq=loaded.last_seq).update(**fields)
    if updated and old and old != str(path):
        Path(old).unlink(missing_ok=True)
    loaded.snapshot_seq = loaded.last_seq


# -- writing results ------------------------------------------------------------------------


class EventBook:
    """The events a batch touches, loaded once and saved once."""

    def __init__(self, partition: str, loaded: Loaded) -> None:
        self.partition = partition
        self.loaded = loaded
        self.events: dict[str, Event] = {}

    def get(self, engine_id: str, doc: Document) -> Event:
        event = self.events.get(engine_id)
        if event is None:
            # locked for the batch: an analyst's merge (merging.merge) waits, or has finished
            # and this reads where the documents go now
            event = Event.objects.select_for_update().filter(partition=self.partition, engine_id=engine_id).first()
            if event is not None:
                # one object per row: two engine events merged into one must not save over
                # each other's counters
                target = merging.final(event, lock=True)
                event = next((e for e in self.events.values() if e.pk == target.pk), target)
        if event is None:
            # The first document's own words (the engine's label is its normalised text, with
            # half-width punctuation): what a reader recognises from the source.
            event = Event(
                partition=self.partition, engine_id=engine_id, label=doc.headline(), department_id=doc.department_id,
                first_document=doc, first_seen=doc.published_at, last_seen=doc.published_at,
            )
        self.events[engine_id] = event
        return event

    def add(self, event: Event, doc: Document, result: Result) -> None:
        event.size += 1
        event.first_seen = min(event.first_seen, doc.published_at)
        event.last_seen = max(event.last_seen, doc.published_at)
        event.sentiment_sum += result.sentiment
        event.negative += result.sentiment <= NEGATIVE
        risk = result.risk
        if (level_rank(risk.level), risk.score) > (level_rank(event.risk_level), event.risk_score):
            event.risk_level, event.risk_score, event.risk_reasons = risk.level, risk.score, risk.reasons
        event.categories = sorted(set(event.categories) | set(result.categories))
        if result.event == event.engine_id:   # not an engine event merged into this one
            event.kind = result.kind or event.kind
            # the engine keeps as label the most representative headline so far (for an item
            # that runs several headlines together, the one about the company the event is about)
            event.label = (result.label or event.label)[:200]
        watched = {e["name"] for e in result.entities} & set(self.loaded.watched_ids)
        event.entities = sorted(set(event.entities) | watched)
        sources = dict(event.sources)
        sources[doc.source.name] = sources.get(doc.source.name, 0) + 1
        event.sources = sources
        event.retag()
        event.reheat()

    def save(self) -> None:
        for event in {e.pk: e for e in self.events.values()}.values():   # merged ones share a row
            event.save()


def _apply(doc: Document, result: Result, seq: int, event: Event) -> None:
    doc.seq = seq
    doc.state = DocumentState.PROCESSED
    doc.event = event
    doc.duplicate_of_id = int(result.duplicate_of) if result.duplicate_of else None
    doc.sentiment = result.sentiment
    doc.entity_tones = {name: round(tone, 4) for name, tone in result.entity_tones.items()}
    doc.entity_alarm_tones = {name: round(tone, 4) for name, tone in result.alarm_tones.items()}
    doc.entities = result.entities
    doc.categories = result.categories
    doc.risk_level, doc.risk_score, doc.risk_reasons = result.risk.level, result.risk.score, result.risk.reasons
    doc.processed_at = timezone.now()
    doc.error = ""


RESULT_FIELDS = [
    "seq", "state", "event", "duplicate_of", "sentiment", "entity_tones", "entity_alarm_tones", "entities",
    "categories", "risk_level",
    "risk_score", "risk_reasons", "processed_at", "error", "search_text",
]


def _mentions(docs: list[Document], watched: dict[str, int]) -> list[Mention]:
    rows = []
    for doc in docs:
        for name in sorted({e["name"] for e in doc.entities} & set(watched)):
            tone = doc.tone_about(name)
            rows.append(Mention(
                entity_id=watched[name], document=doc, event=doc.event, published_at=doc.published_at,
                sentiment=tone, negative=tone <= NEGATIVE, categories=doc.categories,
            ))
    return rows


def _run_batch(partition: str, loaded: Loaded, docs: list[Document]) -> int:
    book = EventBook(partition, loaded)
    seq = loaded.last_seq
    done: list[Document] = []
    for doc in docs:
        try:
            features = loaded.engine.analyze(_engine_doc(doc))
        except Exception as error:  # noqa: BLE001 - analysis is stateless: one bad item must not stop the stream
            doc.state, doc.error = DocumentState.FAILED, f"分析失败：{error}"[:2000]
            doc.save(update_fields=["state", "error"])
            continue
        result = loaded.engine.assign(features)
        seq += 1
        event = book.get(result.event, doc)
        if event.pk is None:
            event.save()  # documents point at it below
        book.add(event, doc, result)
        _apply(doc, result, seq, event)
        doc.search_text = search.words_for(doc)
        done.append(doc)
    book.save()
    Document.objects.bulk_update(done, RESULT_FIELDS)
    Mention.objects.bulk_create(_mentions(done, loaded.watched_ids), ignore_conflicts=True)
    search.index(done)
    alerts.evaluate(done, book.events)
    if not Checkpoint.objects.filter(partition=partition, last_seq=loaded.last_seq).update(last_seq=seq):
        raise LostLease(f"partition {partition} moved past {loaded.last_seq}")
    return seq


def process_batch(partition: str, size: int = 200) -> int:
    """Analyse up to ``size`` pending documents in one transaction; return how many were taken."""
    checkpoint = Checkpoint.objects.get(partition=partition)
    loaded = load(partition, checkpoint)
    pending = Document.objects.filter(partition=partition, state=DocumentState.PENDING).order_by("pk")
    docs = list(pending.select_related("source")[:size])
    if not docs:
        return 0
    try:
        with transaction.atomic():
            seq = _run_batch(partition, loaded, docs)
    except BaseException:
        # The engine has moved on in memory but the database has not: rebuild next time.
        _LOADED.pop(partition, None)
        raise
    loaded.last_seq = seq
    if seq - loaded.snapshot_seq >= settings.MONITOR_SNAPSHOT_EVERY:
        snapshot(partition, loaded)
    return len(docs)


def _drain(partition: str, limit: int | None, batch: int) -> int:
    done = 0
    while limit is None or done < limit:
        taken = process_batch(partition, batch if limit is None else min(batch, limit - done))
        done += taken
        if not taken or not claim(partition):  # claim() renews the lease between batches
            break
    return done


def process_partition(partition: str = "zh", *, limit: int | None = None, batch: int = 200) -> int:
    """Drain the partition's queue while holding its lease; other callers return at once.

    A document stored while another consumer was finishing would wait for the scheduler's next
    round, since that consumer's task already ran: so whoever releases the lease looks for
    pending documents *after* releasing and goes again. The last consumer to release sees them.
    """
    done = 0
    while limit is None or done < limit:
        if not claim(partition):
            break
        try:
            done += _drain(partition, None if limit is None else limit - done, batch)
        finally:
            release(partition)
        pending = Document.objects.filter(partition=partition, state=DocumentState.PENDING)
        if limit is not None or not pending.exists():
            break
    return done


def partitions_with_work() -> list[str]:
    pending = Document.objects.filter(state=DocumentState.PENDING)
    return sorted(set(pending.values_list("partition", flat=True).distinct()))
