from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from qinglang.core.navigation import entries_for, groups_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav = entries_for(user) if user is not None and user.is_authenticated else []
    return {"platform_name": settings.SITE_NAME, "nav_entries": nav, "nav_groups": groups_for(nav)}
