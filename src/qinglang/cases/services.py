"""The business rules of cases: intake, the status pipeline, assignment, actions, time limits.

Views and the API call these functions; they check the rules, write the history and the audit
record, and raise ``InvalidCaseTransition`` or ``CaseRuleError`` with a Chinese message.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import pgettext

from qinglang.audit.services import record
from qinglang.cases.categories import active_categories
from qinglang.cases.models import (
    Case,
    CaseAction,
    CaseTransition,
    EvidenceLink,
    HarmCategory,
    JointOperation,
    Reminder,
    Report,
)
from qinglang.cases.workflow import NEEDS_LEGAL_BASIS, CaseStatus, InvalidCaseTransition, allowed_next
from qinglang.core.workdays import deadline, working_days_left
from qinglang.evidence.models import Capture
from qinglang.evidence.services import visible as visible_captures
from qinglang.org.models import Department, DepartmentKind, Role, User
from qinglang.org.scoping import visible_to

# Roles that may change cases; others (analysts, station staff, reporters) only read what they see.
ACTING_ROLES = (Role.ADMIN, Role.DUTY_OFFICER, Role.CASE_OFFICER, Role.LIAISON)
# Characters for receipt and verification codes: no 0/O or 1/I/L to misread over the phone.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class CaseRuleError(Exception):
    """A request the case rules refuse (other than a status move); the message is for the user."""


# --- scoping -------------------------------------------------------------------------------------


def visible_cases(user: Any, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases the user's department leads, co-handles or has been shared (admins: all)."""
    qs = queryset if queryset is not None else Case.objects.all()
    if getattr(user, "sees_everything", False):
        return qs
    # The same rule applied to the lead field and to each many-to-many's rows, OR-ed together:
    # one query with two small subqueries, instead of joins that multiply rows and need DISTINCT.
    co = visible_to(user, Case.co_departments.through.objects.all(), field="department").values("case_id")
    shared = visible_to(user, Case.shared_with.through.objects.all(), field="department").values("case_id")
    return visible_to(user, qs, field="department") | qs.filter(pk__in=co) | qs.filter(pk__in=shared)


def visible_reports(user: Any) -> QuerySet[Report]:
    """Reports the department received, plus those behind any case it may see (the lead
    department investigates from the original report; reading one is audited)."""
    received = visible_to(user, Report.objects.all(), field="department").values("pk")
    return Report.objects.filter(Q(pk__in=received) | Q(case__in=visible_cases(user).values("pk")))


def can_act(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*ACTING_ROLES))


def require_actor(user: Any) -> None:
    if not can_act(user):
        raise CaseRuleError("您的角色不能办理案件。")


# --- intake --------------------------------------------------------------------------------------


def category_by_code(code: str) -> HarmCategory:
    found = active_categories().filter(code=code).first()
    if found is None:
        raise CaseRuleError(f"没有代码为“{code}”的危害类别。")
    return found


def intake_department() -> Department:
    """Where reports arrive: ``CASES_INTAKE_DEPARTMENT`` or else the first top-level office."""
    code = settings.CASES_INTAKE_DEPARTMENT
    found = Department.objects.filter(code=code).first() if code else None
    found = found or Department.objects.filter(kind=DepartmentKind.OFFICE, parent=None, is_active=True).first()
    if found is None:
        raise CaseRuleError("尚未设置受理举报的部门（CASES_INTAKE_DEPARTMENT）。")
    return found


