"""The business rules of evidence: request, run, seal, compare, share, and the custody chain."""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import secrets
import zipfile
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from qinglang.audit.services import record
from qinglang.core.text import nonblank_lines
from qinglang.evidence import browser, fetch, netguard, package, pipeline
from qinglang.evidence.models import Batch, Capture, CustodyEvent, StatusChange
from qinglang.org.models import Department, Role
from qinglang.org.scoping import visible_to

log = logging.getLogger(__name__)
Status = Capture.Status
GENESIS = "0" * 64
CAPTURE_ROLES = (Role.DUTY_OFFICER, Role.ANALYST, Role.CASE_OFFICER, Role.LIAISON)
# Allowed moves (STYLE.md §3): a failed capture may be queued again; a sealed one never changes.
TRANSITIONS: dict[str, set[str]] = {
    Status.QUEUED: {Status.RUNNING, Status.FAILED},
    Status.RUNNING: {Status.DONE, Status.FAILED, Status.QUEUED},  # queued again: worker lost
    Status.FAILED: {Status.QUEUED},
    Status.DONE: set(),
}
MAX_BATCH = 200


class InvalidTransition(Exception):
    """A capture was asked to move to a status its current status does not allow."""


class NotAllowed(Exception):
    """The user may not do this to this capture (shown to them in Chinese)."""


# --- who may do what -------------------------------------------------------------------------


def can_capture(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*CAPTURE_ROLES))


def visible(user: Any) -> QuerySet[Capture]:
    queryset = Capture.objects.select_related("department", "operator")
    return visible_to(user, queryset, field="department", shared_field="shared_with")


def owns(user: Any, capture: Capture) -> bool:
    """Members of the capturing department (or above it) hold the item; shared departments only see it."""
    if user.sees_everything:
        return True
    department = user.department
    return bool(department and capture.department and capture.department.path.startswith(department.path))


# --- custody chain ---------------------------------------------------------------------------


