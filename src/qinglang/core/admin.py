from django.contrib import admin

from qinglang.core.models import ApiToken, CalendarDay, Heartbeat


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created", "last_used", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("prefix", "created", "last_used")
    exclude = ("key_hash",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Tokens are issued with `qinglang token create`, which shows the key once.
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ("component", "at")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