def _random_code(length: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def hash_verify_code(receipt_no: str, code: str) -> str:
    return hashlib.sha256(f"{receipt_no}:{code.strip().upper()}".encode()).hexdigest()


TARGET_KEY_CHARS = 500   # Report.target_key's column


def normalize_target(url: str) -> str:
    """A comparable form of a target URL: host lower-cased, no fragment, tracking parameters,
    default port or trailing slash, so the same post reported twice is recognised."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:   # :99999 is no port; the host alone still compares
        port = None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith("utm_")))
    key = urlunsplit(("", host, parts.path.rstrip("/") or "/", query, ""))[2:]
    # percent-encoding can make a 200-character Chinese query 1,500 characters: past the column,
    # the key is its digest (it only has to compare equal)
    return key if len(key) <= TARGET_KEY_CHARS else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


@dataclass
class ReportInput:
    description: str
    category_id: int | None = None
    target_url: str = ""
    target_account: str = ""
    platform: str = ""
    reporter_kind: str = Report.ReporterKind.CITIZEN
    enterprise_name: str = ""
    credit_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    source: str = Report.Source.PUBLIC
    source_ref: str = ""
    honeypot_filled: bool = False  # the hidden field people never see was filled in


def spam_reason(data: ReportInput) -> str:
    """Why a submission looks like spam ("" when it does not). Spam is kept and flagged, never dropped."""
    text = data.description
    if data.honeypot_filled:
        return "填写了隐藏字段（疑似机器提交）"
    if text.count("http") > 8:
        return "描述中链接过多"
    if len(set(text.replace(" ", ""))) <= 3 and len(text) >= 10:
        return "描述内容重复无意义"
    return ""


def _find_original(target_key: str) -> Report | None:
    if not target_key:
        return None
    return (
        Report.objects.filter(target_key=target_key, duplicate_of=None)
        .exclude(state__in=[Report.State.SPAM, Report.State.DISMISSED])
        .order_by("pk")
        .first()
    )


def _new_report(
    data: ReportInput, ip: str | None, raw: dict[str, Any], department: Department | None
) -> tuple[Report, str]:
    code = _random_code(6)
    fields = {k: v for k, v in vars(data).items() if k not in ("category_id", "honeypot_filled")}
    fields["credit_code"] = data.credit_code.strip().upper()
    for _attempt in range(5):
        receipt = f"JB{timezone.localdate():%Y%m%d}{_random_code(6)}"
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    receipt_no=receipt,
                    verify_hash=hash_verify_code(receipt, code),
                    department=department or intake_department(),
                    category_id=data.category_id,
                    target_key=normalize_target(data.target_url),
                    raw=raw,
                    ip=ip,
                    **fields,
                )
            return report, code
        except IntegrityError:  # a receipt number already taken: draw another
            continue
    raise CaseRuleError("生成回执编号失败，请稍后重试。")


def submit_report(
    data: ReportInput,
    *,
    ip: str | None = None,
    raw: dict[str, Any] | None = None,
    attachments: Iterable[Any] = (),
    department: Department | None = None,
) -> tuple[Report, str]:
    """Store a report, link it to an earlier one about the same target, flag spam; return the
    report and its verification code (shown to the reporter once, only its hash is kept).
    ``department`` receives it (staff entry: the entering department); default the intake office."""
    with transaction.atomic():
        report, code = _new_report(data, ip, raw or {}, department)
        reason = spam_reason(data)
        original = None if reason else _find_original(report.target_key)
        if original is not None and original.pk != report.pk:
            report.duplicate_of, report.state, report.case = original, Report.State.DUPLICATE, original.case
        elif reason:
            report.state, report.spam_reason = Report.State.SPAM, reason
        report.save()
        for upload in attachments:
            save_attachment(report, upload)
        record(
            "cases.report_received",
            target=report,
            detail={
                "source": report.source,
                "state": report.state,
                "duplicate_of": report.duplicate_of_id,
            },
        )
    return report, code


def save_attachment(report: Report, upload: Any) -> None:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    report.attachments.create(
        file=upload,
        original_name=upload.name[:200],
        content_type=getattr(upload, "content_type", "")[:100],
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def lookup_report(receipt_no: str, code: str) -> Report | None:
    report = Report.objects.select_related("case").filter(receipt_no=receipt_no.strip().upper()).first()
    if report is None or not hmac.compare_digest(report.verify_hash, hash_verify_code(report.receipt_no, code)):
        return None
    return report


def public_status(report: Report) -> str:
    """What a reporter is told: progress, never internal details."""
    case = report.case or (report.duplicate_of.case if report.duplicate_of else None)
    if case is None:
        if report.state == Report.State.DISMISSED:
            return "经核查，该举报不予受理。"
        return "已收到，正在核查。"
    if case.status == CaseStatus.CLOSED:
        return "已办结。"
    if case.status == CaseStatus.REJECTED:
        return "经核查，该举报不予立案。"
    if case.status == CaseStatus.TRANSFERRED:
        return "已移交有关部门处理。"
    return "已受理，正在办理。"


def dismiss_report(report: Report, user: Any, reason: str) -> None:
    require_actor(user)
    if report.state in (Report.State.ACCEPTED,):
        raise CaseRuleError("该举报已转为案件，不能再驳回。")
    report.state = Report.State.DISMISSED
    report.save(update_fields=["state"])
    record("cases.report_dismissed", target=report, detail={"reason": reason})


# --- cases and the status pipeline ---------------------------------------------------------------


def open_case(report: Report | None, user: Any, *, title: str, summary: str = "") -> Case:
    """Turn a report into a case in ``received`` (or start one without a report)."""
    require_actor(user)
    if report is not None and report.case_id is not None:
        raise CaseRuleError("该举报已关联案件。")
    with transaction.atomic():
        case = Case.objects.create(
            title=title,
            summary=summary or (report.description if report else ""),
            category=report.category if report else None,
            department=report.department if report else user.department,
            time_limit_days=settings.CASES_TIME_LIMIT_DAYS,
            created_by=user,
        )
        case.number = f"AJ{timezone.localdate():%Y}-{case.pk:05d}"
        case.save(update_fields=["number"])
        CaseTransition.objects.create(case=case, to_status=case.status, actor=user, reason="受理举报")
        if report is not None:
            Report.objects.filter(Q(pk=report.pk) | Q(duplicate_of=report)).update(case=case)
            Report.objects.filter(pk=report.pk).update(state=Report.State.ACCEPTED)
        record("cases.case_opened", target=case, detail={"report": report.receipt_no if report else None})
    return case


def set_status(
    case: Case, to_status: str, user: Any, *, reason: str, legal_basis: str = "", _assigning: bool = False
) -> CaseTransition:
    """Move ``case`` along the pipeline, writing a history row and an audit record."""
    require_actor(user)
    from_status = case.status
    _check_move(case, to_status, reason, legal_basis)
    if to_status == CaseStatus.ASSIGNED and not _assigning:
        raise InvalidCaseTransition("交办须指定牵头部门，请使用“交办”。", from_status=from_status, to_status=to_status)
    with transaction.atomic():
        # Conditional update: if someone moved the case meanwhile, this move is refused, not merged.
        changes: dict[str, Any] = {"status": to_status, "updated": timezone.now()}
        if to_status in CaseStatus.terminal():
            changes["closed_at"] = timezone.now()
            changes["outcome"] = reason[:200]
        if not Case.objects.filter(pk=case.pk, status=from_status).update(**changes):
            raise InvalidCaseTransition(
                "案件状态已被他人更改，请刷新后重试。", from_status=from_status, to_status=to_status
            )
        for name, value in changes.items():
            setattr(case, name, value)
        transition = CaseTransition.objects.create(
            case=case, from_status=from_status, to_status=to_status, actor=user, reason=reason, legal_basis=legal_basis
        )
        record(
            "cases.status_changed",
            target=case,
            detail={
                "from": from_status,
                "to": to_status,
                "reason": reason,
                "legal_basis": legal_basis,
            },
        )
    return transition


def _check_move(case: Case, to_status: str, reason: str, legal_basis: str) -> None:
    labels = dict(CaseStatus.choices)
    if to_status not in allowed_next(case.status):
        raise InvalidCaseTransition(
            f"案件不能从“{labels.get(case.status, case.status)}”转为“{labels.get(to_status, to_status)}”。",
            from_status=case.status,
            to_status=to_status,
        )
    if not reason.strip():
        raise InvalidCaseTransition("请填写状态变更的理由。", from_status=case.status, to_status=to_status)
    if to_status in NEEDS_LEGAL_BASIS and not legal_basis.strip():
        raise InvalidCaseTransition("此项状态变更须写明法律依据。", from_status=case.status, to_status=to_status)
    if to_status == CaseStatus.ACTION_TAKEN and not case.actions.exists():
        raise InvalidCaseTransition(
            "尚未登记任何处置措施，不能转为“已处置”。", from_status=case.status, to_status=to_status
        )


def assign(
    case: Case,
    user: Any,
    *,
    lead: Department,
    co_departments: Iterable[Department] = (),
    reason: str,
    legal_basis: str = "",
) -> None:
    """Assign a triaged case to a lead department and co-handling departments; the time limit
    starts now. The assigning department keeps sight of the case (it is shared with it)."""
    previous_lead = case.department
    with transaction.atomic():
        set_status(case, CaseStatus.ASSIGNED, user, reason=reason, legal_basis=legal_basis, _assigning=True)
        case.department = lead
        case.due_at = deadline(timezone.now(), case.time_limit_days)
        case.save(update_fields=["department", "due_at"])
        case.co_departments.set([d for d in co_departments if d.pk != lead.pk])
        if previous_lead.pk != lead.pk:
            case.shared_with.add(previous_lead)
        record(
            "cases.assigned",
            target=case,
            detail={
                "lead": lead.code,
                "co": sorted(d.code for d in case.co_departments.all()),
                "due": case.due_at.isoformat(),
            },
        )


def join_operation(case: Case, user: Any, operation: JointOperation) -> None:
    """Group the case under a joint operation."""
    require_actor(user)
    case.operation = operation
    case.save(update_fields=["operation"])
    record("cases.operation_joined", target=case, detail={"operation": operation.pk, "name": operation.name})


def share(case: Case, user: Any, department: Department) -> None:
    require_actor(user)
    case.shared_with.add(department)
    record("cases.shared", target=case, detail={"department": department.code})


# --- actions --------------------------------------------------------------------------------------

ACTION_STATUSES = frozenset({CaseStatus.ASSIGNED, CaseStatus.INVESTIGATING, CaseStatus.ACTION_TAKEN})


def record_action(
    case: Case,
    user: Any,
    action: CaseAction,
    evidence: Iterable[tuple[str, str]] = (),
    captures: Iterable[Capture] = (),
) -> CaseAction:
    """Save a typed action taken on ``case``, with the evidence module's items it rests on
    (``captures``, each one the user's department may see) and outside references (reference, sha256)."""
    require_actor(user)
    if case.status not in ACTION_STATUSES:
        raise CaseRuleError("案件须已交办、尚未办结，才能登记处置措施。")
    evidence, captures = list(evidence), list(captures)
    _check_captures(user, captures)
    action.case, action.created_by = case, user
    action.department_id = action.department_id or user.department_id or case.department_id
    with transaction.atomic():
        action.save()
        action.captures.set(captures)
        for reference, digest in evidence:
            EvidenceLink.objects.create(case=case, action=action, reference=reference, sha256=digest)
        record(
            "cases.action_recorded",
            target=case,
            detail={
                "action_id": action.pk,
                "kind": action.kind,
                "principal": action.principal,
                "evidence": [ref for ref, _ in evidence],
                "captures": [c.public_id for c in captures],
            },
        )
    return action


def _check_captures(user: Any, captures: list[Capture]) -> None:
    """An action may only rest on evidence the user's department may see (the form offers no
    other, this guards the other callers)."""
    wanted = {c.pk for c in captures}
    if len(wanted) != visible_captures(user).filter(pk__in=wanted).count():
        raise CaseRuleError("所选证据中有您所在部门无权查看的条目。")


def record_response(action: CaseAction, user: Any, response: str) -> None:
    require_actor(user)
    action.response = response
    action.save(update_fields=["response"])
    record("cases.action_response", target=action.case, detail={"action_id": action.pk})


def takedown_letter(case: Case, principal: str, platform: str, urls: list[str]) -> str:
    """The text of a takedown notice to a platform, filled from the case."""
    lines = "\n".join(f"  {i}. {url}" for i, url in enumerate(urls, 1)) or "  （见附件）"
    category = case.category.name_zh if case.category else "违法违规信息"
    return (
        f"{platform or '平台运营方'}：\n\n"
        f"经核查，你平台账号/网站“{principal}”发布的下列信息涉嫌{category}，"
        f"违反《网络信息内容生态治理规定》等有关规定：\n{lines}\n\n"
        "请于收到本通知后立即依法依规处置，并在1个工作日内将处置结果书面反馈我办。\n\n"
        f"案件编号：{case.number}\n"
        f"{case.department.name}\n{timezone.localdate():%Y年%m月%d日}"
    )


# --- time limits ---------------------------------------------------------------------------------


def pause(case: Case, user: Any, reason: str) -> None:
    """Stop the clock while waiting on a third party; the working days left are kept."""
    require_actor(user)
    if case.due_at is None or not case.is_open:
        raise CaseRuleError("只有正在计时的案件才能暂停计时。")
    if case.paused_at is not None:
        raise CaseRuleError("案件已暂停计时。")
    if not reason.strip():
        raise CaseRuleError("请填写暂停计时的理由。")
    case.paused_at = timezone.now()
    case.pause_reason = reason
    case.days_left_at_pause = max(working_days_left(case.paused_at, case.due_at), 0)
    case.save(update_fields=["paused_at", "pause_reason", "days_left_at_pause"])
    record("cases.clock_paused", target=case, detail={"reason": reason, "days_left": case.days_left_at_pause})


def resume(case: Case, user: Any) -> None:
    require_actor(user)
    if case.paused_at is None:
        raise CaseRuleError("案件未暂停计时。")
    case.due_at = deadline(timezone.now(), case.days_left_at_pause or 0)
    case.paused_at, case.pause_reason, case.days_left_at_pause = None, "", None
    case.reminded_at = case.escalated_at = None
    case.save(
        update_fields=["due_at", "paused_at", "pause_reason", "days_left_at_pause", "reminded_at", "escalated_at"]
    )
    record("cases.clock_resumed", target=case, detail={"due": case.due_at.isoformat()})


def remind(case: Case, user: Any, message: str) -> Reminder:
    """A person's reminder (催办) to the lead department; the case's assignees get it by e-mail."""
    require_actor(user)
    if not case.is_open:
        raise CaseRuleError("案件已结束，无需催办。")
    reminder = Reminder.objects.create(
        case=case,
        kind=Reminder.Kind.REMINDER,
        department=case.department,
        message=message or "请加快办理。",
        sent_by=user,
    )
    to = assignees(case)
    failed = _mail(*_reminder_mail(case, user, reminder.message), to)
    record(
        "cases.reminded",
        target=case,
        detail={"message": reminder.message, "mailed_to": [u.username for u in to], "mail_failed": failed},
    )
    return reminder


def assignees(case: Case) -> list[User]:
    """Who handles the case: the acting members of the lead and co-handling departments and
    those departments' heads."""
    departments = [case.department, *case.co_departments.all()]
    members = User.objects.filter(department__in=departments, role__in=ACTING_ROLES)
    heads = User.objects.filter(headed_departments__in=departments)
    return list((members | heads).filter(is_active=True).distinct().order_by("pk"))


def escalation_recipients(department: Department) -> list[User]:
    """Who an overdue case escalates to: the department's head when one is set (``Department.head``),
    else its administrators, else its first case officer, liaison or duty officer."""
    head = department.head
    if head is not None and head.is_active:
        return [head]
    members = User.objects.filter(department=department, is_active=True).order_by("pk")
    admins = list(members.filter(role=Role.ADMIN))
    if admins:
        return admins
    for role in (Role.CASE_OFFICER, Role.LIAISON, Role.DUTY_OFFICER):
        first = members.filter(role=role).first()
        if first is not None:
            return [first]
    return []


def _mail(subject: str, body: str, to: Iterable[User]) -> bool:
    """Send one e-mail to those of ``to`` with an address; True if sending failed (the reminder
    itself is already recorded, and the audit record says the mail did not go out)."""
    addresses = sorted({u.email for u in to if u.email})
    if not addresses:
        return False
    try:
        send_mail(subject, body, None, addresses)
    except Exception:  # noqa: BLE001 - a mail server outage must not undo the reminder
        return True
    return False


def _open_running() -> QuerySet[Case]:
    return Case.objects.exclude(status__in=CaseStatus.terminal()).filter(due_at__isnull=False, paused_at=None)


def check_deadlines(now: datetime | None = None) -> dict[str, int]:
    """Send due-soon reminders and escalate overdue cases, each once per case (until the clock is
    resumed). Each case is claimed with a conditional update, so two workers never both send."""
    now = now or timezone.now()
    sent = {"due_soon": 0, "escalated": 0}
    overdue = _open_running().filter(due_at__lt=now, escalated_at=None).select_related("department__head")
    for case in overdue:
        if Case.objects.filter(pk=case.pk, escalated_at=None).update(escalated_at=now):
            _notify(case, Reminder.Kind.ESCALATION, f"案件{case.number}已超过办理时限，请督办。")
            sent["escalated"] += 1
    for case in _open_running().filter(due_at__gte=now, reminded_at=None).select_related("department"):
        if working_days_left(now, case.due_at) > settings.CASES_REMIND_BEFORE_DAYS:  # type: ignore[arg-type]
            continue
        if Case.objects.filter(pk=case.pk, reminded_at=None).update(reminded_at=now):
            _notify(case, Reminder.Kind.DUE_SOON, f"案件{case.number}即将到期，请抓紧办理。")
            sent["due_soon"] += 1
    return sent


def _notify(case: Case, kind: str, message: str) -> None:
    """An automatic notice on the case page; an escalation also goes to the lead department's head."""
    if kind == Reminder.Kind.ESCALATION:
        _escalate(case, message)
        return
    Reminder.objects.create(case=case, kind=kind, department=case.department, message=message)
    record(f"cases.{kind}", actor=None, target=case, detail={"to": None})


def _escalate(case: Case, message: str) -> None:
    """One notice per recipient on the case page (several when it falls back to the
    administrators, one without addressee when there is nobody) and one e-mail to them all."""
    heads = escalation_recipients(case.department)
    addressed: list[User | None] = list(heads) or [None]
    for head in addressed:
        Reminder.objects.create(
            case=case, kind=Reminder.Kind.ESCALATION, department=case.department, to_user=head, message=message
        )
    failed = _mail(*_escalation_mail(case), heads)
    record(
        "cases.escalation",
        actor=None,
        target=case,
        detail={
            "to": heads[0].username if heads else None,
            "recipients": [u.username for u in heads],
            "mail_failed": failed,
        },
    )


def _due(case: Case) -> str:
    return timezone.localtime(case.due_at).strftime("%Y-%m-%d") if case.due_at else "—"


def _escalation_mail(case: Case) -> tuple[str, str]:
    """Subject and body, in the site's language (a worker has no request to take one from)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = pgettext("cases", "Overdue: case %(number)s") % {"number": case.number}
        body = pgettext(
            "cases",
            "Case %(number)s %(title)s, led by %(department)s, passed its time limit on %(due)s. Please follow it up.",
        ) % {"number": case.number, "title": case.title, "department": case.department.name, "due": _due(case)}
    return subject, body


def _reminder_mail(case: Case, sender: Any, message: str) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        subject = pgettext("cases", "Reminder: case %(number)s") % {"number": case.number}
        body = pgettext(
            "cases", "Case %(number)s %(title)s has been chased by %(sender)s:\n\n%(message)s\n\nDue: %(due)s"
        ) % {"number": case.number, "title": case.title, "sender": sender, "message": message, "due": _due(case)}
    return subject, body


# --- hand-over from other modules ----------------------------------------------------------------


def report_from_eservice(request: Any) -> str:
    """File an e-station request (``eservice.ServiceRequest``) that concerns online harm as a lead;
    returns the receipt number the e-station keeps as its reference. Idempotent per request."""
    source_ref = f"eservice:{request.receipt_no}"
    existing = Report.objects.filter(source=Report.Source.ESTATION, source_ref=source_ref).first()
    if existing is not None:
        return existing.receipt_no
    codes = list(getattr(request, "harm_categories", None) or [])
    category = active_categories().filter(code__in=codes).order_by("code").first()
    data = ReportInput(
        description=f"{request.place} {request.description}".strip(),
        category_id=category.pk if category else None,
        target_url=getattr(request, "media_url", "") or "",
        contact_name=request.name or "",
        contact_phone=request.phone or "",
        source=Report.Source.ESTATION,
        source_ref=source_ref,
    )
    report, _code = submit_report(data, raw={"eservice_request": request.pk, "receipt_no": request.receipt_no})
    return report.receipt_no
