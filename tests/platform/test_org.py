"""Departments form a tree, and one helper scopes what each user may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count

from qinglang.audit.models import AuditEntry
from qinglang.org.models import Department, Role, User
from qinglang.org.scoping import visible_to


def names(qs: Any) -> set[str]:
    return {str(obj.code if isinstance(obj, Department) else obj.username) for obj in qs}


def test_paths_follow_the_tree(org: dict[str, Any]) -> None:
    town, village = org["town"], org["village"]
    assert village.path == f"{town.path}{village.pk}/"
    assert names(town.subtree()) == {"town", "village"}


def test_moving_a_department_moves_its_subtree(org: dict[str, Any]) -> None:
    town = org["town"]
    town.parent = org["office"]
    town.save()
    village = Department.objects.get(code="village")
    assert village.path == f"{org['office'].path}{town.pk}/{village.pk}/"


def test_a_department_cannot_be_its_own_ancestor(org: dict[str, Any]) -> None:
    town = org["town"]
    town.parent = org["village"]
    with pytest.raises(ValueError, match="under itself"):
        town.save()


def test_outsider_sees_nothing_of_other_departments(org: dict[str, Any]) -> None:
    outsider = org["outsider"]
    assert names(visible_to(outsider, Department.objects.all(), field=None)) == {"outsider"}
    assert names(visible_to(outsider, User.objects.all())) == {"outsider"}


def test_parent_station_sees_its_villages_but_not_the_reverse(org: dict[str, Any]) -> None:
    assert names(visible_to(org["town_staff"], User.objects.all())) == {"town_staff", "village_staff"}
    assert names(visible_to(org["village_staff"], User.objects.all())) == {"village_staff"}


def test_office_user_sees_own_department_only(org: dict[str, Any]) -> None:
    assert names(visible_to(org["duty"], User.objects.all())) == {"admin", "duty"}


def test_administrator_sees_everything_and_anonymous_nothing(org: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert visible_to(org["admin"], User.objects.all()).count() == User.objects.count()
    assert not visible_to(AnonymousUser(), User.objects.all()).exists()


def test_user_without_department_sees_nothing(org: dict[str, Any]) -> None:
    loner = User.objects.create(username="loner", role=Role.ANALYST)
    assert not visible_to(loner, Department.objects.all(), field=None).exists()


def test_shared_field_widens_the_scope(org: dict[str, Any]) -> None:
    # Later modules name a many-to-many of departments an object is shared with. Any relation to
    # departments works the same way; here the reverse "children" relation makes the parent of
    # the village's department visible to village staff, and nothing else.
    village_staff = org["village_staff"]
    qs = Department.objects.all()
    assert names(visible_to(village_staff, qs, field=None)) == {"village"}
    assert names(visible_to(village_staff, qs, field=None, shared_field="children")) == {"village", "town"}


def test_role_change_is_audited(org: dict[str, Any]) -> None:
    duty = org["duty"]
    duty.role = Role.CASE_OFFICER
    duty.save()
    entry = AuditEntry.objects.filter(action="user.role_changed", target_id=str(duty.pk)).get()
    assert entry.detail["before"]["role"] == Role.DUTY_OFFICER
    assert entry.detail["after"]["role"] == Role.CASE_OFFICER


def test_saving_without_role_change_is_not_logged_as_one(org: dict[str, Any]) -> None:
    duty = org["duty"]
    duty.display_name = "值班员（改名）"
    duty.save()
    assert not AuditEntry.objects.filter(action="user.role_changed").exists()


def test_demo_data_loads_twice(db: None) -> None:
    from qinglang.org.demo import load_users

    load_users("first-password-1")
    count = (Department.objects.count(), User.objects.count())
    load_users("second-password-2")
    assert (Department.objects.count(), User.objects.count()) == count
    assert User.objects.get(username="duty").check_password("first-password-1")
    village = Department.objects.get(code="station-xiapu")
    assert village.path.startswith(Department.objects.get(code="station-shanwei").path)


def test_shared_rows_are_not_repeated(org: dict[str, Any]) -> None:
    # The town has one child (the village); add a second so the join would match twice.
    Department.objects.create(code="village2", name="测试二村e站", kind="village_station", parent=org["town"])
    visible = visible_to(org["town_staff"], Department.objects.all(), field=None, shared_field="children")
    assert visible.count() == 3
    # Grouped counts are where a join through the share table would count the town twice.
    per_kind = {row["kind"]: row["n"] for row in visible.values("kind").annotate(n=Count("pk"))}
    assert per_kind == {"town_station": 1, "village_station": 2}


def test_a_departments_head_is_optional_and_set_in_the_admin(org: dict[str, Any], client: Any) -> None:
    police = org["police"]
    assert police.head is None  # nullable: departments work without one
    client.force_login(org["admin"])
    url = f"/admin/org/department/{police.pk}/change/"
    assert 'name="head"' in client.get(url).content.decode()
    data = {"name": police.name, "code": police.code, "kind": police.kind, "parent": "", "is_active": "on",
            "head": org["police_liaison"].pk}
    assert client.post(url, data).status_code == 302
    police.refresh_from_db()
    assert police.head == org["police_liaison"] and list(org["police_liaison"].headed_departments.all()) == [police]
    org["police_liaison"].delete()  # a head who is removed leaves the department headless, not deleted
    police.refresh_from_db()
    assert police.head is None
