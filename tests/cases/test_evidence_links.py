"""Actions rest on items of the evidence module (real foreign keys), and only on items the
officer's department may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinglang.audit.models import AuditEntry
from qinglang.cases import forms, services
from qinglang.cases.models import Case, CaseAction
from qinglang.evidence.models import Capture
from qinglang.org.models import Department


def capture(public_id: str, department: Department, title: str = "") -> Capture:
    return Capture.objects.create(
        public_id=public_id, url=f"https://weibo.example.com/{public_id}", reason="案件取证",
        department=department, title=title, status=Capture.Status.DONE,
    )


@pytest.fixture
def items(org: dict[str, Any]) -> dict[str, Capture]:
    return {
        "police": capture("EV20261120-POL001", org["police"], "清溪爆料君 致癌谣言帖"),
        "office": capture("EV20261120-OFF001", org["office"], "网信办取证"),
        "outsider": capture("EV20261120-OUT001", org["outsider_dept"], "外部单位取证"),
    }


def interview(**extra: Any) -> dict[str, Any]:
    return {"kind": "interview", "principal": "清溪爆料君", "principal_kind": "account", "taken_on": "2026-11-20",
            "attendees": "账号运营者张某", "minutes": "责令删除不实信息。", **extra}


def test_the_form_offers_only_items_the_department_may_see(
    org: dict[str, Any], items: dict[str, Capture]
) -> None:
    offered = set(forms.ActionForm(user=org["police_liaison"]).fields["captures"].queryset)  # type: ignore[attr-defined]
    assert offered == {items["police"]}
    items["office"].shared_with.add(org["police"])  # shared items are offered too
    offered = set(forms.ActionForm(user=org["police_liaison"]).fields["captures"].queryset)  # type: ignore[attr-defined]
    assert offered == {items["police"], items["office"]}
    # The office sits above nobody here but sees its own; the administrator sees everything.
    admin_offered = forms.ActionForm(user=org["admin"]).fields["captures"].queryset  # type: ignore[attr-defined]
    assert admin_offered.count() == 3


def test_an_action_links_evidence_items_and_the_case_page_links_to_them(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any], items: dict[str, Capture]
) -> None:
    case = make_case("assigned", lead="police")
    client.force_login(org["police_liaison"])
    client.post(reverse("cases-action", args=[case.pk]), interview(captures=[items["police"].pk]))
    action = CaseAction.objects.get()
    assert list(action.captures.all()) == [items["police"]]
    assert list(items["police"].case_actions.all()) == [action]
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert f'href="{reverse("evidence-detail", args=[items["police"].public_id])}"' in page
    entry = AuditEntry.objects.get(action="cases.action_recorded")
    assert entry.detail["captures"] == ["EV20261120-POL001"]
    # The office sees the case (it assigned it) but not the police's item: named, not linked.
    client.force_login(org["duty"])
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert "EV20261120-POL001" in page and reverse("evidence-detail", args=["EV20261120-POL001"]) not in page


def test_an_officer_cannot_link_an_item_their_department_cannot_see(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any], items: dict[str, Capture]
) -> None:
    case = make_case("assigned", lead="police")
    client.force_login(org["police_liaison"])
    page = client.post(
        reverse("cases-action", args=[case.pk]), interview(captures=[items["outsider"].pk]), follow=True
    ).content.decode()
    assert "证据条目" in page and not CaseAction.objects.exists()
    assert "EV20261120-OUT001" not in page  # not even offered on the page
    # The service refuses it too, whoever calls it.
    action = CaseAction(kind="warning", principal="清溪爆料君", taken_on=timezone.localdate(), legal_basis="第四十七条")
    with pytest.raises(services.CaseRuleError, match="无权查看"):
        services.record_action(case, org["police_liaison"], action, captures=[items["outsider"]])
    assert not CaseAction.objects.exists()
