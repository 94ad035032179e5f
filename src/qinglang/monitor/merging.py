"""Corrections of the engine's clustering by an analyst: merging events, moving a document out.

The engine opens a new event when a report reads too unlike the events it has (another
wording, another angle on one incident); an analyst who sees two events tell one story merges
one into the other. The merged event keeps its row with ``merged_into`` set, so the engine's
later documents for it (the engine still has its own event for them) land in the target; its
documents, mentions and alerts move to the target, whose counters are counted again from its
documents (``recount``).

Suggestions come from the engine's same-event model (``Engine.same_event``) over the labels of
the events around the same time: a probability and the reasons, for the analyst to judge.

A merge is undone with ``unmerge`` (the merged event's row keeps what the merge moved): its
documents that are still in the target (and were not moved out by an analyst since) go back,
with their mentions and its alerts, in whatever state the desk left them; the events that had
been merged into it before point at it again, and the departments the target was shared with
only for it are taken off.  Documents the engine put in the target for the merged event while
it was merged stay in the target.

The other way round, a document the engine put in the wrong event moves to another event or to
an event of its own (``move``); both events' counters are counted again from their documents.
The engine keeps the document where it put it, so a later exact copy of it joins the event it
left: the analyst's correction is of the record, not of the engine's memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from qinglang.audit.services import record
from qinglang.engine.pairs import PairDecision
from qinglang.monitor import alerts, analysis
from qinglang.monitor.models import NEGATIVE, Alert, Document, Event, Level, Mention, level_rank, live

SUGGEST_WINDOW = timedelta(days=7)   # events this close in time to the one looked at
SUGGEST_POOL = 200                   # at most this many, most recently active first
SUGGEST_SHOWN = 5
SUGGEST_FLOOR = 0.3                  # below this the model's "maybe" is not worth a look
MAX_HOPS = 20                        # merged_into chains are kept one hop long; this bounds bad data


class MergeError(ValueError):
    """A merge that cannot be done, with the reason in Chinese for the analyst."""


@dataclass(frozen=True)
class Suggestion:
    event: Event
    decision: PairDecision


def final(event: Event, lock: bool = False) -> Event:
    """The event a (possibly merged) event's documents now belong to; with ``lock``, its row is
    locked for the caller's transaction and read after the lock (a merge that committed while
    this waited is seen)."""
    rows = Event.objects.select_for_update() if lock else Event.objects.all()
    for _ in range(MAX_HOPS):
        if event.merged_into_id is None:
            return event
        event = rows.get(pk=event.merged_into_id)
    return event


def suggestions(event: Event, pool: QuerySet[Event]) -> list[Suggestion]:
    """Events in ``pool`` (what the analyst may see) that may tell the same story, likeliest
    first, each with the model's decision and reasons."""
    nearby = (live(pool).filter(partition=event.partition, last_seen__gte=event.first_seen - SUGGEST_WINDOW,
                                 first_seen__lte=event.last_seen + SUGGEST_WINDOW)
              .exclude(pk=event.pk).order_by("-last_seen")[:SUGGEST_POOL])
    found = [Suggestion(other, analysis.same_event(event.label, other.label)) for other in nearby]
    found = [s for s in found if s.decision.probability >= SUGGEST_FLOOR]
    found.sort(key=lambda s: (-s.decision.probability, s.event.pk))
    return found[:SUGGEST_SHOWN]


def merge(target: Event, source: Event, user: Any, reason: str) -> Event:
    """Merge ``source`` into ``target``; return the target as saved."""
    reason = " ".join(reason.split())
    if not reason:
        raise MergeError("请填写合并理由")
    if target.pk == source.pk:
        raise MergeError("不能把事件并入它自己")
    with _busy_as_error(), transaction.atomic():
        # both rows locked, in one order, so a concurrent batch of the clustering consumer or a
        # second merge waits rather than writing counters this merge is about to replace
        locked = _locked([target.pk, source.pk])
        if len(locked) < 2:
            raise MergeError("事件不存在")
        target, source = locked[target.pk], locked[source.pk]
        for event in (target, source):
            if event.merged_into_id is not None:
                raise MergeError(f"事件 #{event.pk} 已并入事件 #{event.merged_into_id}")
        if target.partition != source.partition:
            raise MergeError("两个事件不在同一个分区")
        documents = list(Document.objects.filter(event=source).order_by("pk").values_list("pk", flat=True))
        chained = list(Event.objects.filter(merged_into=source).order_by("pk").values_list("pk", flat=True))
        alerted = list(Alert.objects.filter(event=source).order_by("pk").values_list("pk", flat=True))
        # sharing: what the source brings, and what the target had before that no merge brought
        # (an analyst's own sharing, which an undo must leave alone)
        brought = ({source.department_id, *source.shared_with.values_list("pk", flat=True)}
                   - {None, target.department_id})
        by_merges = {d for e in Event.objects.filter(merged_into=target) for d in e.merge_record.get("brought", [])}
        own_sharing = set(target.shared_with.values_list("pk", flat=True)) - by_merges
        Document.objects.filter(event=source).update(event=target)
        Mention.objects.filter(event=source).update(event=target)
        target.kind = target.kind or source.kind
        recount(target)
        target.save()
        _fold_into(source, target, user, reason)
        source.merge_record = {"documents": documents, "chained": chained, "alerts": alerted,
                               "brought": sorted(brought), "own_sharing": sorted(own_sharing)}
        source.save(update_fields=["merge_record"])
        record("monitor.event.merged", target=target, actor=user, detail={
            "merged": source.pk, "merged_label": source.label, "size": source.size, "reason": reason})
    return target


