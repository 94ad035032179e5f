"""Background work of cases: the deadline watch (due-soon reminders and overdue escalation)."""

from __future__ import annotations

from celery import shared_task

from qinglang.cases import services


@shared_task(name="qinglang.cases.tasks.check_deadlines", ignore_result=True)
def check_deadlines() -> dict[str, int]:
    """Idempotent: each case is claimed by a conditional update before anything is sent."""
    return services.check_deadlines()
