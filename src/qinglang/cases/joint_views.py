"""Joint operations (联合执法行动), joint meetings (联席会议) whose decisions become tasks, and
enterprise outreach (visits, questionnaires, forums) whose issues are tracked to cases or tasks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from qinglang.audit.services import record
from qinglang.cases import forms, questionnaires, services
from qinglang.cases.models import JointMeeting, JointOperation, OutreachActivity, OutreachIssue, Task
from qinglang.org.scoping import visible_to


def operations_for(user: Any) -> QuerySet[JointOperation]:
    return visible_to(user, JointOperation.objects.all(), field="department", shared_field="departments")


def meetings_for(user: Any) -> QuerySet[JointMeeting]:
    return visible_to(user, JointMeeting.objects.all(), field="department", shared_field="departments")


def outreach_for(user: Any) -> QuerySet[OutreachActivity]:
    return visible_to(user, OutreachActivity.objects.all(), field="department")


def _acting_department_or_refuse(request: HttpRequest) -> Any:
    user: Any = request.user
    if not services.can_act(user) or user.department is None:
        raise services.CaseRuleError("您的角色或部门不能登记此项。")
    return user.department


def operation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/operation_list.html",
        {
            "operations": operations_for(request.user).select_related("department")[:200],
            "meetings": meetings_for(request.user).select_related("department")[:50],
            "tasks": visible_to(
                request.user, Task.objects.filter(state=Task.State.OPEN), field="department"
            ).select_related("department")[:100],
            "can_act": services.can_act(request.user),
        },
    )


def operation_new(request: HttpRequest) -> HttpResponse:
    form = forms.OperationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            department = _acting_department_or_refuse(request)
        except services.CaseRuleError as error:
            messages.error(request, str(error))
            return redirect("cases-operation-list")
        operation = form.save(commit=False)
        operation.department = department
        operation.save()
        form.save_m2m()
        record("cases.operation_created", target=operation, detail={"name": operation.name})
        return redirect("cases-operation-detail", pk=operation.pk)
    return render(
        request, "cases/form_page.html", {"form": form, "title": pgettext_lazy("cases", "New joint operation")}
    )


def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = get_object_or_404(operations_for(request.user), pk=pk)
    form = forms.TaskForm(request.POST or None, auto_id="task_%s")
    if request.method == "POST" and form.is_valid() and services.can_act(request.user):
        task = form.save(commit=False)
        task.operation = operation
        task.save()
        record("cases.task_created", target=task, detail={"operation": operation.pk, "department": task.department_id})
        return redirect("cases-operation-detail", pk=operation.pk)
    return render(
        request,
        "cases/operation_detail.html",
        {
            "operation": operation,
            "cases": services.visible_cases(request.user).filter(operation=operation),
            "meetings": operation.meetings.all(),
            "tasks": operation.tasks.select_related("department"),
            "task_form": form,
            "can_act": services.can_act(request.user),
        },
    )


def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingForm(request.POST or None)
    form.fields["operation"].queryset = operations_for(request.user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            department = _acting_department_or_refuse(request)
        except services.CaseRuleError as error:
            messages.error(request, str(error))
            return redirect("cases-operation-list")
        meeting = _save_meeting(form, department)
        return redirect("cases-meeting-detail", pk=meeting.pk)
    return render(
        request, "cases/form_page.html", {"form": form, "title": pgettext_lazy("cases", "Record a joint meeting")}
    )


def _save_meeting(form: forms.MeetingForm, department: Any) -> JointMeeting:
    """The meeting and one task per decision, in one transaction."""
    with transaction.atomic():
        meeting = form.save(commit=False)
        meeting.department = department
        meeting.save()
        form.save_m2m()
        for responsible, title in form.cleaned_data["decisions"]:
            Task.objects.create(title=title, department=responsible, meeting=meeting, operation=meeting.operation)
            meeting.departments.add(responsible)
        record("cases.meeting_recorded", target=meeting, detail={"tasks": len(form.cleaned_data["decisions"])})
    return meeting


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meetings_for(request.user), pk=pk)
    return render(
        request,
        "cases/meeting_detail.html",
        {
            "meeting": meeting,
            "tasks": meeting.tasks.select_related("department"),
        },
    )


@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The responsible department (or an administrator) marks its task done."""
    task = get_object_or_404(visible_to(request.user, Task.objects.all(), field="department"), pk=pk)
    if task.state == Task.State.OPEN:
        Task.objects.filter(pk=task.pk).update(state=Task.State.DONE)
        record("cases.task_done", target=task)
    # Back to the page the button was on, but only within this module (no open redirect).
    next_url = str(request.POST.get("next", ""))
    return redirect(next_url if next_url.startswith("/cases/") else "cases-operation-list")


