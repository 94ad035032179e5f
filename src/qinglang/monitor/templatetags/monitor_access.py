"""``{% load monitor_access %}``: lets templates ask what ``access.py`` decides."""

from __future__ import annotations

from typing import Any

from django import template

from qinglang.monitor.access import may_manage

register = template.Library()


@register.filter
def manages_monitor(user: Any) -> bool:
    return may_manage(user)
