from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qinglang.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("seq", "at", "actor_name", "action", "target_type", "target_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor_name", "action", "target_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
