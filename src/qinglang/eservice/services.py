"""Business rules of the e-stations: intake, routing, the closed-loop state machine, privacy.

Every channel (WeChat, web form, Open311, staff entry) ends in ``create_request``; every status
change goes through ``transition``, which checks the table of allowed moves, writes a history row
and an audit record.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import pgettext

from qinglang.audit.services import record
from qinglang.core.workdays import deadline
from qinglang.eservice.models import (
    OPEN_STATUSES,
    Channel,
    ContactLog,
    MediationAgreement,
    MediationSession,
    Reminder,
    RequestType,
    ServiceRequest,
    StationProfile,
    Status,
    Transition,
)
from qinglang.eservice.privacy import normalise_phone
from qinglang.org.models import Department, DepartmentKind, Role

log = logging.getLogger(__name__)
STATION_KINDS = (DepartmentKind.TOWN_STATION, DepartmentKind.VILLAGE_STATION)

# The 12345 closed loop. A dispatched request may come back to the station (退回), work may be
# re-dispatched, and a reply the station finds wanting goes back to the handler.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.ACCEPTED: frozenset({Status.DISPATCHED}),
    Status.DISPATCHED: frozenset({Status.IN_PROGRESS, Status.ACCEPTED}),
    Status.IN_PROGRESS: frozenset({Status.REPLIED, Status.DISPATCHED}),
    Status.REPLIED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.FOLLOWED_UP, Status.RATED}),
    Status.FOLLOWED_UP: frozenset({Status.RATED}),
    Status.RATED: frozenset(),
}

# Defaults an office can change in the admin; created the first time they are needed.
DEFAULT_TYPES: list[dict[str, Any]] = [
    {"code": "urgent", "name": "紧急求助", "time_limit_days": 0, "order": 10,
     "description": "人身财产安全等需当日处置的事项"},
    {"code": "help", "name": "咨询求助", "time_limit_days": 3, "order": 20, "description": "政策咨询、办事求助"},
    {"code": "complaint", "name": "投诉", "time_limit_days": 13, "order": 30,
     "description": "对公共服务或经营者的投诉"},
    {"code": "suggestion", "name": "意见建议", "time_limit_days": 13, "order": 40,
     "description": "对本地治理的意见建议"},
    {"code": "mediation", "name": "矛盾纠纷化解", "time_limit_days": 13, "order": 50, "is_mediation": True,
     "description": "邻里、家庭、消费等矛盾纠纷调解"},
    {"code": "online-harm", "name": "网络有害信息举报", "time_limit_days": 3, "order": 60,
     "concerns_online_harm": True, "description": "网络谣言、侵权、诈骗等有害信息"},
]
DEFAULT_TYPE_CODE = "help"


class EserviceError(Exception):
    """A request that breaks a business rule; the message is shown to the user."""


class InvalidTransition(EserviceError):
    def __init__(self, request: ServiceRequest, to_status: str) -> None:
        self.request, self.to_status = request, to_status
        super().__init__(
            pgettext("eservice", "A request that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Status(request.status).label, "target": Status(to_status).label}
        )


class NotPermitted(EserviceError):
    pass


# --- request types and stations ---------------------------------------------------------------

def ensure_request_types() -> QuerySet[RequestType]:
    if not RequestType.objects.exists():
        for spec in DEFAULT_TYPES:
            RequestType.objects.get_or_create(code=spec["code"], defaults=spec)
    return RequestType.objects.filter(is_active=True)


def stations() -> QuerySet[Department]:
    return Department.objects.filter(kind__in=STATION_KINDS, is_active=True)


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _by_area_name(place: str) -> Department | None:
    """The deepest station whose service area names a place mentioned in ``place``."""
    best: tuple[int, int, Department] | None = None
    for profile in StationProfile.objects.select_related("department").filter(department__in=stations()):
        for name in profile.area_names():
            if name in place:
                rank = (profile.department.path.count("/"), len(name))
                if best is None or rank > best[:2]:
                    best = (*rank, profile.department)
    return best[2] if best else None


def _by_coordinates(lat: float, lon: float) -> Department | None:
    located = StationProfile.objects.select_related("department").filter(
        department__in=stations(), latitude__isnull=False, longitude__isnull=False
    )
    scored = [(_distance_km(lat, lon, p.latitude or 0.0, p.longitude or 0.0), p.department) for p in located]
    return min(scored, key=lambda item: item[0])[1] if scored else None


def default_station() -> Department:
    code = settings.ESERVICE_DEFAULT_STATION
    found = stations().filter(code=code).first() if code else None
    found = found or stations().order_by("path").first()
    if found is None:
        raise EserviceError(pgettext("eservice", "No e-station is set up yet; requests cannot be accepted."))
    return found


def route_station(place: str = "", latitude: float | None = None, longitude: float | None = None,
                  text: str = "") -> Department:
    """Route by place: a service area named in the place (or else in the text), then the nearest
    station to the coordinates, then the default station."""
    found = _by_area_name(place) if place else None
    if found is None and text:
        found = _by_area_name(text)
    if found is None and latitude is not None and longitude is not None:
        found = _by_coordinates(latitude, longitude)
    return found or default_station()


# --- intake -----------------------------------------------------------------------------------

@dataclass
class Intake:
    """What any channel hands over; ``raw`` keeps the input exactly as received."""

    channel: str
    description: str
    request_type: RequestType | None = None
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    name: str = ""
    phone: str = ""
    wechat_openid: str = ""
    media_url: str = ""
    submitter_ip: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    station: Department | None = None


def _new_receipt_no(now: datetime) -> str:
    # Random rather than sequential, so receipt numbers cannot be enumerated on the public pages.
    return f"E{timezone.localtime(now):%y%m%d}{secrets.randbelow(10**6):06d}"


def _insert_with_receipt(req: ServiceRequest) -> None:
    for _attempt in range(8):
        req.receipt_no = _new_receipt_no(req.created or timezone.now())
        try:
            with transaction.atomic():
                req.save(force_insert=True)
        except IntegrityError:
            if not ServiceRequest.objects.filter(receipt_no=req.receipt_no).exists():
                raise
            req.pk = None
            continue
        return
    raise EserviceError("could not allocate a receipt number")


def create_request(intake: Intake, actor: Any = None) -> ServiceRequest:
    request_type = intake.request_type or ensure_request_types().get(code=DEFAULT_TYPE_CODE)
    station = intake.station or route_station(intake.place, intake.latitude, intake.longitude,
                                                   intake.description)
    now = timezone.now()
    phone = normalise_phone(intake.phone)
    req = ServiceRequest(
        channel=intake.channel, request_type=request_type, station=station, description=intake.description.strip(),
        place=intake.place.strip()[:200], latitude=intake.latitude, longitude=intake.longitude,
        media_url=intake.media_url[:500], name=intake.name.strip()[:60], phone=phone[:20], phone_last4=phone[-4:],
        wechat_openid=intake.wechat_openid, submitter_ip=intake.submitter_ip, attributes=intake.attributes,
        raw=intake.raw, due_at=deadline(now, request_type.time_limit_days), status=Status.ACCEPTED,
    )
    with transaction.atomic():
        _insert_with_receipt(req)
        Transition.objects.create(request=req, from_status="", to_status=Status.ACCEPTED, actor=_user(actor),
                                  reason=str(Channel(intake.channel).label))
        record("eservice.request.accepted", actor=actor, target=req,
               detail={"receipt_no": req.receipt_no, "channel": req.channel, "station": station.code,
                       "type": request_type.code})
        auto_dispatch(req)
    transaction.on_commit(lambda: _nudge_analysis(req.pk))
    return req


def _nudge_analysis(pk: int) -> None:
    """Ask a worker to analyse the request soon, without making the resident wait for it.

    Publishing runs in a short-lived thread: with a slow or unreachable broker a publish can take
    seconds, and WeChat drops a passive reply that is not back within five. A lost nudge costs
    nothing but time: the periodic sweep (``analyse_requests``) does the same work.
    """
    threading.Thread(target=_publish_analysis, args=(pk,), name=f"eservice-nudge-{pk}", daemon=True).start()


def _publish_analysis(pk: int) -> None:
    from qinglang.eservice.tasks import after_intake

    try:
        after_intake.apply_async((pk,), retry=False)
    except Exception:
        log.warning("could not queue analysis of request %s; the periodic sweep will do it", pk, exc_info=True)


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- permissions ------------------------------------------------------------------------------

def responsible_department(req: ServiceRequest) -> Department:
    return req.handling_department or req.station


def _in_subtree(user: Any, department: Department) -> bool:
    own = getattr(user, "department", None)
    return own is not None and department.path.startswith(own.path)


def can_handle(user: Any, req: ServiceRequest) -> bool:
    """Station staff and handlers of the responsible department (or above it) may act."""
    if user.sees_everything:
        return True
    return _in_subtree(user, req.station) or _in_subtree(user, responsible_department(req))


def can_coordinate(user: Any, req: ServiceRequest) -> bool:
    """Dispatch, close and follow-up are the station's: its staff or those above it."""
    return bool(user.sees_everything or _in_subtree(user, req.station))


