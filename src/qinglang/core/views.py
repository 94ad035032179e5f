from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinglang.audit.models import AuditEntry
from qinglang.audit.services import record
from qinglang.core.forms import LoginForm
from qinglang.core.navigation import public_entries
from qinglang.core.status import component_status, database_ok
from qinglang.org.models import Role


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "public_entries": public_entries()}


def _activity_chart(days: int = 7) -> dict[str, list[Any]]:
    """Audit entries per day over the last ``days`` days, for the dashboard chart."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (
        AuditEntry.objects.filter(at__date__gte=start)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("seq"))
    )
    counts = {row["day"]: row["n"] for row in rows}
    labels = [start + timedelta(days=i) for i in range(days)]
    return {"labels": [d.strftime("%m-%d") for d in labels], "counts": [counts.get(d, 0) for d in labels]}


def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {"components": component_status(), "show_activity": False}
    if user.has_role(Role.DUTY_OFFICER):
        context["show_activity"] = True
        context["activity"] = _activity_chart()
    return render(request, "core/dashboard.html", context)


@require_GET
def status_partial(request: HttpRequest) -> HttpResponse:
    """The live status card; htmx polls it."""
    return render(request, "core/_status.html", {"components": component_status()})


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    ok = database_ok()
    components = {c["component"]: c["alive"] for c in component_status()} if ok else {}
    return JsonResponse({"database": ok, **components}, status=200 if ok else 503)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record("auth.permission_denied", detail={"path": request.path[:300], "method": request.method})
    return render(request, "403.html", status=403)
