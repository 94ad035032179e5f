"""Evidence captures, their status history, their custody chain and batches of URLs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qinglang.org.models import Department


class Batch(models.Model):
    """A list of URLs pasted at once; the raw text is kept, including lines that were refused."""

    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, on_delete=models.PROTECT)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    raw_input = models.TextField(_("URLs as entered"))
    refused = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("capture batch")
        verbose_name_plural = _("capture batches")

    def __str__(self) -> str:
        return f"#{self.pk}"


class Capture(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Capturing")
        DONE = "done", _("Preserved")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        OK = "ok", _("Captured completely")
        NOT_FOUND = "not_found", _("Page not found (404/410)")
        HTTP_ERROR = "http_error", _("Server answered with an error")
        LOAD_TIMEOUT = "load_timeout", _("Page did not finish loading in time")
        INCOMPLETE = "incomplete", _("Captured, some content cut short")
        UNREACHABLE = "unreachable", _("Site unreachable")
        REFUSED = "refused", _("Address refused")
        INTERRUPTED = "interrupted", _("Capture interrupted: the worker stopped repeatedly")

    class Change(models.TextChoices):
        FIRST = "first", _("First capture")
        UNCHANGED = "unchanged", _("Unchanged since the last capture")
        CHANGED = "changed", _("Changed since the last capture")
        GONE = "gone", _("Gone since the last capture")

    public_id = models.CharField(_("evidence number"), max_length=40, unique=True)
    url = models.CharField(_("URL"), max_length=2000)
    reason = models.TextField(_("reason"))
    case_reference = models.CharField(_("case reference"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("e.g. monitor.document:42"))
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, on_delete=models.PROTECT, related_name="evidence"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("operator"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    shared_with = models.ManyToManyField(
        Department, verbose_name=_("shared with"), blank=True, related_name="shared_evidence"
    )
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="captures")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recaptures")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    error = models.TextField(_("error"), blank=True)
    notes = models.JSONField(default=list, blank=True)
    final_url = models.CharField(_("final URL"), max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    title = models.CharField(_("page title"), max_length=500, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    change = models.CharField(_("change"), max_length=20, choices=Change.choices, blank=True)
    change_summary = models.TextField(blank=True)

    package = models.FileField(_("package"), upload_to="evidence/", blank=True)
    package_sha256 = models.CharField(_("package SHA-256"), max_length=64, blank=True)
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)
    files = models.JSONField(default=list, blank=True)
    timestamped_at = models.DateTimeField(_("trusted time"), null=True, blank=True)
    timestamp_authority = models.CharField(max_length=300, blank=True)
    timestamp_errors = models.JSONField(default=list, blank=True)
    signed = models.BooleanField(default=False)

    recapture_every_hours = models.PositiveIntegerField(_("re-capture every (hours)"), null=True, blank=True)
    next_recapture_at = models.DateTimeField(null=True, blank=True, db_index=True)

    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # A running capture touches this at every progress step; a capture whose worker was killed
    # stops touching it, and the periodic sweep queues it again (``services.recover_abandoned``).
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("evidence capture")
        verbose_name_plural = _("evidence captures")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.public_id

    @property
    def finished_work(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class StatusChange(models.Model):
    capture = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CustodyEvent(models.Model):
    """One link of an item's chain of custody; each hashes the one before it."""

    class Action(models.TextChoices):
        CREATED = "created", _("Capture requested")
        PRESERVED = "preserved", _("Package sealed")
        FAILED = "failed", _("Capture failed")
        VIEWED = "viewed", _("Viewed")
        EXPORTED = "exported", _("Package downloaded")
        SHARED = "shared", _("Shared with a department")
        RECAPTURED = "recaptured", _("Re-capture requested")

    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    department_name = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["capture", "seq"]
        constraints = [models.UniqueConstraint(fields=["capture", "seq"], name="evidence_custody_seq_unique")]

    def __str__(self) -> str:
        return f"{self.capture_id}#{self.seq} {self.action}"