def _custody_content(capture: Capture, event: CustodyEvent) -> str:
    payload = {
        "capture": capture.public_id,
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "department": event.department_name,
        "detail": event.detail,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _custody_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def custody(capture: Capture, action: str, actor: Any = None, **detail: Any) -> CustodyEvent:
    """Append one link to the item's custody chain, and the same fact to the audit log."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    clean = json.loads(json.dumps(detail, ensure_ascii=False, default=str))
    with transaction.atomic():
        # Locking the capture row serialises appends, so two readers cannot both take seq n.
        Capture.objects.select_for_update().filter(pk=capture.pk).first()
        last = CustodyEvent.objects.filter(capture=capture).order_by("-seq").first()
        event = CustodyEvent(
            capture=capture,
            seq=(last.seq + 1) if last else 1,
            at=timezone.now(),
            action=action,
            actor=actor,
            actor_name=getattr(actor, "username", "") if actor else "system",
            department_name=str(actor.department or "") if actor else "",
            detail=clean,
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = _custody_hash(event.prev_hash, _custody_content(capture, event))
        event.save(force_insert=True)
    record(f"evidence.{action}", actor=actor, target=capture, detail={"public_id": capture.public_id, **clean})
    return event


def verify_custody(capture: Capture) -> tuple[bool, int | None]:
    """Whether the chain holds; otherwise the first sequence number that does not."""
    prev, expected = GENESIS, 1
    for event in CustodyEvent.objects.filter(capture=capture).order_by("seq"):
        if event.seq != expected or event.prev_hash != prev:
            return False, expected
        if _custody_hash(prev, _custody_content(capture, event)) != event.hash:
            return False, event.seq
        prev, expected = event.hash, expected + 1
    return True, None


# --- status machine --------------------------------------------------------------------------


def _log_transition(capture: Capture, old: str, new: str, actor: Any, reason: str) -> None:
    actor = actor if getattr(actor, "is_authenticated", False) else None
    StatusChange.objects.create(capture=capture, from_status=old, to_status=new, actor=actor, reason=reason[:500])
    record(
        "evidence.status",
        actor=actor,
        target=capture,
        detail={"public_id": capture.public_id, "from": old, "to": new, "reason": reason[:500]},
    )


def set_status(capture: Capture, new: str, *, actor: Any = None, reason: str = "") -> None:
    old = capture.status
    if new not in TRANSITIONS[old]:
        raise InvalidTransition(f"取证记录 {capture.public_id} 不能从“{old}”变为“{new}”")
    capture.status = new
    capture.save(update_fields=["status"])
    _log_transition(capture, old, new, actor, reason)


# --- requesting ------------------------------------------------------------------------------


def new_public_id() -> str:
    return f"EV{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def check_url(url: str) -> str:
    """The URL cleaned, or ``netguard.UrlRefused`` with a reason an officer can act on."""
    return netguard.check(url, allow_private=settings.QINGLANG_ALLOW_PRIVATE_URLS).url


def request_capture(
    user: Any,
    url: str,
    reason: str,
    *,
    case_reference: str = "",
    source: str = "",
    batch: Batch | None = None,
    previous: Capture | None = None,
    recapture_every_hours: int | None = None,
    enqueue: bool = True,
) -> Capture:
    """Queue a capture of ``url`` for ``user``'s department; the worker does the rest."""
    url = check_url(url)
    operator = user if getattr(user, "is_authenticated", False) else None
    capture = Capture.objects.create(
        public_id=new_public_id(),
        url=url,
        reason=reason,
        case_reference=case_reference,
        source=source,
        department=operator.department if operator else None,
        operator=operator,
        batch=batch,
        previous=previous,
        recapture_every_hours=recapture_every_hours,
        next_recapture_at=timezone.now() + timedelta(hours=recapture_every_hours) if recapture_every_hours else None,
    )
    custody(
        capture,
        CustodyEvent.Action.CREATED,
        operator,
        url=url,
        reason=reason,
        case_reference=case_reference,
        source=source,
        previous=previous.public_id if previous else None,
    )
    if enqueue:
        transaction.on_commit(lambda: enqueue_capture(capture.pk))
    return capture


def enqueue_capture(capture_id: int) -> None:
    """Hand a capture to the workers. A broker failure must not lose the request: the row stays
    queued and ``requeue_waiting`` sends it again."""
    from qinglang.celery import ensure_broker_folders
    from qinglang.evidence.tasks import run_capture_task

    try:
        ensure_broker_folders()
        run_capture_task.delay(capture_id)
    except Exception:  # any broker error: the periodic sweep retries (log.exception keeps the trace)
        log.exception("could not enqueue capture %s; it stays queued for the sweep", capture_id)


def requeue_waiting(older_than: timedelta = timedelta(minutes=10)) -> int:
    """Send again captures that have waited too long (lost message, broker down at the time).
    Running one twice is harmless: ``claim`` lets only one worker take it."""
    waiting = Capture.objects.filter(status=Status.QUEUED, created__lt=timezone.now() - older_than)
    ids = list(waiting.values_list("pk", flat=True)[:500])
    for capture_id in ids:
        enqueue_capture(capture_id)
    return len(ids)


def recover_abandoned() -> tuple[int, int]:
    """Captures left "running" by a worker that was killed or lost its machine: no heartbeat
    for ``QINGLANG_EVIDENCE_STALE_SECONDS``. Each is queued again, or marked failed once it has
    used ``QINGLANG_EVIDENCE_MAX_ATTEMPTS``, with a history row either way; nothing stays
    "running" for ever. Returns (queued again, failed)."""
    horizon = timezone.now() - timedelta(seconds=settings.QINGLANG_EVIDENCE_STALE_SECONDS)
    stale = Capture.objects.filter(status=Status.RUNNING, heartbeat__lt=horizon)
    requeued = failed = 0
    for capture in stale.order_by("pk")[:200]:
        # conditional update: a worker that wakes up now and finishes wins, or loses, cleanly
        give_up = capture.attempts >= settings.QINGLANG_EVIDENCE_MAX_ATTEMPTS
        target = Status.FAILED if give_up else Status.QUEUED
        with transaction.atomic():
            moved = Capture.objects.filter(pk=capture.pk, status=Status.RUNNING, heartbeat=capture.heartbeat)
            if not moved.update(status=target, progress=0, progress_text=""):
                continue
            reason = f"工作进程在第 {capture.attempts} 次取证中停止响应"
            if give_up:
                capture.outcome, capture.finished = Capture.Outcome.INTERRUPTED, timezone.now()
                capture.error = f"{reason}，已达最多 {capture.attempts} 次，不再重试"
                capture.save(update_fields=["outcome", "finished", "error"])
                _log_transition(capture, Status.RUNNING, target, None, capture.error)
                custody(capture, CustodyEvent.Action.FAILED, outcome=capture.outcome, error=capture.error)
                failed += 1
            else:
                _log_transition(capture, Status.RUNNING, target, None, f"{reason}，重新排队")
                transaction.on_commit(partial(enqueue_capture, capture.pk))
                requeued += 1
    return requeued, failed


def split_urls(text: str) -> list[str]:
    return nonblank_lines(text)


def request_batch(user: Any, text: str, reason: str, case_reference: str = "") -> Batch:
    """Queue every acceptable URL of ``text``; refused lines are kept on the batch with the reason."""
    batch = Batch.objects.create(department=user.department, operator=user, reason=reason, raw_input=text)
    refused = []
    for line in split_urls(text)[:MAX_BATCH]:
        try:
            request_capture(user, line, reason, case_reference=case_reference, batch=batch)
        except netguard.UrlRefused as exc:
            refused.append({"line": line, "reason": str(exc)})
    batch.refused = refused
    batch.save(update_fields=["refused"])
    return batch


def recapture(capture: Capture, user: Any) -> Capture:
    if not owns(user, capture) or not can_capture(user):
        raise NotAllowed("只有取证单位的取证人员可以重新取证")
    custody(capture, CustodyEvent.Action.RECAPTURED, user)
    return request_capture(
        user,
        capture.url,
        capture.reason,
        case_reference=capture.case_reference,
        source=capture.source,
        previous=capture,
    )


def share(capture: Capture, department: Department, user: Any) -> None:
    if not owns(user, capture) or not can_capture(user):
        raise NotAllowed("只有取证单位的取证人员可以共享证据")
    if capture.shared_with.filter(pk=department.pk).exists():
        return
    capture.shared_with.add(department)
    custody(capture, CustodyEvent.Action.SHARED, user, department=department.name, department_id=department.pk)


def viewed(capture: Capture, user: Any) -> None:
    custody(capture, CustodyEvent.Action.VIEWED, user)


def exported(capture: Capture, user: Any) -> None:
    custody(capture, CustodyEvent.Action.EXPORTED, user, package_sha256=capture.package_sha256)


# --- running ---------------------------------------------------------------------------------


def config() -> pipeline.Config:
    timeout = float(settings.QINGLANG_EVIDENCE_TIMEOUT_SECONDS)
    return pipeline.Config(
        limits=fetch.Limits(
            timeout=timeout,
            max_bytes=settings.QINGLANG_EVIDENCE_MAX_RESPONSE_BYTES,
            allow_private=settings.QINGLANG_ALLOW_PRIVATE_URLS,
        ),
        browser=browser.BrowserOptions(
            chromium=settings.QINGLANG_CHROMIUM or browser.default_chromium(),
            navigation_timeout=2 * timeout + 5,
            time_zone=settings.TIME_ZONE,
        ),
        package=package.Options(
            tsa_urls=list(settings.QINGLANG_TSA_URLS),
            tsa_timeout=timeout,
            signing_key=settings.QINGLANG_EVIDENCE_SIGNING_KEY,
            signing_cert=settings.QINGLANG_EVIDENCE_SIGNING_CERT,
        ),
    )


def claim(capture_id: int) -> Capture | None:
    """Move a queued capture to running; ``None`` when another worker got there first."""
    now = timezone.now()
    claimed = Capture.objects.filter(pk=capture_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started=now, heartbeat=now, attempts=F("attempts") + 1, progress=1, progress_text=""
    )
    if not claimed:
        return None
    capture = Capture.objects.select_related("department", "operator", "previous").get(pk=capture_id)
    _log_transition(capture, Status.QUEUED, Status.RUNNING, None, "worker claimed")
    return capture


def _job(capture: Capture) -> pipeline.Job:
    operator = capture.operator
    return pipeline.Job(
        capture=capture.public_id,
        url=capture.url,
        reason=capture.reason,
        case_reference=capture.case_reference,
        operator=f"{operator} ({operator.username})" if operator else "command line",
        department=str(capture.department or ""),
        source=capture.source,
    )


def _progress(capture: Capture) -> pipeline.Progress:
    def report(percent: int, text: str) -> None:
        Capture.objects.filter(pk=capture.pk).update(
            progress=percent, progress_text=text[:200], heartbeat=timezone.now()
        )

    return report


def run_capture(capture_id: int) -> Capture | None:
    """Claim and perform one capture. Safe to call twice: the second call finds nothing to do."""
    capture = claim(capture_id)
    if capture is None:
        return None
    try:
        result = pipeline.run(
            _job(capture), config(), _progress(capture), lambda code: str(Capture.Outcome(code).label)
        )
    except Exception as exc:
        log.exception("capture %s crashed", capture.public_id)
        result = pipeline.Result(pipeline.Outcome.UNREACHABLE, error=f"取证程序出错: {type(exc).__name__}: {exc}")
    _finish(capture, result)
    return capture


def _finish(capture: Capture, result: pipeline.Result) -> None:
    if not Capture.objects.filter(pk=capture.pk, status=Status.RUNNING, attempts=capture.attempts).exists():
        # the sweep gave this attempt up for lost and another one owns the capture now
        log.warning("capture %s attempt %s finished after it was superseded; result dropped",
                    capture.public_id, capture.attempts)
        return
    capture.outcome, capture.error, capture.notes = result.outcome, result.error[:2000], result.notes[:50]
    capture.final_url, capture.http_status, capture.title = result.final_url, result.status, result.title[:500]
    capture.text_sha256, capture.finished, capture.progress = result.text_sha256, timezone.now(), 100
    capture.change, capture.change_summary = compare(capture, result)
    built = result.built
    if built is not None:
        _store(capture, built)
    capture.save()
    if built is None:
        set_status(capture, Status.FAILED, reason=result.error[:500])
        custody(capture, CustodyEvent.Action.FAILED, outcome=result.outcome, error=result.error[:500])
        return
    set_status(capture, Status.DONE, reason=result.outcome)
    custody(
        capture,
        CustodyEvent.Action.PRESERVED,
        outcome=result.outcome,
        package_sha256=capture.package_sha256,
        manifest_sha256=capture.manifest_sha256,
        timestamp=capture.timestamp_authority or None,
        change=capture.change,
    )


def _store(capture: Capture, built: package.Built) -> None:
    name = f"{timezone.localdate():%Y/%m}/{capture.public_id}.wacz"  # upload_to adds evidence/
    capture.package.save(name, ContentFile(built.data), save=False)
    capture.package_sha256, capture.manifest_sha256 = built.sha256, built.manifest_sha256
    capture.files, capture.signed, capture.timestamp_errors = built.files, built.signed, built.timestamp_errors
    if built.stamps:
        capture.timestamped_at, capture.timestamp_authority = built.stamps[0].gen_time, built.stamps[0].url


def read_artefact(capture: Capture, path: str) -> bytes | None:
    if not capture.package:
        return None
    with capture.package.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        try:
            return archive.read(path)
        except KeyError:
            return None


GONE_OUTCOMES = {pipeline.Outcome.NOT_FOUND, pipeline.Outcome.UNREACHABLE, pipeline.Outcome.HTTP_ERROR}


def compare(capture: Capture, result: pipeline.Result) -> tuple[str, str]:
    """Against the previous capture of the same page: unchanged, changed (with a diff) or gone."""
    previous = capture.previous
    if previous is None:
        return Capture.Change.FIRST, ""
    if result.outcome in GONE_OUTCOMES and previous.outcome not in GONE_OUTCOMES:
        return Capture.Change.GONE, result.error or f"HTTP {result.status}"
    if result.text_sha256 == previous.text_sha256:
        return Capture.Change.UNCHANGED, ""
    before = (read_artefact(previous, "evidence/text.txt") or b"").decode(errors="replace").splitlines()
    diff = difflib.unified_diff(before, result.text.splitlines(), previous.public_id, capture.public_id, lineterm="")
    return Capture.Change.CHANGED, "\n".join(list(diff)[:200])


def due_recaptures(now: Any = None) -> list[Capture]:
    """Queue the scheduled re-captures that are due; each is claimed by moving its next time on."""
    now = now or timezone.now()
    queued = []
    for item in Capture.objects.filter(next_recapture_at__lte=now, recapture_every_hours__isnull=False):
        hours = item.recapture_every_hours or 1
        # Conditional update: if two schedulers see the same row, only one moves it on.
        if not Capture.objects.filter(pk=item.pk, next_recapture_at=item.next_recapture_at).update(
            next_recapture_at=now + timedelta(hours=hours)
        ):
            continue
        latest = (
            Capture.objects.filter(url=item.url, department=item.department, status=Status.DONE)
            .order_by("-created", "-pk")
            .first()
        ) or item
        custody(item, CustodyEvent.Action.RECAPTURED, None, scheduled=True)
        try:
            queued.append(
                request_capture(
                    item.operator,
                    item.url,
                    item.reason,
                    case_reference=item.case_reference,
                    source=item.source,
                    previous=latest,
                )
            )
        except netguard.UrlRefused as exc:
            log.warning("scheduled re-capture of %s refused: %s", item.public_id, exc)
    return queued
