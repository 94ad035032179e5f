"""Merging events: an analyst's correction of the clustering, the suggestions, and what later
documents of a merged event do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinglang.audit.models import AuditEntry
from qinglang.engine import Engine, EngineConfig
from qinglang.monitor import analysis, merging
from qinglang.monitor.ingest import source_named, store_batch
from qinglang.monitor.models import Alert, AlertRule, Document, Event, Mention, RuleKind, live
from qinglang.monitor.processing import process_partition
from tests.conftest import signed_in
from tests.monitor.corpus import stream
from tests.monitor.test_api import bearer


@pytest.fixture
def streamed(org: dict[str, Any], watched: Any) -> dict[str, Any]:
    watched("星河科技", "星河")
    watched("青禾食品", "青禾")
    AlertRule.objects.create(name="抹黑", kind=RuleKind.CATEGORY, category="SMEAR", level="yellow")
    store_batch(source_named("清溪日报", department=org["office"]), stream(80), channel="test")
    process_partition("zh")
    return org


def two_events() -> tuple[Event, Event]:
    """The two largest events of the stream that each have an alert."""
    alerted = [e for e in Event.objects.order_by("-size", "pk") if e.alerts.exists()]
    assert len(alerted) >= 2
    return alerted[0], alerted[1]


def counted(event: Event) -> dict[str, Any]:
    docs = list(Document.objects.filter(event=event))
    sources: dict[str, int] = {}
    for doc in docs:
        sources[doc.source.name] = sources.get(doc.source.name, 0) + 1
    return {"size": len(docs), "sentiment_sum": sum(d.sentiment or 0.0 for d in docs), "sources": sources,
            "first_seen": min(d.published_at for d in docs), "last_seen": max(d.published_at for d in docs)}


@pytest.mark.django_db
def test_a_merge_moves_documents_mentions_and_alerts_and_adds_up_the_counters(streamed: dict[str, Any]) -> None:
    target, source = two_events()
    before = {e.pk: (e.size, e.negative, set(e.categories), set(e.entities)) for e in (target, source)}
    moved_mentions = Mention.objects.filter(event=source).count()
    moved_alerts = Alert.objects.filter(event=source).count()
    own_alerts = Alert.objects.filter(event=target).count()
    assert moved_mentions and moved_alerts and own_alerts   # all new: nobody acted on them

    merged = merging.merge(target, source, streamed["duty"], " 同一起 谣言的两种说法 ")

    source.refresh_from_db()
    assert source.merged_into_id == merged.pk and source.merged_by == streamed["duty"]
    assert source.merge_reason == "同一起 谣言的两种说法" and source.merged_at is not None
    assert not Document.objects.filter(event=source).exists() and not Mention.objects.filter(event=source).exists()
    assert Alert.objects.filter(event=merged).count() >= moved_alerts
    assert not Alert.objects.filter(event=source).exists()
    merged.refresh_from_db()
    truth = counted(merged)
    assert merged.size == truth["size"] == before[target.pk][0] + before[source.pk][0]
    assert merged.negative == before[target.pk][1] + before[source.pk][1]
    assert merged.sentiment_sum == pytest.approx(truth["sentiment_sum"], abs=1e-6)
    assert merged.sources == truth["sources"]
    assert (merged.first_seen, merged.last_seen) == (truth["first_seen"], truth["last_seen"])
    assert set(merged.categories) == before[target.pk][2] | before[source.pk][2]
    assert set(merged.entities) == before[target.pk][3] | before[source.pk][3]
    assert all(f"ent:{name}" in merged.tags for name in merged.entities)
    # one open alert per event again, titled with the event as it is now
    open_alerts = Alert.objects.filter(event=merged, status__in=["new", "acknowledged", "escalated"])
    assert open_alerts.count() == 1
    assert all(merged.label[:20] in a.title for a in Alert.objects.filter(event=merged))
    folded = Alert.objects.filter(event=merged, status="dismissed", history__reason__contains="预警并入")
    assert folded.count() == moved_alerts + own_alerts - 1
    entry = AuditEntry.objects.get(action="monitor.event.merged")
    assert entry.target_id == str(merged.pk) and entry.detail["merged"] == source.pk
    assert set(live(Event.objects.all())) == set(Event.objects.all()) - {source}


@pytest.mark.django_db
def test_a_merge_is_undone_with_a_reason_and_what_moved_since_stays(streamed: dict[str, Any]) -> None:
    target, source = two_events()
    earlier = Event.objects.exclude(pk__in=[target.pk, source.pk]).order_by("-size", "pk").first()
    assert earlier is not None
    merging.merge(source, earlier, streamed["duty"], "同一事件")   # merged into the source first
    source.refresh_from_db()
    before = {e.pk: (e.size, e.negative, set(e.categories), e.sources) for e in (target, source)}
    own = set(Document.objects.filter(event=source).values_list("pk", flat=True))
    mentions = set(Mention.objects.filter(event=source).values_list("pk", flat=True))
    alerted = set(Alert.objects.filter(event=source).values_list("pk", flat=True))
    assert alerted
    merging.merge(target, source, streamed["duty"], "看错了")
    assert Event.objects.get(pk=earlier.pk).merged_into_id == target.pk   # chains stay one hop
    # after the merge an analyst moved one of its documents on, to an event of its own
    moved_on = Document.objects.filter(pk__in=own, copies__isnull=True).order_by("pk").first()
    assert moved_on is not None   # a document without copies (copies would go with it)
    elsewhere = merging.move(moved_on, None, streamed["duty"], "另一件事")

    with pytest.raises(merging.MergeError, match="撤销理由"):
        merging.unmerge(source, streamed["duty"], " ")
    restored = merging.unmerge(source, streamed["duty"], "不是同一起事件")

    assert restored.merged_into_id is None and restored.merge_record == {} and restored.merge_reason == ""
    assert set(Document.objects.filter(event=source).values_list("pk", flat=True)) == own - {moved_on.pk}
    assert Document.objects.get(pk=moved_on.pk).event_id == elsewhere.pk
    assert set(Mention.objects.filter(event=source).values_list("pk", flat=True)) == \
        mentions - set(Mention.objects.filter(document=moved_on).values_list("pk", flat=True))
    assert Event.objects.get(pk=earlier.pk).merged_into_id == source.pk
    for event in (target, source):
        event.refresh_from_db()
        truth = counted(event)
        assert event.size == truth["size"] and event.sources == truth["sources"]
    assert target.size == before[target.pk][0]
    assert source.size == before[source.pk][0] - 1
    assert source in live(Event.objects.all())
    entry = AuditEntry.objects.get(action="monitor.event.unmerged")
    assert entry.target_id == str(source.pk) and entry.actor_id == streamed["duty"].pk
    # the document moved on was struck from the merge's record when it was moved
    assert entry.detail == {"from": target.pk, "documents": len(own) - 1, "stayed": 0, "reason": "不是同一起事件"}
    assert set(Alert.objects.filter(event=source).values_list("pk", flat=True)) == alerted
    assert Alert.objects.filter(event=source, status__in=["new", "acknowledged", "escalated"]).count() <= 1
    with pytest.raises(merging.MergeError, match="未被合并"):
        merging.unmerge(source, streamed["duty"], "再撤一次")


@pytest.mark.django_db
def test_an_event_folded_away_by_a_move_is_not_unmerged(streamed: dict[str, Any]) -> None:
    target, source = two_events()
    for doc in Document.objects.filter(event=source, duplicate_of__isnull=True).order_by("pk"):
        if Document.objects.filter(pk=doc.pk, event=source).exists():
            merging.move(doc, target, streamed["duty"], "同一事件")
    source.refresh_from_db()
    assert source.merged_into_id == target.pk and source.merge_record == {}
    with pytest.raises(merging.MergeError, match="文档移出"):
        merging.unmerge(source, streamed["duty"], "撤销")


@pytest.mark.django_db
def test_documents_the_engine_still_puts_in_a_merged_event_go_to_its_target(streamed: dict[str, Any]) -> None:
    target, source = two_events()
    copied = Document.objects.filter(event=source).order_by("pk").first()
    own = Document.objects.filter(event=target).order_by("pk").first()
    assert copied is not None and own is not None
    merging.merge(target, source, streamed["duty"], "同一事件")
    size, label = Event.objects.values_list("size", "label").get(pk=target.pk)
    # an exact copy joins the event of the document it copies: in the engine, the merged one
    # for two of these and the target for the third, all in one batch (one row, one object)
    now = timezone.now().timestamp()
    store_batch(source_named("清溪日报"), [{"id": "copy-1", "text": copied.text, "time": now},
                                         {"id": "copy-2", "text": own.text, "time": now + 1},
                                         {"id": "copy-3", "text": copied.text, "time": now + 2}], channel="test")
    assert process_partition("zh") == 3
    late = Document.objects.filter(external_id__in=["copy-1", "copy-2", "copy-3"])
    assert {d.event_id for d in late} == {target.pk}
    assert Event.objects.get(pk=target.pk).size == size + 3 == counted(target)["size"]
    assert Event.objects.get(pk=target.pk).label == label   # the merged event's label is not taken
    assert Event.objects.get(pk=source.pk).size == source.size   # frozen as it was merged


@pytest.mark.django_db
def test_a_merge_that_cannot_be_done_says_why(streamed: dict[str, Any]) -> None:
    target, source = two_events()
    other = Event.objects.exclude(pk__in=[target.pk, source.pk]).first()
    assert other is not None
    with pytest.raises(merging.MergeError, match="合并理由"):
        merging.merge(target, source, streamed["duty"], "   ")
    with pytest.raises(merging.MergeError, match="它自己"):
        merging.merge(target, target, streamed["duty"], "同一事件")
    merging.merge(target, source, streamed["duty"], "同一事件")
    with pytest.raises(merging.MergeError, match=f"已并入事件 #{target.pk}"):
        merging.merge(other, source, streamed["duty"], "同一事件")
    # an event merged into one that is then merged on points at the last one: one hop
    merging.merge(other, target, streamed["duty"], "同一事件")
    assert Event.objects.get(pk=source.pk).merged_into_id == other.pk
    assert merging.final(Event.objects.get(pk=source.pk)).pk == other.pk


def labelled(label: str, department: Any, hours: float = 0.0) -> Event:
    at = timezone.now() - timedelta(hours=hours)
    return Event.objects.create(engine_id=f"t{Event.objects.count()}", label=label, department=department,
                                first_seen=at, last_seen=at, size=1)


def with_document(event: Event, key: str = "") -> Document:
    doc = Document.objects.create(source=source_named("清溪论坛"), key=key or f"doc-{event.pk}", text=event.label,
                                  published_at=event.first_seen, state="processed", event=event,
                                  department=event.department)
    merging.recount(event)
    event.save()
    return doc


@pytest.mark.django_db
def test_undoing_a_merge_takes_off_only_the_sharing_nothing_else_needs(org: dict[str, Any]) -> None:
    """Two events of another department merged into one of the office's: it is shared with that
    department for both; undoing one merge keeps the sharing the other still needs."""
    office, other = org["office"], org["outsider_dept"]
    target = labelled("岚溪鞋业拖欠工人工资", office)
    first, second = labelled("岚溪鞋业欠薪 工人讨薪", other), labelled("岚溪鞋业工人讨薪后续", other)
    for event in (target, first, second):
        with_document(event)
    merging.merge(target, first, org["duty"], "同一事件")
    merging.merge(target, second, org["duty"], "同一事件")
    assert list(target.shared_with.all()) == [other]
    merging.unmerge(first, org["duty"], "两件事")
    assert list(target.shared_with.all()) == [other]     # the second is still merged in
    merging.unmerge(second, org["duty"], "两件事")
    assert not target.shared_with.exists()
    assert [Event.objects.get(pk=e.pk).size for e in (target, first, second)] == [1, 1, 1]
    # the police's own event merged into one an analyst had shared with the police: the undo
    # leaves the analyst's sharing alone
    target.shared_with.add(org["police"])
    police = labelled("岚溪鞋业工人讨薪 警方到场", org["police"])
    with_document(police)
    merging.merge(target, police, org["duty"], "同一事件")
    merging.unmerge(police, org["duty"], "两件事")
    assert list(target.shared_with.all()) == [org["police"]]
    # nothing it brought is left to take back
    merging.merge(target, first, org["duty"], "同一事件")
    merging.move(Document.objects.get(key=f"doc-{first.pk}"), None, org["duty"], "另一件事")
    with pytest.raises(merging.MergeError, match="都已移走"):
        merging.unmerge(first, org["duty"], "两件事")


@pytest.mark.django_db
def test_an_undone_merge_takes_its_risk_back_and_works_in_batches(org: dict[str, Any], monkeypatch: Any) -> None:
    """The target was red only for a document the merge brought: red no more once it left.
    Documents go back in slices (SQLite takes 32,766 variables a query): here slices of two."""
    target, risky = labelled("岚溪鞋业拖欠工人工资", org["office"]), labelled("岚溪鞋业欠薪 工人堵门", org["office"])
    with_document(target)
    for n in range(5):
        doc = with_document(risky, key=f"risky-{n}")
        doc.risk_level, doc.risk_score, doc.risk_reasons = "red", 0.9, ["红色预警"]
        doc.save()
    merging.recount(risky)
    risky.save()
    merging.merge(target, risky, org["duty"], "同一事件")
    assert Event.objects.get(pk=target.pk).risk_level == "red"
    monkeypatch.setattr(merging, "_batches", lambda ids, size=2: merging_batches(ids, size))
    merging.unmerge(risky, org["duty"], "两件事")
    target.refresh_from_db()
    risky.refresh_from_db()
    assert (target.risk_level, target.risk_score, target.risk_reasons, target.size) == ("blue", 0.0, [], 1)
    assert (risky.risk_level, risky.size) == ("red", 5)


merging_batches = merging._batches


@pytest.fixture
def pair_engine() -> Any:
    """The web process's pair engine, made afresh from this test's events and dropped after."""
    analysis._pair_engine.cache_clear()
    yield analysis._pair_engine
    analysis._pair_engine.cache_clear()


@pytest.mark.django_db
def test_the_pair_engine_learns_what_is_common_in_the_citys_event_labels(org: dict[str, Any], pair_engine: Any
                                                                         ) -> None:
    """The city's own names are in many of its events' labels and in no background; a pair
    engine that did not read the labels would take sharing one for strong evidence."""
    for i in range(40):
        labelled(f"临川晚报快讯：第{i + 1}期便民信息", org["office"], hours=i)
    learned = pair_engine().clusterer.vectors
    fresh = Engine(EngineConfig(background_idf=True)).clusterer.vectors
    assert learned.docs == fresh.docs + 40
    assert learned.idf("临川") < fresh.idf("临川") - 3


@pytest.mark.django_db
def test_the_event_page_suggests_events_that_may_be_the_same_and_merges_one(
    client: Client, org: dict[str, Any], pair_engine: Any
) -> None:
    office = org["office"]
    target = labelled("岚溪鞋业被曝拖欠工人工资三个月，数百名工人到青禾市人社局反映情况", office)
    same = labelled("转发：岚溪鞋业拖欠工人工资三个月，数百名工人到青禾市人社局反映", office, hours=2)
    with_document(same)
    unrelated = labelled("远航市首届马拉松赛10月9日鸣枪，两万名跑者参赛", office, hours=1)
    long_ago = labelled("岚溪鞋业被曝拖欠工人工资三个月", office, hours=24 * 30)
    page = signed_in(client, org["duty"]).get(reverse("monitor-event", args=[target.pk]))
    shown = [s.event for s in page.context["suggestions"]]
    assert same in shown and unrelated not in shown and long_ago not in shown
    html = page.content.decode()
    assert "可能为同一事件" in html and "并入本事件" in html and same.label in html

    url = reverse("monitor-event-merge", args=[target.pk])
    refused = client.post(url, {"other": same.pk, "reason": ""}, follow=True)
    assert "请填写合并理由" in refused.content.decode() and Event.objects.get(pk=same.pk).merged_into_id is None
    done = client.post(url, {"other": same.pk, "reason": "同一起欠薪事件"}, follow=True)
    assert "已将" in done.content.decode() and Event.objects.get(pk=same.pk).merged_into_id == target.pk
    assert "同一起欠薪事件" in done.content.decode()   # listed under "merged into this event"
    # the merged event's page leads to its target; lists and the API leave it out
    followed = client.get(reverse("monitor-event", args=[same.pk]), follow=True)
    assert followed.redirect_chain[-1][0] == reverse("monitor-event", args=[target.pk])
    assert "该事件已并入" in followed.content.decode()
    listed = {row["event"].pk for row in client.get(reverse("monitor-events")).context["rows"]}
    assert target.pk in listed and same.pk not in listed
    api = client.get("/api/v1/events", **bearer(org["duty"])).json()
    assert same.pk not in {e["id"] for e in api["items"]}
    assert client.get(f"/api/v1/events/{same.pk}", **bearer(org["duty"])).json()["merged_into"] == target.pk
    assert client.get(f"/api/v1/events/{target.pk}", **bearer(org["duty"])).json()["merged_into"] is None

    # and undone from the target's page, back to the event it was
    assert "撤销合并" in client.get(reverse("monitor-event", args=[target.pk])).content.decode()
    unmerge = reverse("monitor-event-unmerge", args=[target.pk])
    refused = client.post(unmerge, {"other": same.pk, "reason": ""}, follow=True)
    assert "请填写撤销理由" in refused.content.decode() and Event.objects.get(pk=same.pk).merged_into_id == target.pk
    assert "没有这个已并入的事件" in client.post(unmerge, {"other": unrelated.pk, "reason": "x"}, follow=True
                                         ).content.decode()
    undone = client.post(unmerge, {"other": same.pk, "reason": "其实是两件事"}, follow=True)
    assert undone.redirect_chain[-1][0] == reverse("monitor-event", args=[same.pk])
    assert "已撤销" in undone.content.decode() and Event.objects.get(pk=same.pk).merged_into_id is None


@pytest.mark.django_db
def test_only_the_office_may_merge_and_only_what_it_sees(client: Client, org: dict[str, Any]) -> None:
    target = labelled("岚溪鞋业被曝拖欠工人工资三个月", org["office"])
    same = labelled("岚溪鞋业拖欠工人工资三个月", org["office"])
    hidden = labelled("岚溪鞋业拖欠工资 工人到人社局反映", org["outsider_dept"])
    url = reverse("monitor-event-merge", args=[target.pk])
    assert signed_in(client, org["town_staff"]).post(url, {"other": same.pk, "reason": "同一事件"}).status_code == 403
    unmerge = reverse("monitor-event-unmerge", args=[target.pk])
    assert client.post(unmerge, {"other": same.pk, "reason": "两件事"}).status_code == 403
    client.logout()
    outsider = org["outsider"]
    outsider.role = "analyst"
    outsider.save()
    # an outside department's analyst reads the monitor but does not correct the office's events
    assert signed_in(client, outsider).post(url, {"other": same.pk, "reason": "同一事件"}).status_code == 403
    client.logout()
    # the office's duty officer cannot pull in an event another department keeps to itself
    answer = signed_in(client, org["duty"]).post(url, {"other": hidden.pk, "reason": "同一事件"}, follow=True)
    assert "要合并的事件不存在" in answer.content.decode()
    for odd in ("9" * 30, "²", "-1"):   # past bigint, a digit int() refuses, a sign
        answer = client.post(url, {"other": odd, "reason": "同一事件"}, follow=True)
        assert answer.status_code == 200 and "要合并的事件不存在" in answer.content.decode()
    assert Event.objects.get(pk=hidden.pk).merged_into_id is None and live(Event.objects.all()).count() == 3
    outsiders_page = reverse("monitor-event", args=[hidden.pk])
    assert client.get(outsiders_page).status_code == 404


@pytest.mark.django_db
def test_a_document_moved_out_takes_its_counts_with_it_and_can_come_back(streamed: dict[str, Any]) -> None:
    event = Event.objects.order_by("-size", "pk").first()
    assert event is not None and event.size >= 3
    before = counted(event)
    doc = Document.objects.filter(event=event).order_by("-published_at", "-pk").first()
    assert doc is not None and Mention.objects.filter(document=doc).exists()

    own = merging.move(doc, None, streamed["duty"], "另一件事")
    doc.refresh_from_db()
    assert doc.event_id == own.pk != event.pk and own.size == 1 and own.first_document_id == doc.pk
    assert own.label == " ".join(doc.text.split())[:80] and set(own.categories) == set(doc.categories)
    assert set(Mention.objects.filter(document=doc).values_list("event_id", flat=True)) == {own.pk}
    event.refresh_from_db()
    truth = counted(event)
    assert event.size == truth["size"] == before["size"] - 1 and event.sources == truth["sources"]
    assert event.sentiment_sum == pytest.approx(truth["sentiment_sum"], abs=1e-6)
    assert AuditEntry.objects.get(action="monitor.document.moved").detail["to"] == own.pk
    with pytest.raises(merging.MergeError, match="已单独成为一个事件"):
        merging.move(doc, None, streamed["duty"], "另一件事")
    with pytest.raises(merging.MergeError, match="移出理由"):
        merging.move(doc, event, streamed["duty"], " ")

    # back where it was: its own event, now empty, is merged into the one it went back to
    merging.move(doc, event, streamed["duty"], "看错了")
    event.refresh_from_db()
    own.refresh_from_db()
    assert event.size == before["size"] and own.size == 0 and own.merged_into_id == event.pk
    assert own not in live(Event.objects.all())
    # and out again: the same event of its own comes back rather than a second one
    again = merging.move(doc, None, streamed["duty"], "确是另一件事")
    assert again.pk == own.pk and Event.objects.get(pk=own.pk).merged_into_id is None


@pytest.mark.django_db
def test_moving_a_document_from_the_event_page(client: Client, streamed: dict[str, Any]) -> None:
    event = Event.objects.order_by("-size", "pk").first()
    assert event is not None
    doc = Document.objects.filter(event=event).order_by("-pk").first()
    assert doc is not None
    page = signed_in(client, streamed["duty"]).get(reverse("monitor-event", args=[event.pk])).content.decode()
    assert "移出本事件" in page and reverse("monitor-document-move", args=[doc.pk]) in page
    url = reverse("monitor-document-move", args=[doc.pk])
    assert "请填写移出理由" in client.post(url, {"to": "new", "reason": ""}, follow=True).content.decode()
    hidden = labelled("另一部门的事件", streamed["outsider_dept"])
    refused = client.post(url, {"to": hidden.pk, "reason": "另一件事"}, follow=True).content.decode()
    assert "目标事件不存在" in refused and Document.objects.get(pk=doc.pk).event_id == event.pk
    done = client.post(url, {"to": "new", "reason": "另一件事"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("monitor-event", args=[event.pk])
    assert f"文档 #{doc.pk} 已移至" in done.content.decode()
    assert Document.objects.get(pk=doc.pk).event_id != event.pk
    client.logout()
    for user in (streamed["town_staff"], streamed["outsider"]):
        assert signed_in(client, user).post(url, {"to": "new", "reason": "x"}).status_code == 403
        client.logout()


@pytest.mark.django_db
def test_a_merge_keeps_the_kind_of_news_filterable(org: dict[str, Any]) -> None:
    target = labelled("岚溪鞋业被曝拖欠工人工资三个月", org["office"])
    source = labelled("岚溪鞋业拖欠工人工资三个月", org["office"])
    Event.objects.filter(pk=source.pk).update(kind="UNABLE_TO_SERVE")
    merging.merge(target, Event.objects.get(pk=source.pk), org["duty"], "同一事件")
    merged = Event.objects.get(pk=target.pk)
    assert merged.kind == "UNABLE_TO_SERVE" and " kind:UNABLE_TO_SERVE " in merged.tags


@pytest.mark.django_db
def test_a_documents_copies_in_the_event_move_with_it(streamed: dict[str, Any]) -> None:
    copied = [d for d in Document.objects.filter(copies__isnull=False).distinct().order_by("pk")
              if Mention.objects.filter(document__duplicate_of=d, document__event_id=d.event_id).exists()
              and d.event.size > 1 + d.copies.count()]
    assert copied, "the stream has reposts in their original's event"
    doc = copied[0]
    old = doc.event
    assert old is not None
    copies = set(doc.copies.filter(event_id=old.pk).values_list("pk", flat=True))
    before = old.size
    own = merging.move(doc, None, streamed["duty"], "另一件事")
    assert set(own.documents.values_list("pk", flat=True)) == {doc.pk} | copies
    assert own.size == 1 + len(copies) and Event.objects.get(pk=old.pk).size == before - 1 - len(copies)
    assert set(Mention.objects.filter(document_id__in=copies).values_list("event_id", flat=True)) == {own.pk}
    assert AuditEntry.objects.get(action="monitor.document.moved").detail["copies"] == sorted(copies)
