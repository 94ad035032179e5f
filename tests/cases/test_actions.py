"""Typed actions: what each kind must carry, the takedown letter, evidence and responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinglang.audit.models import AuditEntry
from qinglang.cases.models import Case, CaseAction

DIGEST = "ab" * 32


def post_action(client: Client, case: Case, **fields: Any) -> Any:
    data = {"principal": "清溪爆料君", "principal_kind": "account", "taken_on": "2026-11-20", **fields}
    return client.post(reverse("cases-action", args=[case.pk]), data, follow=True)


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        ("takedown", "平台"), ("interview", "参加人员"), ("warning", "法律依据"), ("filed", "立案编号"),
        ("transfer", "接收单位"),
    ],
)
def test_each_kind_requires_its_own_fields(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any], kind: str, missing: str
) -> None:
    case = make_case("assigned")
    client.force_login(org["police_liaison"])
    page = post_action(client, case, kind=kind).content.decode()
    assert f"此类措施须填写“{missing}”" in page
    assert not CaseAction.objects.exists()


def test_an_interview_with_evidence_and_the_targets_response(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("assigned")
    client.force_login(org["police_liaison"])
    post_action(client, case, kind="interview", attendees="账号运营者张某；市网信办、市公安局各1人",
                minutes="责令删除不实视频并公开致歉。", evidence=f"EV-2026-0031 {DIGEST}\nEV-2026-0032")
    action = CaseAction.objects.get()
    assert action.department == org["police"] and action.created_by == org["police_liaison"]
    evidence = sorted(action.evidence.values_list("reference", "sha256"))
    assert evidence == [("EV-2026-0031", DIGEST), ("EV-2026-0032", "")]
    client.post(reverse("cases-action-response", args=[case.pk, action.pk]), {"response": "已删除并致歉"})
    action.refresh_from_db()
    assert action.response == "已删除并致歉"
    entry = AuditEntry.objects.get(action="cases.action_recorded")
    assert entry.detail["kind"] == "interview" and entry.detail["evidence"] == ["EV-2026-0031", "EV-2026-0032"]


def test_a_takedown_notice_letter_is_generated(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("assigned")
    client.force_login(org["duty"])
    post_action(client, case, kind="takedown", platform="示例微博",
                urls="https://weibo.example.com/p/1\nhttps://weibo.example.com/p/2")
    action = CaseAction.objects.get()
    assert action.url_list() == ["https://weibo.example.com/p/1", "https://weibo.example.com/p/2"]
    text = action.letter
    assert text.startswith("示例微博：") and "“清溪爆料君”" in text and "2. https://weibo.example.com/p/2" in text
    assert "有偿删帖、索要删稿费公关费" in text and case.number in text  # type: ignore[operator]


def test_actions_only_while_the_case_is_being_handled(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("received")
    client.force_login(org["duty"])
    page = post_action(client, case, kind="warning", legal_basis="《网络安全法》第四十七条").content.decode()
    assert "案件须已交办、尚未办结，才能登记处置措施" in page and not CaseAction.objects.exists()


def test_the_case_page_links_to_evidence_capture(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    from django.apps import apps

    case = make_case("assigned", url="https://weibo.example.com/u/9/p/9")
    capture = apps.get_model("evidence", "Capture").objects.create(
        public_id="EV20261129-CASE01", url="https://weibo.example.com/u/9/p/9", reason="案件取证",
        case_reference=case.number, department=org["office"],
    )
    client.force_login(org["duty"])
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert reverse("evidence-detail", args=[capture.public_id]) in page
    assert f"/evidence/new/?url=https%3A%2F%2Fweibo.example.com%2Fu%2F9%2Fp%2F9&amp;case={case.number}" in page
    client.force_login(org["outsider"])  # the outsider sees neither the case nor the capture
    assert client.get(reverse("cases-detail", args=[case.pk])).status_code == 404