def can_supervise(user: Any, req: ServiceRequest) -> bool:
    """督办 comes from a level above the station (or an administrator)."""
    own = getattr(user, "department", None)
    if user.sees_everything:
        return True
    return own is not None and own.pk != req.station_id and req.station.path.startswith(own.path)


def is_assigned(user: Any, req: ServiceRequest) -> bool:
    """The staff who may see the resident's full name and phone: the assignee, or, until someone
    is assigned, the members of the department now responsible."""
    if req.assignee_id is not None:
        return bool(req.assignee_id == user.pk)
    own = getattr(user, "department_id", None)
    return own is not None and own == responsible_department(req).pk and user.role == Role.STATION_STAFF


# Who keeps the settings of the e-stations (profiles and request types).
STATION_KEEPERS = (Role.STATION_STAFF, Role.DUTY_OFFICER)


def can_manage_station(user: Any, station: Department) -> bool:
    """A station's profile is kept by its own staff, those of the stations or office above it,
    and administrators."""
    return bool(user.sees_everything or (user.role in STATION_KEEPERS and _in_subtree(user, station)))


def can_manage_request_types(user: Any) -> bool:
    """Request types are shared by every station, so the office sets them: its duty officers and
    the administrators."""
    own = getattr(user, "department", None)
    in_office = own is not None and own.kind == DepartmentKind.OFFICE
    return bool(user.sees_everything or (user.role == Role.DUTY_OFFICER and in_office))


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotPermitted(pgettext("eservice", "You may not do this for this request."))