def unmerge(source: Event, user: Any, reason: str) -> Event:
    """Undo the merge of ``source`` (see the module text); return it as saved."""
    reason = " ".join(reason.split())
    if not reason:
        raise MergeError("请填写撤销理由")
    with _busy_as_error(), transaction.atomic():
        current = Event.objects.filter(pk=source.pk).values_list("merged_into_id", flat=True).first()
        if current is None:
            raise MergeError("该事件未被合并")
        locked = _locked([source.pk, current])
        source, target = locked[source.pk], locked.get(current)
        if target is None or source.merged_into_id != current:
            raise MergeError("事件正在被系统更新，请稍后重试")
        kept = source.merge_record
        if not kept:
            raise MergeError("这次并入不是分析人员的合并（文档移出后并入，或早于合并记录），无法撤销；请把文档逐篇移回")
        back = [doc for ids in _batches(kept["documents"])
                for doc in Document.objects.select_for_update().filter(pk__in=ids, event=target).order_by("pk")]
        if not back:
            raise MergeError("合并进来的文档都已移走，无需撤销")
        for ids in _batches([d.pk for d in back]):
            Document.objects.filter(pk__in=ids).update(event=source)
            Mention.objects.filter(document_id__in=ids).update(event=source)
        # the events merged into it before it was merged (not those merged into the target since)
        Event.objects.filter(pk__in=kept["chained"], merged_into=target,
                             merged_at__lte=source.merged_at).update(merged_into=source)
        Alert.objects.filter(pk__in=kept.get("alerts", []), event=target).update(event=source)
        source.merged_into, source.merged_at, source.merged_by = None, None, None
        source.merge_reason, source.merge_record = "", {}
        for event in (source, target):
            recount(event)
            event.save()
        _unshare(target, set(kept["brought"]) - set(kept["own_sharing"]))
        record("monitor.event.unmerged", target=source, actor=user, detail={
            "from": target.pk, "documents": len(back), "stayed": len(kept["documents"]) - len(back),
            "reason": reason})
        why = f"撤销合并：“{source.label[:40]}”与“{target.label[:40]}”为两个事件"
        alerts.fold(source, user, why)
        if target.size == 0:   # only what the merge brought was left in it
            _fold_into(target, source, user, reason)
        else:
            alerts.fold(target, user, why)
    return source


