"""Outreach questionnaires: typed questions, one enterprise's answers each, checked by type, and
the tally on the activity's page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinglang.audit.models import AuditEntry
from qinglang.cases import questionnaires
from qinglang.cases.models import OutreachActivity, Question, QuestionAnswer

STAR, RIVER = "清溪星河科技有限公司", "清溪河畔食品有限公司"


@pytest.fixture
def survey(org: dict[str, Any]) -> OutreachActivity:
    return OutreachActivity.objects.create(
        kind=OutreachActivity.Kind.QUESTIONNAIRE, title="涉企网络环境问卷", department=org["office"],
        held_on=date(2026, 11, 20), enterprises=f"{STAR}\n{RIVER}",
    )


def add(client: Client, survey: OutreachActivity, text: str, kind: str, options: str = "") -> Any:
    return client.post(reverse("cases-question-add", args=[survey.pk]),
                       {"text": text, "kind": kind, "options": options}, follow=True)


@pytest.fixture
def questions(client: Client, survey: OutreachActivity, org: dict[str, Any]) -> list[Question]:
    client.force_login(org["duty"])
    add(client, survey, "过去一年是否遭遇网络敲诈？", "yes_no")
    add(client, survey, "遭遇过哪些网络乱象？", "multi", "有偿删帖\n恶意差评\n仿冒官网")
    add(client, survey, "对网信部门处置工作的满意度", "rating")
    add(client, survey, "最希望获得的帮助", "choice", "快速删帖\n法律咨询")
    add(client, survey, "其他意见", "text")
    return list(survey.questions.all())


def answer(client: Client, survey: OutreachActivity, enterprise: str, questions: list[Question], *values: Any) -> Any:
    data: dict[str, Any] = {"enterprise": enterprise}
    data.update({f"q{q.pk}": v for q, v in zip(questions, values, strict=True)})
    return client.post(reverse("cases-answers-record", args=[survey.pk]), data, follow=True)


def test_questions_keep_their_order_and_type(questions: list[Question]) -> None:
    assert [(q.position, q.kind) for q in questions] == [
        (1, "yes_no"), (2, "multi"), (3, "rating"), (4, "choice"), (5, "text")
    ]
    assert questions[1].option_list() == ["有偿删帖", "恶意差评", "仿冒官网"]


def test_a_choice_needs_options_and_only_questionnaires_have_questions(
    client: Client, survey: OutreachActivity, org: dict[str, Any]
) -> None:
    client.force_login(org["duty"])
    assert "至少需要两个不同的选项" in add(client, survey, "单选题", "choice", "只有一个").content.decode()
    forum = OutreachActivity.objects.create(kind="forum", title="座谈会", department=org["office"],
                                            held_on=date(2026, 11, 21), enterprises=STAR)
    assert "只有问卷调查才能设置题目" in add(client, forum, "题目", "text").content.decode()
    assert not Question.objects.exists()


def test_answers_per_enterprise_are_tallied_on_the_page(
    client: Client, survey: OutreachActivity, questions: list[Question]
) -> None:
    page = answer(client, survey, STAR, questions, "yes", ["有偿删帖", "恶意差评"], "4", "快速删帖", "希望加快处置")
    assert "已记录" in page.content.decode()
    answer(client, survey, RIVER, questions, "no", ["恶意差评"], "5", "法律咨询", "")
    # A second visit corrects the first answers instead of adding to them.
    answer(client, survey, STAR, questions, "yes", ["有偿删帖", "恶意差评"], "2", "快速删帖", "希望加快处置")
    assert QuestionAnswer.objects.filter(enterprise=STAR).count() == 5
    assert QuestionAnswer.objects.filter(enterprise=RIVER).count() == 4  # an empty text is no answer
    tally = {t.question.position: t for t in questionnaires.tally(survey)}
    assert tally[1].counts == [("是", 1), ("否", 1)]
    assert tally[2].counts == [("有偿删帖", 1), ("恶意差评", 2), ("仿冒官网", 0)]
    assert tally[3].average == 3.5 and tally[5].texts == [(STAR, "希望加快处置")]
    page = client.get(reverse("cases-outreach-detail", args=[survey.pk])).content.decode()
    assert "希望加快处置" in page and "有偿删帖、恶意差评" in page and "3.5" in page
    assert AuditEntry.objects.filter(action="cases.answers_recorded").count() == 3


def test_answers_are_checked_by_type_and_enterprise(
    client: Client, survey: OutreachActivity, questions: list[Question], org: dict[str, Any]
) -> None:
    page = answer(client, survey, STAR, questions, "maybe", [], "9", "", "").content.decode()
    assert "选择一个有效的选项" in page and not QuestionAnswer.objects.exists()
    with pytest.raises(questionnaires.CaseRuleError, match="不在本次活动的企业名单中"):
        questionnaires.record_answers(survey, org["duty"], "名单外企业", {questions[0].pk: "yes"})
    with pytest.raises(questionnaires.CaseRuleError, match="第4题只能有一个答案"):
        questionnaires.record_answers(survey, org["duty"], STAR, {questions[3].pk: ["快速删帖", "法律咨询"]})
    with pytest.raises(questionnaires.CaseRuleError, match="第2题的答案不在可选范围内"):
        questionnaires.record_answers(survey, org["duty"], STAR, {questions[1].pk: ["编造的选项"]})
    assert not QuestionAnswer.objects.exists()


def test_other_departments_cannot_see_or_answer(
    client: Client, survey: OutreachActivity, questions: list[Question], org: dict[str, Any]
) -> None:
    client.force_login(org["outsider"])
    assert client.get(reverse("cases-outreach-detail", args=[survey.pk])).status_code == 404
    response = client.post(reverse("cases-answers-record", args=[survey.pk]), {"enterprise": STAR})
    assert response.status_code == 404
    response = client.post(reverse("cases-question-add", args=[survey.pk]), {"text": "题", "kind": "text"})
    assert response.status_code == 404 and survey.questions.count() == 5