# --- the state machine ------------------------------------------------------------------------

def transition(req: ServiceRequest, to_status: str, *, actor: Any = None, reason: str = "",
               audit_detail: dict[str, Any] | None = None, **changes: Any) -> ServiceRequest:
    """Move ``req`` to ``to_status`` (with field ``changes``), or raise ``InvalidTransition``.

    The row is locked and re-read, so two staff clicking at once cannot both move it.
    """
    with transaction.atomic():
        current = ServiceRequest.objects.select_for_update().get(pk=req.pk)
        if to_status not in TRANSITIONS[current.status]:
            raise InvalidTransition(current, to_status)
        from_status = current.status
        for name, value in changes.items():
            setattr(current, name, value)
        current.status = to_status
        current.save()
        Transition.objects.create(request=current, from_status=from_status, to_status=to_status,
                                  actor=_user(actor), reason=reason[:500])
        record(f"eservice.request.{to_status}", actor=actor, target=current,
               detail={"from": from_status, "to": to_status, "reason": reason[:500], **(audit_detail or {})})
    req.refresh_from_db()
    return req


def dispatch(req: ServiceRequest, department: Department, *, actor: Any, note: str = "",
             assignee: Any = None) -> ServiceRequest:
    _require(can_coordinate(actor, req))
    transition(req, Status.DISPATCHED, actor=actor, reason=note or department.name,
               handling_department=department, assignee=assignee)
    req.shared_with.add(department)
    return req


def auto_dispatch(req: ServiceRequest) -> bool:
    """派单 by the system: a newly accepted request goes to the department its type names.

    Without a department (or with automatic dispatch switched off for the type) the request stays
    with the station staff, who dispatch it by hand. The history row has no actor (the system);
    the audit record says ``automatic`` so it is not mistaken for the person who entered it.
    """
    department = req.request_type.department
    if not req.request_type.auto_dispatch or department is None or not department.is_active:
        return False
    reason = pgettext("eservice", "Dispatched automatically to %(department)s (request type “%(type)s”).") % {
        "department": department.name, "type": req.request_type.name}
    transition(req, Status.DISPATCHED, reason=reason, audit_detail={"automatic": True, "department": department.code},
               handling_department=department, assignee=None)
    req.shared_with.add(department)
    return True