def _batches(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    """Ids in slices a query can take: SQLite refuses more than 32,766 variables in one."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _unshare(target: Event, departments: set[int]) -> None:
    """Take off the departments a merge shared ``target`` with, unless something still in it
    needs them: an event still merged into it (its department or sharing) or a document."""
    merged = Event.objects.filter(merged_into=target)
    needed = set(merged.exclude(department=None).values_list("department_id", flat=True))
    needed |= set(Event.shared_with.through.objects.filter(event__in=merged).values_list("department_id", flat=True))
    needed |= set(target.documents.exclude(department=None).values_list("department_id", flat=True).distinct())
    target.shared_with.remove(*(set(departments) - needed))


def move(doc: Document, to: Event | None, user: Any, reason: str) -> Event:
    """Move ``doc`` (and its copies in the same event) out of its event into ``to``, or into a
    new event of its own when ``to`` is None; return the event it is in now."""
    reason = " ".join(reason.split())
    if not reason:
        raise MergeError("请填写移出理由")
    with _busy_as_error(), transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=doc.pk)
        if doc.event_id is None:
            raise MergeError("该文档尚未归入事件")
        locked = _locked([doc.event_id] + ([to.pk] if to is not None else []))
        old = locked[doc.event_id]
        if to is not None:
            to = locked.get(to.pk)
            if to is None or to.merged_into_id is not None:
                raise MergeError("目标事件不存在或已并入其他事件")
            if to.pk == old.pk:
                raise MergeError("文档已在该事件中")
            if to.partition != old.partition:
                raise MergeError("两个事件不在同一个分区")
        # its copies in the same event (reposts of it) go with it: they tell what it tells
        copies = list(Document.objects.select_for_update().filter(duplicate_of=doc, event_id=old.pk).order_by("pk"))
        moving = [doc, *copies]
        if to is None:
            if old.engine_id == f"m{doc.pk}":
                raise MergeError("文档已单独成为一个事件")
            if old.size <= len(moving):
                raise MergeError("事件只有这篇文档及其转载，无需移出")
            to = _own_event(doc, old)
        for moved in moving:
            moved.event = to
        Document.objects.filter(pk__in=[d.pk for d in moving]).update(event=to)
        Mention.objects.filter(document__in=moving).update(event=to)
        _forget(old, {d.pk for d in moving})
        for event in (old, to):
            recount(event)
        if old.size and old.label in " ".join(f"{doc.title} {doc.text}".split()):
            old.label = (old.documents.order_by("published_at", "pk").first() or doc).headline()
        to.save()
        if old.size == 0:   # its last document left: it is merged into where that went
            _fold_into(old, to, user, reason)
        old.save()
        record("monitor.document.moved", target=doc, actor=user, detail={
            "from": old.pk, "to": to.pk, "new_event": to.engine_id == f"m{doc.pk}", "reason": reason,
            "copies": [d.pk for d in copies]})
    alerts.evaluate(moving, {to.engine_id: to})   # what the documents raise, they raise where they are now
    return to


def _forget(event: Event, moved: set[int]) -> None:
    """Documents an analyst moved out of ``event`` are no longer what a merge into it brought:
    undoing that merge must not take them from where they were put since."""
    for merged in Event.objects.filter(merged_into=event).exclude(merge_record={}):
        documents = merged.merge_record.get("documents", [])
        if not moved.isdisjoint(documents):
            merged.merge_record = {**merged.merge_record, "documents": [d for d in documents if d not in moved]}
            merged.save(update_fields=["merge_record"])


def _locked(pks: list[int]) -> dict[int, Event]:
    rows = Event.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {e.pk: e for e in rows}


@contextmanager
def _busy_as_error() -> Iterator[None]:
    """A lock the clustering consumer holds in the other order (PostgreSQL aborts one side of a
    deadlock) is a "try again" for the analyst, not an error page."""
    try:
        yield
    except OperationalError as error:
        raise MergeError("事件正在被系统更新，请稍后重试") from error


def _own_event(doc: Document, old: Event) -> Event:
    """The event of its own a document moves to: the one it had before if it was moved out
    once already, with the department the document came from, shared as the old event was."""
    event, _ = Event.objects.get_or_create(partition=old.partition, engine_id=f"m{doc.pk}", defaults={
        "label": doc.headline(), "department_id": doc.department_id or old.department_id,
        "first_document": doc, "first_seen": doc.published_at, "last_seen": doc.published_at})
    # back from being folded away: nothing of that earlier merge applies any more
    event.merged_into, event.merged_at, event.merged_by = None, None, None
    event.merge_reason, event.merge_record = "", {}
    _share(old, event)
    return event


def _share(source: Event, target: Event) -> None:
    """Whoever could see ``source`` sees ``target`` too (its documents are there now)."""
    departments = list(source.shared_with.all())
    if source.department is not None and source.department_id != target.department_id:
        departments.append(source.department)
    target.shared_with.add(*departments)


def _fold_into(source: Event, target: Event, user: Any, reason: str) -> None:
    """``source`` is merged into ``target``: its row points there, its alerts and sharing go
    there, and what was merged into it points there too (chains stay one hop)."""
    _share(source, target)
    Alert.objects.filter(event=source).update(event=target)
    alerts.fold(target, user, f"事件“{source.label[:40]}”已并入“{target.label[:40]}”")
    source.merged_into, source.merged_at, source.merged_by = target, timezone.now(), user
    source.merge_reason, source.merge_record = reason[:500], {}   # merge() writes what it moved
    source.save(update_fields=["merged_into", "merged_at", "merged_by", "merge_reason", "merge_record"])
    Event.objects.filter(merged_into=source).update(merged_into=target)


def recount(event: Event) -> None:
    """The event's counters counted again from the documents it holds, after a merge or a move
    (risk, categories and watched entities are a maximum or a union: no subtraction takes one
    document's share back out).  Only the fields counted are read, not the texts."""
    fields = ("published_at", "sentiment", "risk_level", "risk_score", "risk_reasons", "categories", "source__name")
    docs = list(event.documents.select_related("source").only(*fields).order_by("published_at", "pk"))
    event.size = len(docs)
    event.negative = sum(d.sentiment is not None and d.sentiment <= NEGATIVE for d in docs)
    event.sentiment_sum = sum(d.sentiment or 0.0 for d in docs)
    if docs:
        event.first_document = docs[0]
        event.first_seen, event.last_seen = docs[0].published_at, max(d.published_at for d in docs)
    worst = max(docs, key=lambda d: (level_rank(d.risk_level), d.risk_score or 0.0), default=None)
    if worst is not None and worst.risk_level:
        event.risk_level, event.risk_score = worst.risk_level, worst.risk_score or 0.0
        event.risk_reasons = worst.risk_reasons
    else:   # the document that made it red has left (moved out, a merge undone)
        event.risk_level, event.risk_score, event.risk_reasons = Level.BLUE, 0.0, []
    event.categories = sorted({c for d in docs for c in d.categories})
    event.entities = sorted(set(Mention.objects.filter(event=event).values_list("entity__name", flat=True)))
    sources: dict[str, int] = {}
    for d in docs:
        sources[d.source.name] = sources.get(d.source.name, 0) + 1
    event.sources = sources
    event.retag()
    event.reheat()
