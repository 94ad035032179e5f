"""Background work of the monitor. Every task is idempotent and claims its work first."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery import shared_task

from qinglang.celery import ensure_broker_folders
from qinglang.monitor import alerts, fetch, processing, reports
from qinglang.monitor.ingest import import_rows, read_rows
from qinglang.monitor.models import Alert, ImportJob, Source

log = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any) -> None:
    """Send a task, logging instead of failing the request if the broker is down: stored
    documents stay pending for the scheduler's next ``process_pending``, and an alert whose
    mail could not be queued is still in the duty officer's inbox."""
    try:
        ensure_broker_folders()
        task.delay(*args)
    except Exception:
        log.exception("monitor: could not queue %s%r", getattr(task, "name", task), args)


@shared_task(name="qinglang.monitor.tasks.process_pending", ignore_result=True)
def process_pending(partition: str | None = None) -> int:
    """Drain pending documents. A partition whose lease another worker holds is skipped: that
    worker is already draining it (one consumer per partition)."""
    partitions = [partition] if partition else processing.partitions_with_work()
    return sum(processing.process_partition(p) for p in partitions)


@shared_task(name="qinglang.monitor.tasks.fetch_source", ignore_result=True)
def fetch_source(source_id: int) -> int:
    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None or not fetch.claim_source(source):
        return 0
    created = fetch.fetch_source(source)
    if created:
        enqueue(process_pending, source.partition)
    return created


@shared_task(name="qinglang.monitor.tasks.fetch_due_sources", ignore_result=True)
def fetch_due_sources() -> int:
    due = fetch.due_sources()
    for source in due:
        enqueue(fetch_source, source.pk)
    return len(due)


@shared_task(name="qinglang.monitor.tasks.escalate_overdue_alerts", ignore_result=True)
def escalate_overdue_alerts() -> int:
    return alerts.escalate_overdue()


@shared_task(name="qinglang.monitor.tasks.deliver_alert", ignore_result=True)
def deliver_alert(alert_id: int) -> None:
    alert = Alert.objects.select_related("event").filter(pk=alert_id).first()
    if alert is not None:
        alerts.deliver(alert)


@shared_task(name="qinglang.monitor.tasks.scheduled_reports", ignore_result=True)
def scheduled_reports() -> int:
    return len(reports.generate_due())


@shared_task(name="qinglang.monitor.tasks.run_import", ignore_result=True)
def run_import(job_id: int) -> None:
    # Claim: only one worker turns an unstarted job into a running one.
    if not ImportJob.objects.filter(pk=job_id, finished=False, done=0, message="").update(message="running"):
        return
    job = ImportJob.objects.select_related("source").get(pk=job_id)
    path = Path(job.path)
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline="") as handle:
            for tally in import_rows(job.source, read_rows(handle, job.file_name), caller=job.caller):
                ImportJob.objects.filter(pk=job_id).update(
                    done=tally.created + tally.duplicates + tally.errors, created_count=tally.created,
                    duplicates=tally.duplicates, errors=tally.errors,
                )
        message = ""
    except (UnicodeDecodeError, ValueError) as error:
        message = f"文件无法读取：{error}（请使用 UTF-8 编码的 JSONL 或 CSV）"
    ImportJob.objects.filter(pk=job_id).update(finished=True, message=message)
    enqueue(process_pending, job.source.partition)
