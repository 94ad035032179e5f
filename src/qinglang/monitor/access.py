"""Who may use the monitor, and the view decorator that says so."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from qinglang.org.roles import DepartmentKind, Role

# Analysts and the duty desk live here; administrators see everything anyway.
MONITOR_ROLES = (Role.ADMIN, Role.DUTY_OFFICER, Role.ANALYST)
# Who may change watched entities, sources and rules, and act on alerts.
MANAGER_ROLES = (Role.ADMIN, Role.DUTY_OFFICER, Role.ANALYST)


def monitor_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if not user.has_role(*MONITOR_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def may_manage(user: Any) -> bool:
    """Office staff in a managing role: rules apply to every department's documents, so a
    station or an outside department may not change them even with an analyst's role."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(*MANAGER_ROLES):
        return False
    department = user.department
    return bool(user.sees_everything or (department is not None and department.kind == DepartmentKind.OFFICE))


def manager_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_manage(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
