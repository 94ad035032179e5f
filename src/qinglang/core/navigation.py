"""The module registry behind the navigation: each app lists its entries in its AppConfig.

An app adds ``nav_entries = (NavEntry(...),)`` to its AppConfig; the shell shows the entries the
user's role allows, so a module appears in the navigation the day it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    label: Any  # a lazy translation string
    url_name: str
    icon: str = "•"
    roles: tuple[str, ...] = field(default_factory=tuple)  # empty: every signed-in user
    order: int = 100


def public_entries() -> list[dict[str, Any]]:
    """Pages for the public (report forms, service requests), listed on the sign-in page. An app
    offers them as ``public_entries = (NavEntry(...),)`` on its AppConfig; roles do not apply."""
    result = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "public_entries", ()):
            try:
                result.append({"label": entry.label, "url": reverse(entry.url_name), "icon": entry.icon,
                               "order": entry.order})
            except NoReverseMatch:
                continue
    return sorted(result, key=lambda item: item["order"])


def entries_for(user: Any) -> list[dict[str, Any]]:
    result = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "nav_entries", ()):
            if entry.roles and not user.has_role(*entry.roles):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            result.append({"label": entry.label, "url": url, "icon": entry.icon, "order": entry.order,
                           "module": config.label, "module_name": config.verbose_name})
    return sorted(result, key=lambda item: item["order"])


def groups_for(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries one module per top-level item (in order of each module's first entry): an
    office user sees 监测 · 取证 · 执法 · e站 rather than fourteen links in two rows. A module
    with one entry stays a plain link."""
    groups: dict[str, dict[str, Any]] = {}
    for entry in entries:
        group = groups.setdefault(entry["module"], {"label": entry["module_name"], "icon": entry["icon"],
                                                    "url": entry["url"], "entries": []})
        group["entries"].append(entry)
    return list(groups.values())
