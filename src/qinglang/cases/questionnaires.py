"""Outreach questionnaires: typed questions and each enterprise's answers, and their tally.

Answers are checked against the question's type here, whatever the caller (the page's form
already offers only valid values); an enterprise must be one the activity lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max

from qinglang.audit.services import record
from qinglang.cases.models import OutreachActivity, Question, QuestionAnswer
from qinglang.cases.services import CaseRuleError, require_actor

YES, NO = "yes", "no"
RATINGS = ("1", "2", "3", "4", "5")
CHOICE_KINDS = (Question.Kind.CHOICE, Question.Kind.MULTI)


def add_question(activity: OutreachActivity, user: Any, *, text: str, kind: str, options: list[str]) -> Question:
    """Append a question to a questionnaire; choices need at least two options."""
    require_actor(user)
    if activity.kind != OutreachActivity.Kind.QUESTIONNAIRE:
        raise CaseRuleError("只有问卷调查才能设置题目。")
    if kind in CHOICE_KINDS and len(set(options)) < 2:
        raise CaseRuleError("选择题至少需要两个不同的选项。")
    with transaction.atomic():
        last = activity.questions.aggregate(last=Max("position"))["last"] or 0
        question = Question.objects.create(
            activity=activity,
            position=last + 1,
            text=text.strip(),
            kind=kind,
            options="\n".join(options) if kind in CHOICE_KINDS else "",
        )
        record("cases.question_added", target=activity, detail={"question": question.pk, "kind": kind})
    return question


def allowed_values(question: Question) -> Sequence[str] | None:
    """The values an answer may take; None for free text."""
    if question.kind in CHOICE_KINDS:
        return question.option_list()
    if question.kind == Question.Kind.RATING:
        return RATINGS
    if question.kind == Question.Kind.YES_NO:
        return (YES, NO)
    return None


def label(question: Question, value: str) -> str:
    """How a stored answer reads on the page."""
    if question.kind == Question.Kind.YES_NO:
        return {YES: "是", NO: "否"}.get(value, value)
    return "、".join(value.splitlines())


def clean_value(question: Question, raw: str | list[str]) -> str:
    """The stored form of an answer ("" for no answer), or CaseRuleError if the type forbids it."""
    values = [v.strip() for v in (raw if isinstance(raw, list) else [raw]) if v and v.strip()]
    if not values:
        return ""
    allowed = allowed_values(question)
    if question.kind != Question.Kind.MULTI and len(values) > 1:
        raise CaseRuleError(f"第{question.position}题只能有一个答案。")
    if allowed is not None and any(v not in allowed for v in values):
        raise CaseRuleError(f"第{question.position}题的答案不在可选范围内。")
    return "\n".join(values)


def record_answers(activity: OutreachActivity, user: Any, enterprise: str, answers: dict[int, str | list[str]]) -> int:
    """Store one enterprise's answers (by question id), replacing its earlier ones; returns how
    many questions it answered. An empty answer removes an earlier one."""
    require_actor(user)
    if enterprise not in activity.enterprise_list():
        raise CaseRuleError(f"“{enterprise}”不在本次活动的企业名单中。")
    questions = {q.pk: q for q in activity.questions.all()}
    cleaned = {pk: clean_value(questions[pk], raw) for pk, raw in answers.items() if pk in questions}
    with transaction.atomic():
        for pk, value in cleaned.items():
            if value:
                QuestionAnswer.objects.update_or_create(
                    question_id=pk, enterprise=enterprise, defaults={"value": value, "answered_by": user}
                )
            else:
                QuestionAnswer.objects.filter(question_id=pk, enterprise=enterprise).delete()
        answered = sum(1 for v in cleaned.values() if v)
        record("cases.answers_recorded", target=activity, detail={"enterprise": enterprise, "answered": answered})
    return answered


@dataclass
class Tally:
    question: Question
    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)  # choices, yes/no, ratings
    average: float | None = None  # ratings
    texts: list[tuple[str, str]] = field(default_factory=list)  # free text: (enterprise, answer)


def tally(activity: OutreachActivity) -> list[Tally]:
    """Per question: how many enterprises answered, and the counts, average or texts."""
    result = []
    for question in activity.questions.prefetch_related("answers"):
        answers = list(question.answers.all())
        row = Tally(question, answered=len(answers))
        counter = Counter(v for a in answers for v in a.value_list())
        if question.kind in CHOICE_KINDS:
            row.counts = [(option, counter[option]) for option in question.option_list()]
        elif question.kind == Question.Kind.YES_NO:
            row.counts = [("是", counter[YES]), ("否", counter[NO])]
        elif question.kind == Question.Kind.RATING:
            row.counts = [(r, counter[r]) for r in RATINGS]
            row.average = round(sum(int(a.value) for a in answers) / len(answers), 2) if answers else None
        else:
            row.texts = [(a.enterprise, a.value) for a in answers]
        result.append(row)
    return result


def answer_matrix(activity: OutreachActivity) -> list[tuple[str, list[str]]]:
    """One row per listed enterprise, one cell per question ("" where it has not answered)."""
    questions = list(activity.questions.all())
    given = {(a.question_id, a.enterprise): a.value for a in QuestionAnswer.objects.filter(question__in=questions)}
    return [(name, [label(q, given.get((q.pk, name), "")) for q in questions]) for name in activity.enterprise_list()]
