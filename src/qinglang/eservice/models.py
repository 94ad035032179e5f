"""E-stations (网信通服务e站) and the requests residents bring to them.

Stations are org Departments of kind town_station/village_station; ``StationProfile`` adds what
a resident needs to know (area served, address, opening hours). A ``ServiceRequest`` follows the
12345 closed loop as an explicit state machine (see ``services.transition``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from qinglang.core.text import nonblank_lines
from qinglang.org.models import Department


class StationProfile(models.Model):
    department = models.OneToOneField(
        Department,
        verbose_name=pgettext_lazy("eservice", "station"),
        on_delete=models.CASCADE,
        related_name="station_profile",
    )
    # One place name per line (镇、村、社区、小区…); a request whose place mentions one routes here.
    service_area = models.TextField(
        pgettext_lazy("eservice", "service area"),
        blank=True,
        help_text=pgettext_lazy("eservice", "One place name per line."),
    )
    address = models.CharField(pgettext_lazy("eservice", "address"), max_length=200, blank=True)
    opening_hours = models.CharField(pgettext_lazy("eservice", "opening hours"), max_length=200, blank=True)
    phone = models.CharField(pgettext_lazy("eservice", "phone"), max_length=40, blank=True)
    latitude = models.FloatField(pgettext_lazy("eservice", "latitude"), null=True, blank=True)
    longitude = models.FloatField(pgettext_lazy("eservice", "longitude"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "station profile")
        verbose_name_plural = pgettext_lazy("eservice", "station profiles")

    def __str__(self) -> str:
        return str(self.department)

    def area_names(self) -> list[str]:
        return nonblank_lines(self.service_area)


class RequestType(models.Model):
    """A kind of request with its time limit in working days (0: the same day)."""

    code = models.SlugField(pgettext_lazy("eservice", "code"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("eservice", "name"), max_length=60)
    description = models.CharField(pgettext_lazy("eservice", "description"), max_length=200, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(
        pgettext_lazy("eservice", "time limit (working days)"), default=3
    )
    # Where requests of this type go after the station (e.g. civil affairs for hardship help).
    department = models.ForeignKey(
        Department,
        verbose_name=pgettext_lazy("eservice", "handling department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # On: a request of this type is dispatched (派单) to ``department`` as soon as it is accepted.
    # Off, or no department: it waits for the station staff to dispatch it by hand.
    auto_dispatch = models.BooleanField(
        pgettext_lazy("eservice", "dispatch automatically"),
        default=True,
        help_text=pgettext_lazy("eservice", "Send new requests of this type straight to the handling department."),
    )
    is_mediation = models.BooleanField(pgettext_lazy("eservice", "dispute mediation"), default=False)
    concerns_online_harm = models.BooleanField(pgettext_lazy("eservice", "concerns online harm"), default=False)
    order = models.PositiveSmallIntegerField(pgettext_lazy("eservice", "order"), default=100)
    is_active = models.BooleanField(pgettext_lazy("eservice", "active"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "request type")
        verbose_name_plural = pgettext_lazy("eservice", "request types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def dispatches_automatically(self) -> bool:
        return bool(self.auto_dispatch and self.department_id is not None)


class Status(models.TextChoices):
    # A context of their own: the 12345 loop has fixed names (受理、派单…) that differ from how
    # "Closed" or "Accepted" are translated elsewhere on the platform.
    ACCEPTED = "accepted", pgettext_lazy("request status", "Accepted")
    DISPATCHED = "dispatched", pgettext_lazy("request status", "Dispatched")
    IN_PROGRESS = "in_progress", pgettext_lazy("request status", "In progress")
    REPLIED = "replied", pgettext_lazy("request status", "Replied")
    CLOSED = "closed", pgettext_lazy("request status", "Closed")
    FOLLOWED_UP = "followed_up", pgettext_lazy("request status", "Followed up")
    RATED = "rated", pgettext_lazy("request status", "Rated")


OPEN_STATUSES = (Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED)


class Channel(models.TextChoices):
    WECHAT = "wechat", pgettext_lazy("eservice", "WeChat official account")
    WEB = "web", pgettext_lazy("eservice", "Web form")
    OPEN311 = "open311", pgettext_lazy("eservice", "Open311 client")
    PHONE = "phone", pgettext_lazy("eservice", "Phone call")
    WALK_IN = "walk_in", pgettext_lazy("eservice", "Walk-in")


class ServiceRequest(models.Model):
    receipt_no = models.CharField(pgettext_lazy("eservice", "receipt number"), max_length=20, unique=True)
    channel = models.CharField(pgettext_lazy("eservice", "channel"), max_length=12, choices=Channel.choices)
    request_type = models.ForeignKey(
        RequestType, verbose_name=pgettext_lazy("eservice", "type"), on_delete=models.PROTECT
    )
    station = models.ForeignKey(
        Department,
        verbose_name=pgettext_lazy("eservice", "station"),
        on_delete=models.PROTECT,
        related_name="eservice_requests",
    )
    handling_department = models.ForeignKey(
        Department,
        verbose_name=pgettext_lazy("eservice", "handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="eservice_handled",
    )
    shared_with = models.ManyToManyField(Department, blank=True, related_name="eservice_shared")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("eservice", "assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="eservice_assigned",
    )
    status = models.CharField(
        pgettext_lazy("eservice", "status"), max_length=12, choices=Status.choices, default=Status.ACCEPTED
    )
    description = models.TextField(pgettext_lazy("eservice", "description"))
    place = models.CharField(pgettext_lazy("eservice", "place"), max_length=200, blank=True)
    latitude = models.FloatField(pgettext_lazy("eservice", "latitude"), null=True, blank=True)
    longitude = models.FloatField(pgettext_lazy("eservice", "longitude"), null=True, blank=True)
    media_url = models.URLField(pgettext_lazy("eservice", "media URL"), max_length=500, blank=True)
    # Personal data: masked in lists and exports, erased after the retention period.
    name = models.CharField(pgettext_lazy("eservice", "name"), max_length=60, blank=True)
    phone = models.CharField(pgettext_lazy("eservice", "phone"), max_length=20, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    wechat_openid = models.CharField(max_length=64, blank=True, db_index=True)
    submitter_ip = models.GenericIPAddressField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    raw = models.TextField(pgettext_lazy("eservice", "raw input"), blank=True)
    created = models.DateTimeField(pgettext_lazy("eservice", "received"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    due_at = models.DateTimeField(pgettext_lazy("eservice", "due"), db_index=True)
    reply = models.TextField(pgettext_lazy("eservice", "reply"), blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("eservice", "closed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(pgettext_lazy("eservice", "rating"), null=True, blank=True)
    rating_comment = models.CharField(pgettext_lazy("eservice", "rating comment"), max_length=300, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    # Set by the sensing task; the label is the engine's event label, shared by similar requests.
    analysed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    topic_key = models.CharField(max_length=40, blank=True, db_index=True)
    topic_label = models.CharField(max_length=120, blank=True)
    harm_categories = models.JSONField(default=list, blank=True)
    case_reference = models.CharField(max_length=60, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "request")
        verbose_name_plural = pgettext_lazy("eservice", "requests")
        ordering = ["-created"]
        indexes = [models.Index(fields=["station", "status"]), models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Transition(models.Model):
    """One step of a request through the state machine (the history)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(pgettext_lazy("eservice", "reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "status change")
        verbose_name_plural = pgettext_lazy("eservice", "status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request} {self.from_status}→{self.to_status}"


class ContactLog(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", pgettext_lazy("eservice", "Phone call")
        VISIT = "visit", pgettext_lazy("eservice", "Visit")
        MESSAGE = "message", pgettext_lazy("eservice", "Message")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(pgettext_lazy("eservice", "kind"), max_length=10, choices=Kind.choices)
    note = models.TextField(pgettext_lazy("eservice", "note"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "contact")
        verbose_name_plural = pgettext_lazy("eservice", "contact log")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request} {self.kind}"


class Reminder(models.Model):
    """催办 (a reminder to hurry) or 督办 (formal supervision by the level above)."""

    class Kind(models.TextChoices):
        URGE = "urge", pgettext_lazy("eservice", "Reminder (催办)")
        SUPERVISE = "supervise", pgettext_lazy("eservice", "Supervision (督办)")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(pgettext_lazy("eservice", "kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(pgettext_lazy("eservice", "note"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "reminder")
        verbose_name_plural = pgettext_lazy("eservice", "reminders")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request} {self.kind}"


class MediationSession(models.Model):
    """One sitting of a dispute mediation (矛盾化解)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="mediation_sessions")
    held_at = models.DateTimeField(pgettext_lazy("eservice", "held at"))
    place = models.CharField(pgettext_lazy("eservice", "place"), max_length=200, blank=True)
    participants = models.CharField(pgettext_lazy("eservice", "participants"), max_length=300)
    notes = models.TextField(pgettext_lazy("eservice", "notes"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "mediation session")
        verbose_name_plural = pgettext_lazy("eservice", "mediation sessions")
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request} {self.held_at:%Y-%m-%d}"


class MediationAgreement(models.Model):
    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="agreement")
    parties = models.CharField(pgettext_lazy("eservice", "parties"), max_length=300)
    terms = models.TextField(pgettext_lazy("eservice", "terms"))
    signed_on = models.DateField(pgettext_lazy("eservice", "signed on"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "mediation agreement")
        verbose_name_plural = pgettext_lazy("eservice", "mediation agreements")

    def __str__(self) -> str:
        return f"{self.request} {self.signed_on}"


class WechatMessage(models.Model):
    """Every callback message kept raw; ``dedup_key`` (MsgId, or FromUserName+CreateTime for
    events) is unique so WeChat's three retries of one message create one request."""

    dedup_key = models.CharField(max_length=100, unique=True)
    from_user = models.CharField(max_length=64, db_index=True)
    msg_type = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    xml = models.TextField()
    reply = models.TextField(blank=True)
    request = models.ForeignKey(ServiceRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "WeChat message")
        verbose_name_plural = pgettext_lazy("eservice", "WeChat messages")

    def __str__(self) -> str:
        return self.dedup_key


class Open311Client(models.Model):
    """A civic-reporting client allowed to post requests; only the key's SHA-256 is kept."""

    name = models.CharField(pgettext_lazy("eservice", "name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(pgettext_lazy("eservice", "active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("eservice", "Open311 client")
        verbose_name_plural = pgettext_lazy("eservice", "Open311 clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