def outreach_list(request: HttpRequest) -> HttpResponse:
    activities = outreach_for(request.user).prefetch_related("issues")
    return render(
        request, "cases/outreach_list.html", {"activities": activities[:200], "can_act": services.can_act(request.user)}
    )


def outreach_new(request: HttpRequest) -> HttpResponse:
    form = forms.OutreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            department = _acting_department_or_refuse(request)
        except services.CaseRuleError as error:
            messages.error(request, str(error))
            return redirect("cases-outreach-list")
        with transaction.atomic():
            activity = form.save(commit=False)
            activity.department = department
            activity.save()
            for enterprise, issue in form.cleaned_data["issues"]:
                OutreachIssue.objects.create(activity=activity, enterprise=enterprise, issue=issue)
            record("cases.outreach_recorded", target=activity, detail={"kind": activity.kind})
        return redirect("cases-outreach-detail", pk=activity.pk)
    return render(
        request,
        "cases/form_page.html",
        {"form": form, "title": pgettext_lazy("cases", "Record a visit, questionnaire or forum")},
    )


def outreach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(outreach_for(request.user), pk=pk)
    context: dict[str, Any] = {
        "activity": activity,
        "issues": activity.issues.select_related("case", "task"),
        "link_form": forms.IssueLinkForm(),
        "can_act": services.can_act(request.user),
    }
    if activity.kind == OutreachActivity.Kind.QUESTIONNAIRE:
        context |= {
            "questionnaire": True,
            "tallies": questionnaires.tally(activity),
            "questions": activity.questions.all(),
            "matrix": questionnaires.answer_matrix(activity),
            "question_form": forms.QuestionForm(auto_id="qn_%s"),
            "answer_form": forms.AnswerForm(activity=activity, auto_id="an_%s"),
        }
    return render(request, "cases/outreach_detail.html", context)


def _outreach_post(request: HttpRequest, pk: int, act: Any) -> HttpResponse:
    """A POST on one outreach activity the user may see (404 otherwise); the rule's error is shown."""
    activity = get_object_or_404(outreach_for(request.user), pk=pk)
    try:
        act(activity)
    except services.CaseRuleError as error:
        messages.error(request, str(error))
    return redirect("cases-outreach-detail", pk=activity.pk)


def _form_problem(form: Any) -> services.CaseRuleError:
    return services.CaseRuleError("；".join(" ".join(errors) for errors in form.errors.values()) or "输入有误。")


@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(activity: OutreachActivity) -> None:
        form = forms.QuestionForm(request.POST)
        if not form.is_valid():
            raise _form_problem(form)
        data = form.cleaned_data
        questionnaires.add_question(
            activity, request.user, text=data["text"], kind=data["kind"], options=form.option_list()
        )

    return _outreach_post(request, pk, act)


@require_POST
def answers_record(request: HttpRequest, pk: int) -> HttpResponse:
    def act(activity: OutreachActivity) -> None:
        form = forms.AnswerForm(request.POST, activity=activity)
        if not form.is_valid():
            raise _form_problem(form)
        enterprise = form.cleaned_data["enterprise"]
        answered = questionnaires.record_answers(activity, request.user, enterprise, form.answers())
        messages.success(request, f"已记录“{enterprise}”的{answered}项回答。")

    return _outreach_post(request, pk, act)


@require_POST
def issue_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Track an issue raised by an enterprise: link an existing case, or create a task for it."""
    issue = get_object_or_404(OutreachIssue.objects.filter(activity__in=outreach_for(request.user)), pk=pk)
    form = forms.IssueLinkForm(request.POST)
    if form.is_valid() and services.can_act(request.user):
        number, title = form.cleaned_data["case_number"].strip(), form.cleaned_data["task_title"].strip()
        if number:
            case = services.visible_cases(request.user).filter(number=number).first()
            if case is None:
                messages.error(request, f"未找到您可查看的案件“{number}”。")
            else:
                issue.case = case
        elif title:
            issue.task = Task.objects.create(title=title, department=issue.activity.department)
        issue.save(update_fields=["case", "task"])
        record(
            "cases.issue_linked",
            target=issue.activity,
            detail={"issue": issue.pk, "case": issue.case_id, "task": issue.task_id},
        )
    return redirect("cases-outreach-detail", pk=issue.activity_id)
