"""Navigation entries are grouped by module: one top-level item per module."""

from __future__ import annotations

from typing import Any

import pytest

from qinglang.core.navigation import entries_for, groups_for


@pytest.mark.django_db
def test_entries_are_grouped_by_module_in_order(org: dict[str, Any]) -> None:
    entries = entries_for(org["admin"])
    groups = groups_for(entries)
    modules = [e["module"] for e in entries]
    assert len(groups) == len(dict.fromkeys(modules)) < len(entries)
    assert [g["entries"][0] for g in groups] == [e for i, e in enumerate(entries) if e["module"] not in modules[:i]]
    monitor = next(g for g in groups if g["entries"][0]["module"] == "monitor")
    assert monitor["url"] == "/monitor/" and len(monitor["entries"]) >= 3
    assert sum(len(g["entries"]) for g in groups) == len(entries)


@pytest.mark.django_db
def test_a_village_user_sees_only_the_modules_of_their_role(org: dict[str, Any]) -> None:
    groups = groups_for(entries_for(org["village_staff"]))
    assert "monitor" not in {g["entries"][0]["module"] for g in groups}