def return_to_station(req: ServiceRequest, *, actor: Any, reason: str) -> ServiceRequest:
    _require(can_handle(actor, req))
    return transition(req, Status.ACCEPTED, actor=actor, reason=reason, handling_department=None, assignee=None)


def start(req: ServiceRequest, *, actor: Any) -> ServiceRequest:
    _require(can_handle(actor, req))
    assignee = req.assignee or _user(actor)
    return transition(req, Status.IN_PROGRESS, actor=actor, assignee=assignee)


def reply(req: ServiceRequest, text: str, *, actor: Any) -> ServiceRequest:
    _require(can_handle(actor, req))
    if not text.strip():
        raise EserviceError(pgettext("eservice", "Write the reply to the resident."))
    return transition(req, Status.REPLIED, actor=actor, reason=text[:200], reply=text.strip())


def reopen(req: ServiceRequest, *, actor: Any, reason: str) -> ServiceRequest:
    _require(can_coordinate(actor, req))
    return transition(req, Status.IN_PROGRESS, actor=actor, reason=reason)


def close(req: ServiceRequest, *, actor: Any, note: str = "") -> ServiceRequest:
    _require(can_coordinate(actor, req))
    return transition(req, Status.CLOSED, actor=actor, reason=note, closed_at=timezone.now())


def follow_up(req: ServiceRequest, *, actor: Any, note: str, rating: int | None = None) -> ServiceRequest:
    """回访: the station calls the resident back; a rating given on the call ends the loop."""
    _require(can_coordinate(actor, req))
    if not note.strip():
        raise EserviceError(pgettext("eservice", "Note what the resident said on the follow-up."))
    with transaction.atomic():
        ContactLog.objects.create(request=req, kind=ContactLog.Kind.CALL, note=note, actor=_user(actor))
        transition(req, Status.FOLLOWED_UP, actor=actor, reason=note)
        if rating is not None:
            rate(req, rating, comment=note, actor=actor)
    return req


def rate(req: ServiceRequest, rating: int, *, comment: str = "", actor: Any = None) -> ServiceRequest:
    if not 1 <= rating <= 5:
        raise EserviceError(pgettext("eservice", "A rating is from 1 to 5."))
    return transition(req, Status.RATED, actor=actor, reason=f"{rating}/5 {comment}"[:500], rating=rating,
                      rating_comment=comment.strip()[:300])


def next_steps(user: Any, req: ServiceRequest) -> set[str]:
    """The loop actions ``user`` may take on ``req`` now (what the detail page offers)."""
    allowed = TRANSITIONS[req.status]
    coordinate, handle = can_coordinate(user, req), can_handle(user, req)
    steps = {
        "dispatch": coordinate and Status.DISPATCHED in allowed,
        "start": handle and req.status == Status.DISPATCHED,
        "return": handle and req.status == Status.DISPATCHED,
        "reply": handle and req.status == Status.IN_PROGRESS,
        "close": coordinate and req.status == Status.REPLIED,
        "reopen": coordinate and req.status == Status.REPLIED,
        "follow_up": coordinate and req.status == Status.CLOSED,
        "remind": req.is_open and (coordinate or can_supervise(user, req)),
    }
    return {name for name, ok in steps.items() if ok}


def resident_can_rate(req: ServiceRequest) -> bool:
    return Status.RATED in TRANSITIONS[req.status]


# --- work on a request ------------------------------------------------------------------------

def log_contact(req: ServiceRequest, kind: str, note: str, *, actor: Any) -> ContactLog:
    _require(can_handle(actor, req))
    if not note.strip():
        raise EserviceError(pgettext("eservice", "Write what was said or done."))
    entry = ContactLog.objects.create(request=req, kind=kind, note=note.strip(), actor=_user(actor))
    record("eservice.request.contact", actor=actor, target=req, detail={"kind": kind})
    return entry


