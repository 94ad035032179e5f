"""Reports (举报/线索), cases (案件) and their typed actions, joint operations and meetings, tasks,
and enterprise outreach for the "清朗·优化营商网络环境" action.

The status pipeline of a case lives in ``workflow.py`` and is applied by ``services.set_status``;
nothing else writes ``Case.status``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from qinglang.cases.workflow import CaseStatus
from qinglang.core.text import nonblank_lines
from qinglang.org.models import Department

__all__ = [
    "ActionKind",
    "Case",
    "CaseAction",
    "CaseStatus",
    "CaseTransition",
    "EvidenceLink",
    "HarmCategory",
    "JointMeeting",
    "JointOperation",
    "OutreachActivity",
    "OutreachIssue",
    "Question",
    "QuestionAnswer",
    "Reminder",
    "Report",
    "ReportAttachment",
    "Task",
]

DEPARTMENT = Department


class HarmCategory(models.Model):
    """A kind of online harm to enterprises (taxonomy.md); editable data, seeded from the engine's list."""

    code = models.CharField(pgettext_lazy("cases", "code"), max_length=40, unique=True)
    class_zh = models.CharField(pgettext_lazy("cases", "class"), max_length=40, blank=True)
    name_zh = models.CharField(pgettext_lazy("cases", "Chinese name"), max_length=80)
    name_en = models.CharField(pgettext_lazy("cases", "English name"), max_length=120, blank=True)
    description = models.TextField(pgettext_lazy("cases", "description"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("cases", "active"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "harm category")
        verbose_name_plural = pgettext_lazy("cases", "harm categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.class_zh} · {self.name_zh}" if self.class_zh else self.name_zh


class JointOperation(models.Model):
    """A named joint enforcement operation (联合执法行动) across departments."""

    name = models.CharField(pgettext_lazy("cases", "name"), max_length=120)
    department = models.ForeignKey(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "lead department"),
        on_delete=models.PROTECT,
        related_name="led_operations",
    )
    departments = models.ManyToManyField(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "participating departments"),
        blank=True,
        related_name="joint_operations",
    )
    starts_on = models.DateField(pgettext_lazy("cases", "starts on"))
    ends_on = models.DateField(pgettext_lazy("cases", "ends on"), null=True, blank=True)
    description = models.TextField(pgettext_lazy("cases", "description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "joint operation")
        verbose_name_plural = pgettext_lazy("cases", "joint operations")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    number = models.CharField(pgettext_lazy("cases", "case number"), max_length=30, unique=True, null=True, blank=True)
    title = models.CharField(pgettext_lazy("cases", "title"), max_length=200)
    summary = models.TextField(pgettext_lazy("cases", "summary"), blank=True)
    category = models.ForeignKey(
        HarmCategory,
        verbose_name=pgettext_lazy("cases", "harm category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        pgettext_lazy("cases", "status"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.RECEIVED,
        db_index=True,
    )
    outcome = models.CharField(pgettext_lazy("cases", "outcome"), max_length=200, blank=True)
    # The scoping field: the department leading the case (the intake office until assignment).
    department = models.ForeignKey(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "lead department"),
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    co_departments = models.ManyToManyField(
        DEPARTMENT, verbose_name=pgettext_lazy("cases", "co-handling departments"), blank=True, related_name="co_cases"
    )
    shared_with = models.ManyToManyField(
        DEPARTMENT, verbose_name=pgettext_lazy("cases", "shared with"), blank=True, related_name="shared_cases"
    )
    operation = models.ForeignKey(
        JointOperation,
        verbose_name=pgettext_lazy("cases", "joint operation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    # Time limit on the working-day calendar; paused while waiting on a third party.
    time_limit_days = models.PositiveSmallIntegerField(pgettext_lazy("cases", "time limit (working days)"), default=15)
    due_at = models.DateTimeField(pgettext_lazy("cases", "due"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(pgettext_lazy("cases", "paused at"), null=True, blank=True)
    pause_reason = models.CharField(pgettext_lazy("cases", "pause reason"), max_length=200, blank=True)
    days_left_at_pause = models.SmallIntegerField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "case")
        verbose_name_plural = pgettext_lazy("cases", "cases")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in CaseStatus.terminal()


class CaseTransition(models.Model):
    """One status change: who, when, from, to, why and on which legal basis."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(pgettext_lazy("cases", "reason"))
    legal_basis = models.CharField(pgettext_lazy("cases", "legal basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class Report(models.Model):
    """A report or lead, from the public form, a monitoring alert, an e-station or staff entry."""

    class Source(models.TextChoices):
        PUBLIC = "public", pgettext_lazy("cases", "Public report form")
        ALERT = "alert", pgettext_lazy("cases", "Monitoring alert")
        ESTATION = "estation", pgettext_lazy("cases", "E-station request")
        STAFF = "staff", pgettext_lazy("cases", "Staff entry")

    class ReporterKind(models.TextChoices):
        ENTERPRISE = "enterprise", pgettext_lazy("cases", "Enterprise")
        CITIZEN = "citizen", pgettext_lazy("cases", "Citizen")

    class State(models.TextChoices):
        NEW = "new", pgettext_lazy("cases", "New")
        DUPLICATE = "duplicate", pgettext_lazy("cases", "Duplicate")
        SPAM = "spam", pgettext_lazy("cases", "Spam")
        ACCEPTED = "accepted", pgettext_lazy("cases", "Accepted into a case")
        DISMISSED = "dismissed", pgettext_lazy("cases", "Dismissed")

    receipt_no = models.CharField(pgettext_lazy("cases", "receipt number"), max_length=20, unique=True)
    verify_hash = models.CharField(max_length=64, editable=False)
    source = models.CharField(
        pgettext_lazy("cases", "source"), max_length=10, choices=Source.choices, default=Source.PUBLIC
    )
    source_ref = models.CharField(pgettext_lazy("cases", "source reference"), max_length=100, blank=True)
    state = models.CharField(
        pgettext_lazy("cases", "state"), max_length=10, choices=State.choices, default=State.NEW, db_index=True
    )
    department = models.ForeignKey(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "receiving department"),
        on_delete=models.PROTECT,
        related_name="case_reports",
    )
    category = models.ForeignKey(
        HarmCategory,
        verbose_name=pgettext_lazy("cases", "harm category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    target_url = models.URLField(pgettext_lazy("cases", "target URL"), max_length=500, blank=True)
    target_key = models.CharField(max_length=500, blank=True, db_index=True, editable=False)
    target_account = models.CharField(pgettext_lazy("cases", "target account"), max_length=200, blank=True)
    platform = models.CharField(pgettext_lazy("cases", "platform"), max_length=100, blank=True)
    description = models.TextField(pgettext_lazy("cases", "description"))
    reporter_kind = models.CharField(
        pgettext_lazy("cases", "reporter"), max_length=12, choices=ReporterKind.choices, default=ReporterKind.CITIZEN
    )
    enterprise_name = models.CharField(pgettext_lazy("cases", "enterprise name"), max_length=200, blank=True)
    credit_code = models.CharField(pgettext_lazy("cases", "unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(pgettext_lazy("cases", "contact name"), max_length=60, blank=True)
    contact_phone = models.CharField(pgettext_lazy("cases", "contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(pgettext_lazy("cases", "contact e-mail"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    spam_reason = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict, blank=True)  # the submission as received, for the record
    ip = models.GenericIPAddressField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "report")
        verbose_name_plural = pgettext_lazy("cases", "reports")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.receipt_no


class ReportAttachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/reports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


class ActionKind(models.TextChoices):
    TAKEDOWN = "takedown", pgettext_lazy("cases", "Takedown notice")
    INTERVIEW = "interview", pgettext_lazy("cases", "Interview")
    WARNING = "warning", pgettext_lazy("cases", "Warning")
    FILED = "filed", pgettext_lazy("cases", "Filed case")
    TRANSFER = "transfer", pgettext_lazy("cases", "Transfer to police")


class CaseAction(models.Model):
    """A typed enforcement action against a principal (a website or account and who runs it)."""

    class PrincipalKind(models.TextChoices):
        WEBSITE = "website", pgettext_lazy("cases", "Website")
        ACCOUNT = "account", pgettext_lazy("cases", "Account")
        PLATFORM = "platform", pgettext_lazy("cases", "Platform")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(
        pgettext_lazy("cases", "action type"), max_length=12, choices=ActionKind.choices, db_index=True
    )
    department = models.ForeignKey(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "acting department"),
        on_delete=models.PROTECT,
        related_name="case_actions",
    )
    principal = models.CharField(pgettext_lazy("cases", "principal"), max_length=200)
    principal_kind = models.CharField(
        pgettext_lazy("cases", "principal kind"),
        max_length=10,
        choices=PrincipalKind.choices,
        default=PrincipalKind.ACCOUNT,
    )
    platform = models.CharField(pgettext_lazy("cases", "platform"), max_length=100, blank=True)
    taken_on = models.DateField(pgettext_lazy("cases", "date"))
    legal_basis = models.CharField(pgettext_lazy("cases", "legal basis"), max_length=300, blank=True)
    attendees = models.TextField(pgettext_lazy("cases", "attendees"), blank=True)
    minutes = models.TextField(pgettext_lazy("cases", "minutes"), blank=True)
    letter = models.TextField(pgettext_lazy("cases", "notice letter"), blank=True)
    target_urls = models.TextField(pgettext_lazy("cases", "links to take down"), blank=True)  # one per line
    filed_number = models.CharField(pgettext_lazy("cases", "filing number"), max_length=60, blank=True)
    receiving_unit = models.CharField(pgettext_lazy("cases", "receiving unit"), max_length=120, blank=True)
    response = models.TextField(pgettext_lazy("cases", "target's response"), blank=True)
    # Items preserved by the evidence module; outside references stay in ``EvidenceLink``.
    captures = models.ManyToManyField(
        "evidence.Capture",
        verbose_name=pgettext_lazy("cases", "evidence items"),
        blank=True,
        related_name="case_actions",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "enforcement action")
        verbose_name_plural = pgettext_lazy("cases", "enforcement actions")
        ordering = ["taken_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.principal}"

    def url_list(self) -> list[str]:
        return nonblank_lines(self.target_urls)


class EvidenceLink(models.Model):
    """A pointer to evidence kept outside the evidence module (a reference and its hash); captures
    of the evidence module are linked through ``CaseAction.captures``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    action = models.ForeignKey(CaseAction, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    reference = models.CharField(pgettext_lazy("cases", "evidence reference"), max_length=200)
    sha256 = models.CharField(pgettext_lazy("cases", "SHA-256"), max_length=64, blank=True)
    note = models.CharField(pgettext_lazy("cases", "note"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference


class Reminder(models.Model):
    """A reminder (催办) by a person, or an automatic due-soon notice or overdue escalation."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", pgettext_lazy("cases", "Reminder")
        DUE_SOON = "due_soon", pgettext_lazy("cases", "Due soon")
        ESCALATION = "escalation", pgettext_lazy("cases", "Overdue escalation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    department = models.ForeignKey(DEPARTMENT, on_delete=models.PROTECT, related_name="case_reminders")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_reminders"
    )
    message = models.CharField(pgettext_lazy("cases", "message"), max_length=300)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class JointMeeting(models.Model):
    """A joint meeting (联席会议): its decisions become tasks."""

    title = models.CharField(pgettext_lazy("cases", "title"), max_length=200)
    department = models.ForeignKey(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "convening department"),
        on_delete=models.PROTECT,
        related_name="convened_meetings",
    )
    departments = models.ManyToManyField(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "attending departments"),
        blank=True,
        related_name="joint_meetings",
    )
    operation = models.ForeignKey(
        JointOperation,
        verbose_name=pgettext_lazy("cases", "joint operation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    held_on = models.DateField(pgettext_lazy("cases", "held on"))
    agenda = models.TextField(pgettext_lazy("cases", "agenda"), blank=True)
    attendees = models.TextField(pgettext_lazy("cases", "attendees"), blank=True)
    minutes = models.TextField(pgettext_lazy("cases", "minutes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "joint meeting")
        verbose_name_plural = pgettext_lazy("cases", "joint meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """Work given to a department: a meeting decision, part of an operation, or an outreach issue."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("cases", "Open")
        DONE = "done", pgettext_lazy("cases", "Done")

    title = models.CharField(pgettext_lazy("cases", "task"), max_length=200)
    department = models.ForeignKey(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "responsible department"),
        on_delete=models.PROTECT,
        related_name="case_tasks",
    )
    operation = models.ForeignKey(JointOperation, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    meeting = models.ForeignKey(JointMeeting, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    due_on = models.DateField(pgettext_lazy("cases", "due on"), null=True, blank=True)
    state = models.CharField(pgettext_lazy("cases", "state"), max_length=6, choices=State.choices, default=State.OPEN)
    note = models.TextField(pgettext_lazy("cases", "note"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "task")
        verbose_name_plural = pgettext_lazy("cases", "tasks")
        ordering = ["state", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class OutreachActivity(models.Model):
    """An enterprise visit, questionnaire or forum (座谈会) of the action."""

    class Kind(models.TextChoices):
        VISIT = "visit", pgettext_lazy("cases", "Visit")
        QUESTIONNAIRE = "questionnaire", pgettext_lazy("cases", "Questionnaire")
        FORUM = "forum", pgettext_lazy("cases", "Forum")

    kind = models.CharField(pgettext_lazy("cases", "kind"), max_length=14, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("cases", "title"), max_length=200)
    department = models.ForeignKey(
        DEPARTMENT,
        verbose_name=pgettext_lazy("cases", "department"),
        on_delete=models.PROTECT,
        related_name="outreach_activities",
    )
    held_on = models.DateField(pgettext_lazy("cases", "held on"))
    enterprises = models.TextField(
        pgettext_lazy("cases", "enterprises attending"), help_text=pgettext_lazy("cases", "One enterprise per line.")
    )
    summary = models.TextField(pgettext_lazy("cases", "summary of the activity"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("cases", "outreach activity")
        verbose_name_plural = pgettext_lazy("cases", "outreach activities")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def enterprise_list(self) -> list[str]:
        return nonblank_lines(self.enterprises)


class OutreachIssue(models.Model):
    """An issue an enterprise raised; tracked until it is linked to a case or a task."""

    activity = models.ForeignKey(OutreachActivity, on_delete=models.CASCADE, related_name="issues")
    enterprise = models.CharField(pgettext_lazy("cases", "enterprise"), max_length=200)
    issue = models.TextField(pgettext_lazy("cases", "issue raised"))
    case = models.ForeignKey(
        Case,
        verbose_name=pgettext_lazy("cases", "case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_issues",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=pgettext_lazy("cases", "task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_issues",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.issue[:40]}"


class Question(models.Model):
    """One question of an outreach questionnaire, with its type and (for choices) its options."""

    class Kind(models.TextChoices):
        CHOICE = "choice", pgettext_lazy("cases", "Single choice")
        MULTI = "multi", pgettext_lazy("cases", "Multiple choice")
        RATING = "rating", pgettext_lazy("cases", "Rating (1–5)")
        YES_NO = "yes_no", pgettext_lazy("cases", "Yes or no")
        TEXT = "text", pgettext_lazy("cases", "Free text")

    activity = models.ForeignKey(OutreachActivity, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(pgettext_lazy("cases", "question"), max_length=300)
    kind = models.CharField(pgettext_lazy("cases", "question type"), max_length=8, choices=Kind.choices)
    options = models.TextField(
        pgettext_lazy("cases", "options"), blank=True, help_text=pgettext_lazy("cases", "One option per line.")
    )

    class Meta:
        verbose_name = pgettext_lazy("cases", "question")
        verbose_name_plural = pgettext_lazy("cases", "questions")
        ordering = ["activity", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "position"], name="cases_question_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    def option_list(self) -> list[str]:
        return nonblank_lines(self.options)


class QuestionAnswer(models.Model):
    """One enterprise's answer to one question (several options of a multiple choice: one per line)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    enterprise = models.CharField(pgettext_lazy("cases", "enterprise"), max_length=200)
    value = models.TextField(pgettext_lazy("cases", "answer"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question", "enterprise"]
        constraints = [
            models.UniqueConstraint(fields=["question", "enterprise"], name="cases_answer_once_per_enterprise")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.value[:40]}"

    def value_list(self) -> list[str]:
        return [line for line in self.value.splitlines() if line]
