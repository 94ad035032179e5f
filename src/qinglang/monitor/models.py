"""Opinion monitoring: sources, the documents they bring, the events the engine forms, the
enterprises the office watches and the alerts raised for the duty desk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qinglang.org.models import Department

LEVEL_ORDER = ("blue", "yellow", "orange", "red")


class Level(models.TextChoices):
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


NEGATIVE = -0.2  # a document this negative counts in an event's negative share


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1


class SourceKind(models.TextChoices):
    RSS = "rss", _("RSS/Atom feed")
    PAGE = "page", _("Web page")
    LIST = "list", _("List page (its article links are followed)")
    IMPORT = "import", _("File import")
    PUSH = "push", _("Push API")


class Source(models.Model):
    """Where documents come from. Fetched kinds carry their own schedule and health."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    url = models.CharField(_("address"), max_length=1000, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partition = models.CharField(_("partition"), max_length=30, default="zh")
    interval_minutes = models.PositiveIntegerField(_("fetch interval (minutes)"), default=30)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Conditional-request validators the server gave us last time.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error time"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RawInput(models.Model):
    """Input that could not be taken in, kept verbatim so that nothing is dropped."""

    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="rejects")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=20)  # api, import, fetch
    payload = models.TextField()
    error = models.TextField()
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("rejected input")
        verbose_name_plural = _("rejected inputs")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.error[:80]


class DocumentState(models.TextChoices):
    PENDING = "pending", _("Waiting for analysis")
    PROCESSED = "processed", _("Analysed")
    FAILED = "failed", _("Analysis failed")


