"""Joint operations group cases; joint meetings turn decisions into tasks; outreach issues are
tracked to a case or a task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from qinglang.cases.models import Case, JointMeeting, JointOperation, OutreachActivity, Task


def test_an_operation_groups_cases_and_is_scoped(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    client.force_login(org["duty"])
    response = client.post(reverse("cases-operation-new"), {
        "name": "清朗·清溪护企2026专项行动", "departments": [org["police"].pk], "starts_on": "2026-03-01",
        "description": "联合整治涉企网络“黑嘴”。",
    })
    operation = JointOperation.objects.get()
    assert response["Location"] == reverse("cases-operation-detail", args=[operation.pk])
    assert operation.department == org["office"]
    case = make_case("assigned")
    client.post(reverse("cases-operation", args=[case.pk]), {"operation": operation.pk})
    case.refresh_from_db()
    assert case.operation == operation
    page = client.get(response["Location"]).content.decode()
    assert case.number in page  # type: ignore[operator]
    client.force_login(org["police_liaison"])  # a participant
    assert client.get(response["Location"]).status_code == 200
    client.force_login(org["outsider"])
    assert client.get(response["Location"]).status_code == 404


def test_meeting_decisions_become_tasks(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    response = client.post(reverse("cases-meeting-new"), {
        "title": "2026年第三季度网络执法联席会议", "held_on": "2026-09-10", "departments": [org["police"].pk],
        "agenda": "通报涉企网络乱象线索", "attendees": "网信办、公安、教育、民宗、民政",
        "minutes": "会议议定两项任务。",
        "decisions": "police 核查清溪爆料君账号实际控制人\ntown 走访辖区重点民营企业",
    })
    meeting = JointMeeting.objects.get()
    assert response.status_code == 302
    assert sorted(meeting.tasks.values_list("department__code", "title")) == [
        ("police", "核查清溪爆料君账号实际控制人"), ("town", "走访辖区重点民营企业"),
    ]
    assert set(meeting.departments.values_list("code", flat=True)) == {"police", "town"}
    task = meeting.tasks.get(department=org["police"])
    client.force_login(org["outsider"])  # cannot touch another department's task
    assert client.post(reverse("cases-task-done", args=[task.pk])).status_code == 404
    client.force_login(org["police_liaison"])
    client.post(reverse("cases-task-done", args=[task.pk]), {"next": "/cases/meetings/1/"})
    task.refresh_from_db()
    assert task.state == Task.State.DONE


def test_a_bad_decision_line_is_explained(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    page = client.post(reverse("cases-meeting-new"), {
        "title": "会议", "held_on": "2026-09-10", "decisions": "nosuch 任务",
    }).content.decode()
    assert "第1行" in page and "部门代码“nosuch”不存在" in page and not JointMeeting.objects.exists()


def test_a_department_key_past_a_database_integer_is_an_invalid_choice(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    for name, data in (("cases-meeting-new", {"title": "会议", "held_on": "2026-09-10"}),
                       ("cases-operation-new", {"name": "专项行动", "starts_on": "2026-03-01"})):
        page = client.post(reverse(name), {**data, "departments": ["99999999999999999999", org["police"].pk]})
        assert page.status_code == 200 and "99999999999999999999" in page.content.decode()
    assert not JointMeeting.objects.exists() and not JointOperation.objects.exists()


def test_forum_issues_are_tracked_to_a_case_or_a_task(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    client.force_login(org["duty"])
    client.post(reverse("cases-outreach-new"), {
        "kind": "forum", "title": "民营企业网络环境座谈会", "held_on": "2026-05-20",
        "enterprises": "清溪星河科技有限公司\n清溪海丝食品有限公司",
        "issues": "清溪星河科技有限公司：有自媒体索要删帖费\n清溪海丝食品有限公司：搜索联想词出现“倒闭”",
    })
    activity = OutreachActivity.objects.get()
    assert activity.enterprise_list() == ["清溪星河科技有限公司", "清溪海丝食品有限公司"]
    first, second = activity.issues.order_by("pk")
    case = make_case()
    client.post(reverse("cases-issue-link", args=[first.pk]), {"case_number": case.number})
    client.post(reverse("cases-issue-link", args=[second.pk]), {"task_title": "协调搜索平台清理虚假联想词"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.case == case and second.task is not None and second.task.department == org["office"]
    page = client.get(reverse("cases-outreach-detail", args=[activity.pk])).content.decode()
    assert case.number in page and "协调搜索平台清理虚假联想词" in page  # type: ignore[operator]
    client.force_login(org["outsider"])
    assert client.get(reverse("cases-outreach-detail", args=[activity.pk])).status_code == 404


def test_an_operation_gets_tasks_of_its_own(client: Client, org: dict[str, Any]) -> None:
    operation = JointOperation.objects.create(name="护企行动", department=org["office"], starts_on="2026-03-01")
    client.force_login(org["duty"])
    url = reverse("cases-operation-detail", args=[operation.pk])
    client.post(url, {"title": "梳理辖区重点企业名单", "department": org["town"].pk, "due_on": "2026-03-15"})
    task = operation.tasks.get()
    assert task.department == org["town"] and str(task.due_on) == "2026-03-15"
    client.force_login(org["town_staff"])  # the town is not a participant: the operation stays hidden
    assert client.get(url).status_code == 404


def test_a_department_sees_its_open_tasks(client: Client, org: dict[str, Any]) -> None:
    Task.objects.create(title="走访辖区重点民营企业", department=org["town"])
    Task.objects.create(title="核查账号实际控制人", department=org["police"])
    client.force_login(org["town_staff"])
    page = client.get(reverse("cases-operation-list")).content.decode()
    assert "走访辖区重点民营企业" in page and "核查账号实际控制人" not in page
    task = Task.objects.get(department=org["town"])
    response = client.post(reverse("cases-task-done", args=[task.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("cases-operation-list")
    task.refresh_from_db()
    assert task.state == Task.State.DONE  # station staff close their own department's tasks
