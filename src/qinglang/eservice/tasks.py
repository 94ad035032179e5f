"""Background work of the e-stations. Every task is idempotent and claims its rows with a
conditional ``update()``, so two workers never act twice on one request."""

from __future__ import annotations

from celery import shared_task

from qinglang.eservice import sensing, upkeep


@shared_task(name="qinglang.eservice.tasks.after_intake", ignore_result=True)
def after_intake(pk: int) -> None:
    """Slow work after a request is accepted (the WeChat reply has already gone out)."""
    sensing.classify_request(pk)


@shared_task(name="qinglang.eservice.tasks.analyse_requests", ignore_result=True)
def analyse_requests() -> int:
    return sensing.cluster_recent()


@shared_task(name="qinglang.eservice.tasks.flag_overdue", ignore_result=True)
def flag_overdue() -> int:
    return upkeep.flag_overdue()


@shared_task(name="qinglang.eservice.tasks.purge_expired_personal_data", ignore_result=True)
def purge_expired_personal_data() -> int:
    return upkeep.purge_expired_personal_data()
