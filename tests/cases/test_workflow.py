"""The case pipeline: allowed moves, specific errors, history and audit on every change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinglang.audit.models import AuditEntry
from qinglang.cases import services
from qinglang.cases.models import Case, CaseAction, Report
from qinglang.cases.workflow import TRANSITIONS, CaseStatus, InvalidCaseTransition
from tests.cases.conftest import report_input

BASIS = "《网络信息内容生态治理规定》第六条"


def interview(case: Case, user: Any) -> CaseAction:
    return services.record_action(case, user, CaseAction(
        kind="interview", principal="清溪爆料君", taken_on=date(2026, 11, 20), attendees="账号运营者张某",
        minutes="当面约谈，责令删除不实信息。",
    ))


def test_the_whole_path_writes_history_and_audit(org: dict[str, Any], as_user: Any) -> None:
    duty = as_user(org["duty"])
    report, _ = services.submit_report(report_input())
    case = services.open_case(report, duty, title="清溪爆料君有偿删帖")
    assert case.number and case.number.startswith("AJ") and case.status == CaseStatus.RECEIVED
    report.refresh_from_db()
    assert report.state == Report.State.ACCEPTED and report.case == case
    services.set_status(case, "triaged", duty, reason="属于有偿删帖")
    services.assign(case, duty, lead=org["police"], co_departments=[org["town"]], reason="涉嫌敲诈勒索")
    services.set_status(case, "investigating", duty, reason="开始调查")
    interview(case, duty)
    services.set_status(case, "action_taken", duty, reason="已约谈", legal_basis=BASIS)
    services.set_status(case, "closed", duty, reason="账号已整改", legal_basis=BASIS)
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None and not case.is_open
    assert case.outcome == "账号已整改"
    history = list(case.transitions.values_list("from_status", "to_status", "actor__username", "legal_basis"))
    assert history == [
        ("", "received", "duty", ""), ("received", "triaged", "duty", ""), ("triaged", "assigned", "duty", ""),
        ("assigned", "investigating", "duty", ""), ("investigating", "action_taken", "duty", BASIS),
        ("action_taken", "closed", "duty", BASIS),
    ]
    audited = AuditEntry.objects.filter(action="cases.status_changed", target_id=str(case.pk))
    assert audited.count() == 5 and audited.last().actor == org["duty"]  # type: ignore[union-attr]
    assert audited.last().detail == {"from": "action_taken", "to": "closed", "reason": "账号已整改",  # type: ignore[union-attr]
                                     "legal_basis": BASIS}


ALL = [s.value for s in CaseStatus]
BAD_MOVES = [(a, b) for a in ALL for b in ALL if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("from_status", "to_status"), BAD_MOVES)
def test_every_move_outside_the_table_raises(
    make_case: Callable[..., Case], org: dict[str, Any], from_status: str, to_status: str
) -> None:
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status=from_status)
    case.refresh_from_db()
    with pytest.raises(InvalidCaseTransition) as caught:
        services.set_status(case, to_status, org["duty"], reason="试试", legal_basis=BASIS)
    assert caught.value.from_status == from_status and caught.value.to_status == to_status
    assert "不能从" in str(caught.value)
    case.refresh_from_db()
    assert case.status == from_status and case.transitions.count() == 1


@pytest.mark.parametrize(
    ("stage", "to_status", "legal_basis", "message"),
    [
        ("received", "rejected", "", "须写明法律依据"),
        ("triaged", "assigned", BASIS, "须指定牵头部门"),
    ],
)
def test_moves_that_need_more(
    make_case: Callable[..., Case], org: dict[str, Any], stage: str, to_status: str, legal_basis: str, message: str
) -> None:
    case = make_case(stage)
    with pytest.raises(InvalidCaseTransition, match=message):
        services.set_status(case, to_status, org["duty"], reason="理由", legal_basis=legal_basis)


def test_a_reason_is_always_required(make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    with pytest.raises(InvalidCaseTransition, match="请填写状态变更的理由"):
        services.set_status(make_case(), "triaged", org["duty"], reason="  ")


def test_action_taken_needs_a_recorded_action(make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    case = make_case("assigned")
    services.set_status(case, "investigating", org["duty"], reason="调查")
    with pytest.raises(InvalidCaseTransition, match="尚未登记任何处置措施"):
        services.set_status(case, "action_taken", org["duty"], reason="处置", legal_basis=BASIS)


def test_a_stale_copy_cannot_overwrite_a_newer_move(make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    case = make_case()
    stale = Case.objects.get(pk=case.pk)
    services.set_status(case, "triaged", org["duty"], reason="研判")
    # The stale copy still says "received"; its move is refused rather than silently applied.
    with pytest.raises(InvalidCaseTransition, match="已被他人更改"):
        services.set_status(stale, "rejected", org["duty"], reason="不予立案", legal_basis=BASIS)
    case.refresh_from_db()
    assert case.status == "triaged"


def test_roles_that_may_not_act(make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    with pytest.raises(services.CaseRuleError, match="不能办理案件"):
        services.set_status(make_case(), "triaged", org["town_staff"], reason="x")


def test_assignment_moves_the_lead_and_keeps_the_office_informed(
    make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("assigned", lead="police", co=("town",))
    case.refresh_from_db()
    assert case.department == org["police"] and list(case.co_departments.all()) == [org["town"]]
    assert list(case.shared_with.all()) == [org["office"]]
    assert case.due_at is not None
    entry = AuditEntry.objects.get(action="cases.assigned")
    assert entry.detail["lead"] == "police" and entry.detail["co"] == ["town"]


def test_pages_walk_the_pipeline_and_show_errors_in_chinese(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case()
    client.force_login(org["duty"])
    url = reverse("cases-transition", args=[case.pk])
    response = client.post(url, {"to_status": "rejected", "reason": "重复举报", "legal_basis": ""}, follow=True)
    assert "此项状态变更须写明法律依据" in response.content.decode()
    client.post(url, {"to_status": "triaged", "reason": "属实"})
    response = client.post(reverse("cases-assign", args=[case.pk]), {
        "lead": org["police"].pk, "co_departments": [org["town"].pk], "reason": "移交公安牵头",
    }, follow=True)
    page = response.content.decode()
    assert "已交办" in page and "测试市公安局网安支队" in page and "剩余" in page
