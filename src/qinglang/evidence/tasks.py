"""Background work: run a capture, and queue scheduled re-captures."""

from __future__ import annotations

from celery import shared_task

from qinglang.evidence import services


@shared_task(name="qinglang.evidence.tasks.run_capture_task", ignore_result=True)
def run_capture_task(capture_id: int) -> None:
    # Idempotent: run_capture claims the row first, so a redelivered message does nothing.
    services.run_capture(capture_id)


@shared_task(name="qinglang.evidence.tasks.recapture_due", ignore_result=True)
def recapture_due() -> int:
    """Every few minutes: recover captures a killed worker left running, resend captures left
    waiting, and queue scheduled re-captures."""
    services.recover_abandoned()
    services.requeue_waiting()
    return len(services.due_recaptures())