class Document(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The idempotency key within the source: the caller's id, else the URL, else the text's hash.
    key = models.CharField(max_length=200)
    external_id = models.CharField(max_length=200, blank=True)
    url = models.CharField(_("address"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    text = models.TextField(_("text"))
    author = models.CharField(_("author"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), db_index=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    partition = models.CharField(max_length=30, default="zh")
    state = models.CharField(max_length=10, choices=DocumentState.choices, default=DocumentState.PENDING)
    # Position in the partition's processing order; replaying in this order rebuilds the engine.
    seq = models.BigIntegerField(null=True, blank=True)
    event = models.ForeignKey("Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    sentiment = models.FloatField(null=True, blank=True)
    # watched name -> the document's tone about that entity (one text can praise one and blame another)
    entity_tones = models.JSONField(default=dict, blank=True)
    # ... and the tone to alert on: the lower of that and the words read without the turns that
    # make bad-news words good news (a rumour shown false, a problem put right), which are word
    # patterns and can be fooled; a duty officer would rather see a refuted rumour than miss one
    entity_alarm_tones = models.JSONField(default=dict, blank=True)
    entities = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    risk_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    risk_score = models.FloatField(null=True, blank=True)
    risk_reasons = models.JSONField(default=list, blank=True)
    search_text = models.TextField(blank=True)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="monitor_document_source_key"),
            models.UniqueConstraint(fields=["partition", "seq"], name="monitor_document_partition_seq"),
        ]
        indexes = [
            models.Index(fields=["partition", "state", "id"], name="monitor_doc_queue"),
            models.Index(fields=["event", "published_at"], name="monitor_doc_event_time"),
        ]

    def __str__(self) -> str:
        return self.title or self.text[:40]

    def headline(self) -> str:
        """Its title, or its first words as the source wrote them: how an event it opens is
        labelled until the engine finds a more representative headline."""
        return (self.title or " ".join(self.text.split())[:80])[:200]

    def tone_about(self, name: str) -> float:
        """The document's tone about one watched entity (the engine reads it near the mentions),
        else its overall tone (documents analysed before entity tones were kept)."""
        return float(self.entity_tones.get(name, self.sentiment or 0.0))

    def tone_chips(self) -> list[tuple[str, float, float | None]]:
        """(watched name, stance, lower_alarm) for the event page: an analyst sees why a
        document that reads well still raised an alert."""
        return [(name, float(tone), self.lower_alarm(name)) for name, tone in self.entity_tones.items()]

    def alarm_about(self, name: str) -> float:
        """The tone about one watched entity that alert rules read (see entity_alarm_tones);
        the stance where none was kept."""
        return float(self.entity_alarm_tones.get(name, self.tone_about(name)))

    def lower_alarm(self, name: str) -> float | None:
        """The alarm reading where it is clearly lower than the stance (the turns made the
        difference), else None."""
        alarm = self.alarm_about(name)
        return alarm if alarm < self.tone_about(name) - 0.05 else None


class Event(models.Model):
    """An event (舆情事件) as the engine formed it; counters are kept up to date per document.
    An analyst may merge an event the engine split off into another (``monitor.merging``):
    the merged one keeps its row, pointing at its target, so later documents the engine puts
    in it go to the target too."""

    partition = models.CharField(max_length=30, default="zh")
    engine_id = models.CharField(max_length=30)
    label = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    shared_with = models.ManyToManyField(Department, blank=True, related_name="+")
    first_document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    size = models.PositiveIntegerField(_("documents"), default=0)
    negative = models.PositiveIntegerField(default=0)
    sentiment_sum = models.FloatField(default=0.0)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=Level.choices, default=Level.BLUE)
    risk_score = models.FloatField(default=0.0)
    risk_reasons = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    entities = models.JSONField(default=list, blank=True)  # watched names mentioned
    sources = models.JSONField(default=dict, blank=True)  # source name -> documents
    heat = models.FloatField(_("heat"), default=0.0, db_index=True)
    # what kind of news it is about its main organisation (engine/data/event_kinds.json), if known
    kind = models.CharField(_("kind of news"), max_length=40, blank=True, default="")
    # " cat:CODE ent:NAME src:NAME " - the JSON lists above as text, so filters work the same on
    # SQLite (no JSON containment there) and PostgreSQL.
    tags = models.TextField(blank=True, default="")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_events", verbose_name=_("merged into"))
    merged_at = models.DateTimeField(null=True, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    merge_reason = models.CharField(max_length=500, blank=True, default="")
    # What an analyst's merge moved, so that it can be undone (merging.unmerge): the documents,
    # the events merged into this one before, its alerts, the departments it brought and the
    # target's own sharing. Empty when there is no merge to undo: an event folded away because
    # its last document was moved out, or merged before merges were recorded.
    merge_record = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [models.UniqueConstraint(fields=["partition", "engine_id"], name="monitor_event_engine_id")]

    def __str__(self) -> str:
        return self.label

    def reheat(self) -> None:
        """Heat at the last document: volume, raised by risk (filters.current_heat decays it)."""
        self.heat = round(self.size * (1.0 + 2.0 * self.risk_score), 3)

    def retag(self) -> None:
        parts = [f"cat:{c}" for c in self.categories] + [f"ent:{e}" for e in self.entities]
        parts += [f"src:{s}" for s in self.sources] + ([f"kind:{self.kind}"] if self.kind else [])
        self.tags = " " + " ".join(p.replace(" ", "_") for p in parts) + " "

    @property
    def kind_name(self) -> str:
        """The kind of news in Chinese (信息披露违规), or "" when the engine could not tell."""
        from qinglang.monitor.analysis import kinds

        return kinds().get(self.kind, self.kind)

    @property
    def sentiment(self) -> float:
        return self.sentiment_sum / self.size if self.size else 0.0

    @property
    def negative_share(self) -> float:
        return self.negative / self.size if self.size else 0.0


def live(events: models.QuerySet[Event]) -> models.QuerySet[Event]:
    """Events not merged into another: what lists show (a merged one is its target's now)."""
    return events.filter(merged_into__isnull=True)


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    PERSON = "person", _("Person")
    PLACE = "place", _("Place")
    ORGANIZATION = "organization", _("Organisation")


class WatchedEntity(models.Model):
    """An enterprise (or person, place) the office watches (重点企业)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=EntityType.choices, default=EntityType.ENTERPRISE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("watched entity")
        verbose_name_plural = _("watched entities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WatchedAlias(models.Model):
    entity = models.ForeignKey(WatchedEntity, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(_("alias"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["alias"]

    def __str__(self) -> str:
        return self.alias


class Mention(models.Model):
    """A watched entity named in a document: what the enterprise pages and reports count."""

    entity = models.ForeignKey(WatchedEntity, on_delete=models.CASCADE, related_name="mentions")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="mentions")
    event = models.ForeignKey(Event, null=True, on_delete=models.SET_NULL, related_name="mentions")
    published_at = models.DateTimeField()
    sentiment = models.FloatField(default=0.0)
    negative = models.BooleanField(default=False)
    categories = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "document"], name="monitor_mention_once")]
        indexes = [models.Index(fields=["entity", "published_at"], name="monitor_mention_time")]

    def __str__(self) -> str:
        return f"{self.entity_id}@{self.document_id}"


class RuleKind(models.TextChoices):
    ENTITY_NEGATIVE = "entity_negative", _("Watched entity with negative tone")
    CATEGORY = "category", _("Harm category")
    BURST = "burst", _("Event size")
    KEYWORD = "keyword", _("Keyword")


class AlertRule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.YELLOW)
    entity = models.ForeignKey(WatchedEntity, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    category = models.CharField(_("category code or class"), max_length=60, blank=True)
    keyword = models.CharField(_("keyword"), max_length=100, blank=True)
    min_size = models.PositiveIntegerField(_("minimum documents"), default=0)
    negativity = models.FloatField(_("negativity threshold"), default=0.2)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED = "escalated", _("Escalated")
    DISMISSED = "dismissed", _("Dismissed")


class Alert(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="alerts")
    # What raised it: "risk" for the engine's own level, "rule:<id>" for an office rule. One open
    # alert per event collects every rule that fires on it (``keys``), so the desk sees one card.
    rule_key = models.CharField(max_length=40)
    keys = models.JSONField(default=list, blank=True)
    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.NEW)
    title = models.CharField(_("title"), max_length=300)
    reasons = models.JSONField(default=list, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    shared_with = models.ManyToManyField(Department, blank=True, related_name="+")
    created = models.DateTimeField(_("raised"), auto_now_add=True, db_index=True)
    status_changed = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class AlertTransition(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=20, choices=AlertStatus.choices)
    to_status = models.CharField(max_length=20, choices=AlertStatus.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Checkpoint(models.Model):
    """Where a partition's clustering stage stands: last processed seq, last snapshot, lease."""

    partition = models.CharField(max_length=30, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    snapshot_seq = models.BigIntegerField(default=0)
    snapshot_path = models.CharField(max_length=500, blank=True)
    # The watch list the documents after the snapshot were analysed with: a replay must use the
    # same one, or it would rebuild a different stream state (and different event numbers).
    watchlist = models.JSONField(default=list, blank=True)
    owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.partition}@{self.last_seq}"


class ImportJob(models.Model):
    """A bulk file import started from the web page; progress is polled by the page."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="imports")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    file_name = models.CharField(max_length=200)
    path = models.CharField(max_length=500)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.file_name


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily report")
    WEEKLY = "weekly", _("Weekly report")


class Report(models.Model):
    """A generated 舆情日报/周报. Its content is frozen in ``data`` so exports always agree."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("to"))
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "-created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}"
