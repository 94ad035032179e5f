"""Fixtures for cases: a report from a fictional enterprise, and cases at each stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qinglang.audit.services import AuditContext, current_context
from qinglang.cases import services
from qinglang.cases.categories import active_categories
from qinglang.cases.models import Case, Report

# The standard's own sample code (GB 32100-2015 examples use it); valid check character.
SAMPLE_CREDIT_CODE = "91350100M000100Y43"


def report_input(**overrides: Any) -> services.ReportInput:
    fields: dict[str, Any] = {
        "description": "某自媒体账号捏造清溪星河科技产品致癌的消息，并私信索要删帖费。",
        "category_id": active_categories().get(code="EXTORT.DELETE_FEE").pk,
        "target_url": "https://weibo.example.com/u/123/post/456",
        "target_account": "清溪爆料君",
        "platform": "示例微博",
        "reporter_kind": Report.ReporterKind.ENTERPRISE,
        "enterprise_name": "清溪星河科技有限公司",
        "credit_code": SAMPLE_CREDIT_CODE,
        "contact_name": "林晓",
        "contact_phone": "13800000000",
    }
    fields.update(overrides)
    return services.ReportInput(**fields)


@pytest.fixture
def as_user() -> Any:
    """Run service calls as a given user (the audit actor), as a request would."""
    tokens = []

    def activate(user: Any) -> Any:
        tokens.append(current_context.set(AuditContext(actor=user, ip="127.0.0.1")))
        return user

    yield activate
    for token in reversed(tokens):
        current_context.reset(token)


@pytest.fixture
def make_case(org: dict[str, Any]) -> Callable[..., Case]:
    """A case from a fresh report, moved as far as ``stage``: received, triaged or assigned."""

    def make(stage: str = "received", *, lead: str = "police", co: tuple[str, ...] = (), url: str = "") -> Case:
        duty = org["duty"]
        report, _code = services.submit_report(report_input(target_url=url or f"https://e.example.com/{Case.objects.count()}"))
        case = services.open_case(report, duty, title="清溪爆料君有偿删帖")
        if stage in ("triaged", "assigned"):
            services.set_status(case, "triaged", duty, reason="属于涉企有偿删帖")
        if stage == "assigned":
            services.assign(case, duty, lead=org[lead], co_departments=[org[c] for c in co], reason="涉嫌敲诈勒索")
        return case

    return make
