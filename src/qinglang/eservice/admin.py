from django.contrib import admin

from qinglang.eservice.models import Open311Client, RequestType, ServiceRequest, StationProfile


@admin.register(StationProfile)
class StationProfileAdmin(admin.ModelAdmin[StationProfile]):
    list_display = ("department", "address", "opening_hours", "phone")


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin[RequestType]):
    list_display = ("name", "code", "time_limit_days", "department", "auto_dispatch", "is_mediation",
                    "concerns_online_harm", "is_active", "order")
    list_editable = ("time_limit_days", "auto_dispatch", "is_active", "order")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin[ServiceRequest]):
    # Read-only here: changes go through the state machine in the e-station pages, and the
    # resident's name and phone are not shown (reveals are audited there).
    list_display = ("receipt_no", "channel", "request_type", "station", "status", "created", "due_at")
    list_filter = ("status", "channel", "request_type")
    search_fields = ("receipt_no",)
    exclude = ("name", "phone", "wechat_openid", "submitter_ip", "raw", "attributes")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin[Open311Client]):
    list_display = ("name", "prefix", "is_active", "created")
    readonly_fields = ("prefix", "created")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Keys are issued with `qinglang open311_client NAME`, which shows the key once.
        return False
