"""Forms: the public report form (validated strictly, in Chinese) and the staff forms."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import pgettext_lazy

from qinglang.cases import creditcode, questionnaires
from qinglang.cases.categories import active_categories
from qinglang.cases.models import (
    ActionKind,
    CaseAction,
    HarmCategory,
    JointMeeting,
    JointOperation,
    OutreachActivity,
    Question,
    Report,
    Task,
)
from qinglang.cases.workflow import CaseStatus, allowed_next
from qinglang.core.forms import ModelMultipleChoiceField
from qinglang.core.text import nonblank_lines
from qinglang.evidence.models import Capture
from qinglang.evidence.services import visible as visible_captures
from qinglang.org.models import Department

# Attachments are recognised by their first bytes, not by the name or the browser's claim.
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def sniff_type(head: bytes) -> str | None:
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def date_input() -> forms.DateInput:
    # ISO format whatever the language: the browser's date picker reads nothing else.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def check_attachment(upload: UploadedFile[Any]) -> str:
    """The sniffed content type, or a ValidationError in Chinese."""
    limit = settings.CASES_ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise forms.ValidationError(f"附件“{upload.name}”超过{limit // (1024 * 1024) or 1}MB的大小限制。")
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_type(head)
    if content_type is None:
        raise forms.ValidationError(f"附件“{upload.name}”的类型不支持，请上传图片（JPG、PNG、GIF、WebP）或PDF。")
    upload.content_type = content_type
    return content_type


class ReportForm(forms.Form):
    """The public form for enterprises and citizens: no login, every field checked."""

    reporter_kind = forms.ChoiceField(
        label=pgettext_lazy("cases", "I am reporting as"),
        choices=Report.ReporterKind.choices,
        widget=forms.RadioSelect,
        initial=Report.ReporterKind.ENTERPRISE,
    )
    enterprise_name = forms.CharField(label=pgettext_lazy("cases", "Enterprise name"), max_length=200, required=False)
    credit_code = forms.CharField(
        label=pgettext_lazy("cases", "Unified social credit code"),
        max_length=24,
        required=False,
        help_text=pgettext_lazy("cases", "18 characters, as printed on the business licence."),
    )
    category = forms.ModelChoiceField(
        label=pgettext_lazy("cases", "Kind of harm"),
        queryset=HarmCategory.objects.none(),
        empty_label=pgettext_lazy("cases", "— choose —"),
    )
    target_url = forms.URLField(
        label=pgettext_lazy("cases", "Link to the content"), max_length=500, required=False, assume_scheme="https"
    )
    target_account = forms.CharField(
        label=pgettext_lazy("cases", "Account or website name"), max_length=200, required=False
    )
    platform = forms.CharField(label=pgettext_lazy("cases", "Platform"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("cases", "What happened"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=10,
        max_length=5000,
    )
    attachments = MultipleFileField(
        label=pgettext_lazy("cases", "Attachments"),
        required=False,
        help_text=pgettext_lazy("cases", "Screenshots or PDF documents."),
    )
    contact_name = forms.CharField(label=pgettext_lazy("cases", "Contact name"), max_length=60)
    contact_phone = forms.CharField(label=pgettext_lazy("cases", "Contact phone"), max_length=30)
    contact_email = forms.EmailField(label=pgettext_lazy("cases", "E-mail"), required=False)
    # A field people never see; bots fill it. The submission is kept, flagged as spam.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()  # type: ignore[attr-defined]

    def clean_credit_code(self) -> str:
        code = creditcode.normalize(self.cleaned_data.get("credit_code", ""))
        if code:
            problem = creditcode.problem(code)
            if problem:
                raise forms.ValidationError(problem)
        return code

    def clean_contact_phone(self) -> str:
        phone = str(self.cleaned_data["contact_phone"]).strip().replace(" ", "")
        if not PHONE.match(phone):
            raise forms.ValidationError("请输入正确的手机号码或座机号码（如 0595-12345678）。")
        return phone

    def clean_attachments(self) -> list[UploadedFile[Any]]:
        files: list[UploadedFile[Any]] = self.cleaned_data.get("attachments") or []
        if len(files) > settings.CASES_ATTACHMENT_MAX_FILES:
            raise forms.ValidationError(f"附件最多{settings.CASES_ATTACHMENT_MAX_FILES}个。")
        for upload in files:
            check_attachment(upload)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reporter_kind") == Report.ReporterKind.ENTERPRISE:
            if not data.get("enterprise_name"):
                self.add_error("enterprise_name", "企业举报请填写企业名称。")
            if not data.get("credit_code") and "credit_code" not in self.errors:
                self.add_error("credit_code", "企业举报请填写统一社会信用代码。")
        if not data.get("target_url") and not data.get("target_account") and "target_url" not in self.errors:
            self.add_error("target_url", "请至少填写被举报内容的链接或账号名称之一。")
        return data


class OpenCaseForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("cases", "Case title"), max_length=200)


class StaffReportForm(forms.Form):
    """Staff entry of a lead received by phone, letter or from another system."""

    source = forms.ChoiceField(
        label=pgettext_lazy("cases", "Source"), choices=Report.Source.choices, initial=Report.Source.STAFF
    )
    source_ref = forms.CharField(label=pgettext_lazy("cases", "Source reference"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=pgettext_lazy("cases", "Kind of harm"), queryset=HarmCategory.objects.none(), required=False
    )
    target_url = forms.URLField(
        label=pgettext_lazy("cases", "Link to the content"), max_length=500, required=False, assume_scheme="https"
    )
    target_account = forms.CharField(
        label=pgettext_lazy("cases", "Account or website name"), max_length=200, required=False
    )
    platform = forms.CharField(label=pgettext_lazy("cases", "Platform"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("cases", "What happened"), widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_name = forms.CharField(label=pgettext_lazy("cases", "Contact name"), max_length=60, required=False)
    contact_phone = forms.CharField(label=pgettext_lazy("cases", "Contact phone"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()  # type: ignore[attr-defined]


class LookupForm(forms.Form):
    receipt_no = forms.CharField(label=pgettext_lazy("cases", "Receipt number"), max_length=20)
    code = forms.CharField(label=pgettext_lazy("cases", "Verification code"), max_length=10)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=pgettext_lazy("cases", "New status"), choices=())
    reason = forms.CharField(label=pgettext_lazy("cases", "Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=pgettext_lazy("cases", "Legal basis"), max_length=300, required=False)

    def __init__(self, *args: Any, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(CaseStatus.choices)
        # Assignment has its own form (it needs departments).
        moves = [s for s in allowed_next(status) if s != CaseStatus.ASSIGNED]
        self.fields["to_status"].choices = [(s, labels[s]) for s in moves]  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    lead = forms.ModelChoiceField(
        label=pgettext_lazy("cases", "Lead department"), queryset=Department.objects.filter(is_active=True)
    )
    co_departments = ModelMultipleChoiceField(
        label=pgettext_lazy("cases", "Co-handling departments"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=pgettext_lazy("cases", "Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=pgettext_lazy("cases", "Legal basis"), max_length=300, required=False)


# What each kind of action must carry besides the principal.
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    ActionKind.TAKEDOWN: ("platform",),
    ActionKind.INTERVIEW: ("attendees", "minutes"),
    ActionKind.WARNING: ("legal_basis",),
    ActionKind.FILED: ("filed_number", "legal_basis"),
    ActionKind.TRANSFER: ("receiving_unit",),
}


class CaptureChoiceField(ModelMultipleChoiceField[Capture]):
    def label_from_instance(self, obj: Any) -> str:
        title = obj.title or obj.url
        return f"{obj.public_id} · {title[:60]}"


class ActionForm(forms.ModelForm[CaseAction]):
    urls = forms.CharField(
        label=pgettext_lazy("cases", "Links to take down (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    captures = CaptureChoiceField(
        label=pgettext_lazy("cases", "Evidence items"),
        queryset=Capture.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=pgettext_lazy("cases", "Items preserved in the evidence module that your department may see."),
    )
    evidence = forms.CharField(
        label=pgettext_lazy("cases", "Other evidence (one per line: reference, then SHA-256 if known)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = CaseAction
        fields = [
            "kind",
            "principal",
            "principal_kind",
            "platform",
            "taken_on",
            "legal_basis",
            "attendees",
            "minutes",
            "filed_number",
            "receiving_unit",
            "response",
        ]
        widgets = {
            "taken_on": date_input(),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the user's department may see is offered, and only that is accepted.
        offered = visible_captures(user).order_by("-created", "-pk")
        self.fields["captures"].queryset = offered  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        labels = {name: self.fields[name].label for name in self.fields}
        for name in REQUIRED_BY_KIND.get(data.get("kind", ""), ()):
            if not str(data.get(name) or "").strip():
                self.add_error(name, f"此类措施须填写“{labels[name]}”。")
        return data

    def evidence_items(self) -> list[tuple[str, str]]:
        items = []
        for line in self.cleaned_data.get("evidence", "").splitlines():
            parts = line.split()
            if parts:
                digest = parts[1] if len(parts) > 1 and re.fullmatch(r"[0-9a-fA-F]{64}", parts[1]) else ""
                items.append((parts[0][:200], digest.lower()))
        return items

    def url_list(self) -> list[str]:
        return [u.strip() for u in self.cleaned_data.get("urls", "").splitlines() if u.strip()]


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=pgettext_lazy("cases", "Target's response"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PauseForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("cases", "Waiting on"), max_length=200)


class RemindForm(forms.Form):
    message = forms.CharField(label=pgettext_lazy("cases", "Message"), max_length=300, required=False)


class ShareForm(forms.Form):
    department = forms.ModelChoiceField(
        label=pgettext_lazy("cases", "Share with"), queryset=Department.objects.filter(is_active=True)
    )


class TaskForm(forms.ModelForm[Task]):
    class Meta:
        model = Task
        fields = ["title", "department", "due_on"]
        widgets = {"due_on": date_input()}


class OperationLinkForm(forms.Form):
    operation = forms.ModelChoiceField(
        label=pgettext_lazy("cases", "Joint operation"), queryset=JointOperation.objects.none()
    )

    def __init__(self, *args: Any, operations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operations  # type: ignore[attr-defined]


class OperationForm(forms.ModelForm[JointOperation]):
    class Meta:
        model = JointOperation
        fields = ["name", "departments", "starts_on", "ends_on", "description"]
        field_classes = {"departments": ModelMultipleChoiceField}
        widgets = {
            "departments": forms.CheckboxSelectMultiple,
            "starts_on": date_input(),
            "ends_on": date_input(),
        }


class MeetingForm(forms.ModelForm[JointMeeting]):
    decisions = forms.CharField(
        label=pgettext_lazy("cases", "Decisions (one per line: department code, then the task)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = JointMeeting
        fields = ["title", "operation", "departments", "held_on", "agenda", "attendees", "minutes"]
        field_classes = {"departments": ModelMultipleChoiceField}
        widgets = {"departments": forms.CheckboxSelectMultiple, "held_on": date_input()}

    def clean_decisions(self) -> list[tuple[Department, str]]:
        result = []
        for number, line in enumerate(self.cleaned_data.get("decisions", "").splitlines(), 1):
            if not line.strip():
                continue
            code, _sep, title = line.strip().partition(" ")
            department = Department.objects.filter(code=code).first()
            if department is None or not title.strip():
                raise forms.ValidationError(
                    f"第{number}行：请写成“部门代码 任务内容”，部门代码“{code}”不存在或缺少任务。"
                )
            result.append((department, title.strip()[:200]))
        return result


class OutreachForm(forms.ModelForm[OutreachActivity]):
    issues = forms.CharField(
        label=pgettext_lazy("cases", "Issues raised (one per line: enterprise, a colon, the issue)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = OutreachActivity
        fields = ["kind", "title", "held_on", "enterprises", "summary"]
        widgets = {"held_on": date_input(), "enterprises": forms.Textarea(attrs={"rows": 3})}

    def clean_issues(self) -> list[tuple[str, str]]:
        result = []
        for number, line in enumerate(self.cleaned_data.get("issues", "").splitlines(), 1):
            if not line.strip():
                continue
            enterprise, sep, issue = line.replace("：", ":").partition(":")
            if not sep or not enterprise.strip() or not issue.strip():
                raise forms.ValidationError(f"第{number}行：请写成“企业名称：问题”。")
            result.append((enterprise.strip()[:200], issue.strip()))
        return result


class IssueLinkForm(forms.Form):
    case_number = forms.CharField(label=pgettext_lazy("cases", "Case number"), max_length=30, required=False)
    task_title = forms.CharField(label=pgettext_lazy("cases", "Or create a task"), max_length=200, required=False)


class QuestionForm(forms.ModelForm[Question]):
    class Meta:
        model = Question
        fields = ["text", "kind", "options"]
        widgets = {"options": forms.Textarea(attrs={"rows": 3})}

    def option_list(self) -> list[str]:
        return nonblank_lines(self.cleaned_data.get("options"))


def _answer_field(question: Question) -> forms.Field:
    label = f"{question.position}. {question.text}"
    if question.kind == Question.Kind.MULTI:
        choices = [(o, o) for o in question.option_list()]
        return forms.MultipleChoiceField(
            label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
        )
    if question.kind == Question.Kind.TEXT:
        return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    options: list[tuple[str, Any]] = [(o, o) for o in question.option_list()]
    if question.kind == Question.Kind.RATING:
        options = [(r, r) for r in questionnaires.RATINGS]
    elif question.kind == Question.Kind.YES_NO:
        options = [
            (questionnaires.YES, pgettext_lazy("cases", "Yes")),
            (questionnaires.NO, pgettext_lazy("cases", "No")),
        ]
    return forms.ChoiceField(label=label, choices=options, required=False, widget=forms.RadioSelect)


class AnswerForm(forms.Form):
    """One enterprise's answers to a questionnaire: one field per question, typed by its kind."""

    enterprise = forms.ChoiceField(label=pgettext_lazy("cases", "Enterprise"), choices=())

    def __init__(self, *args: Any, activity: OutreachActivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(activity.questions.all())
        self.fields["enterprise"].choices = [(e, e) for e in activity.enterprise_list()]  # type: ignore[attr-defined]
        for question in self.questions:
            self.fields[f"q{question.pk}"] = _answer_field(question)

    def answers(self) -> dict[int, str | list[str]]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") or "" for q in self.questions}
