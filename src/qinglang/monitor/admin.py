"""Administration of the monitor's settings-like data: sources, the watch list, alert rules.

Alerts change state only through the inbox (the state machine keeps history and audit), so here
they are read-only.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qinglang.monitor.models import Alert, AlertRule, Source, WatchedAlias, WatchedEntity


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = ("name", "kind", "url", "department", "enabled", "interval_minutes", "failures", "last_success_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "url")
    readonly_fields = ("etag", "last_modified", "claimed_until", "failures", "last_success_at", "last_error_at",
                       "last_error")


class AliasInline(admin.TabularInline[WatchedAlias, WatchedEntity]):
    model = WatchedAlias
    extra = 1


@admin.register(WatchedEntity)
class WatchedEntityAdmin(admin.ModelAdmin[WatchedEntity]):
    list_display = ("name", "type", "active", "note")
    list_filter = ("type", "active")
    search_fields = ("name", "aliases__alias")
    inlines = [AliasInline]


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin[AlertRule]):
    list_display = ("name", "kind", "level", "entity", "category", "keyword", "min_size", "enabled")
    list_filter = ("kind", "level", "enabled")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = ("title", "level", "status", "created")
    list_filter = ("level", "status")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