def remind(req: ServiceRequest, kind: str, *, actor: Any = None, note: str = "") -> Reminder:
    """催办 by the station or 督办 from above; automatic reminders have no actor."""
    if actor is not None:
        _require(can_supervise(actor, req) if kind == Reminder.Kind.SUPERVISE else can_coordinate(actor, req))
    if not req.is_open:
        raise EserviceError(pgettext("eservice", "Only open requests can be hurried."))
    reminder = Reminder.objects.create(request=req, kind=kind, note=note[:300], actor=_user(actor))
    record(f"eservice.request.{kind}", actor=actor, target=req, detail={"note": note[:300]})
    return reminder


def add_mediation_session(req: ServiceRequest, *, actor: Any, held_at: datetime, participants: str,
                          notes: str, place: str = "") -> MediationSession:
    _require(can_handle(actor, req))
    if not req.request_type.is_mediation:
        raise EserviceError(pgettext("eservice", "Only dispute-mediation requests have mediation sessions."))
    session = MediationSession.objects.create(request=req, held_at=held_at, participants=participants,
                                              notes=notes, place=place, actor=_user(actor))
    record("eservice.mediation.session", actor=actor, target=req, detail={"session": session.pk})
    return session


def record_agreement(req: ServiceRequest, *, actor: Any, parties: str, terms: str,
                     signed_on: Any) -> MediationAgreement:
    _require(can_handle(actor, req))
    if not req.request_type.is_mediation:
        raise EserviceError(pgettext("eservice", "Only dispute-mediation requests have an agreement."))
    agreement, _created = MediationAgreement.objects.update_or_create(
        request=req, defaults={"parties": parties, "terms": terms, "signed_on": signed_on, "actor": _user(actor)}
    )
    record("eservice.mediation.agreement", actor=actor, target=req, detail={"signed_on": str(signed_on)})
    return agreement


def reveal_personal_data(req: ServiceRequest, *, actor: Any) -> dict[str, str]:
    """Full name and phone for the assigned staff only; every reveal is audited."""
    _require(is_assigned(actor, req))
    record("eservice.request.reveal", actor=actor, target=req, detail={"fields": ["name", "phone"]})
    return {"name": req.name, "phone": req.phone}


# --- settings: station profiles and request types ---------------------------------------------

def _changes(before: dict[str, Any], instance: Model, fields: Iterable[str]) -> dict[str, list[str]]:
    """``{field: [old, new]}`` for the fields whose value changed, as text for the audit log."""
    after = model_to_dict(instance, fields=list(fields))
    return {name: [str(before.get(name, "")), str(after[name])] for name in after
            if before.get(name) != after[name]}


def save_station_profile(profile: StationProfile, before: dict[str, Any], *, actor: Any) -> StationProfile:
    """Save an edited profile (``before``: its values as they were) and audit what changed."""
    _require(can_manage_station(actor, profile.department))
    fields = [f.name for f in StationProfile._meta.fields if f.name not in ("id", "department")]
    with transaction.atomic():
        profile.save()
        record("eservice.station.updated", actor=actor, target=profile,
               detail={"station": profile.department.code, "changes": _changes(before, profile, fields)})
    return profile


def save_request_type(request_type: RequestType, before: dict[str, Any], *, actor: Any) -> RequestType:
    """Create or update a request type and audit it; ``before`` is empty for a new one."""
    _require(can_manage_request_types(actor))
    created = request_type.pk is None
    fields = [f.name for f in RequestType._meta.fields if f.name != "id"]
    with transaction.atomic():
        request_type.save()
        action = "eservice.request_type.created" if created else "eservice.request_type.updated"
        record(action, actor=actor, target=request_type,
               detail={"code": request_type.code, "changes": _changes(before, request_type, fields)})
    return request_type


# --- public status check ----------------------------------------------------------------------

def find_for_resident(receipt_no: str, phone_last4: str) -> ServiceRequest | None:
    """Receipt number plus the last four phone digits; both must match (and a phone be known)."""
    receipt_no, phone_last4 = receipt_no.strip().upper(), phone_last4.strip()
    if len(phone_last4) != 4 or not phone_last4.isdigit():
        return None
    return ServiceRequest.objects.filter(receipt_no=receipt_no, phone_last4=phone_last4).first()


def overdue(qs: QuerySet[ServiceRequest], now: datetime | None = None) -> QuerySet[ServiceRequest]:
    return qs.filter(status__in=OPEN_STATUSES, due_at__lt=now or timezone.now())
