from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qinglang.audit.models import AuditEntry
from qinglang.audit.services import verify_chain
from qinglang.org.models import Role


def chain_status(request: HttpRequest) -> HttpResponse:
    """Administrators check the chain and read the latest entries."""
    user: Any = request.user
    if not user.has_role(Role.ADMIN):
        raise PermissionDenied
    context = {"result": verify_chain(), "entries": AuditEntry.objects.order_by("-seq")[:50]}
    return render(request, "audit/status.html", context)
