"""Shared fixtures: users named by the role they play, as in healthchecks' hc/test.py."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from qinglang.org.models import Department, DepartmentKind, Role, User

PASSWORD = "correct-horse-battery"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-browser", action="store_true", help="skip the real-browser tests")


def chromium_path() -> str | None:
    return os.environ.get("QINGLANG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = None
    if config.getoption("--no-browser"):
        reason = "browser tests skipped by --no-browser"
    elif chromium_path() is None:
        if os.environ.get("QINGLANG_REQUIRE_BROWSER"):
            raise pytest.UsageError("QINGLANG_REQUIRE_BROWSER is set but no chromium was found")
        reason = "chromium not installed (apt install chromium fonts-noto-cjk)"
    if reason:
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_department(code: str, name: str, kind: str, parent: Department | None = None) -> Department:
    return Department.objects.create(code=code, name=name, kind=kind, parent=parent)


def signed_in(client: Any, user: Any) -> Any:
    """The test client, signed in as ``user`` (a ``django.test.Client``)."""
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make_user(username: str, display_name: str, department: Department | None, role: str, **extra: Any) -> User:
    user = User(username=username, display_name=display_name, department=department, role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def org(db: None) -> dict[str, Any]:
    """A small office: the 网信办, the police, a town e-station with a village under it, and an
    outsider department with nothing shared."""
    office = make_department("office", "测试市委网信办", DepartmentKind.OFFICE)
    police = make_department("police", "测试市公安局网安支队", DepartmentKind.POLICE)
    town = make_department("town", "测试镇网信通服务e站", DepartmentKind.TOWN_STATION)
    village = make_department("village", "测试村网信通服务e站", DepartmentKind.VILLAGE_STATION, parent=town)
    outsider_dept = make_department("outsider", "测试市外部单位", DepartmentKind.OTHER)
    return {
        "office": office, "police": police, "town": town, "village": village, "outsider_dept": outsider_dept,
        "admin": make_user("admin", "系统管理员", office, Role.ADMIN, is_staff=True, is_superuser=True),
        "duty": make_user("duty", "值班员", office, Role.DUTY_OFFICER),
        "police_liaison": make_user("police_liaison", "公安网安联络员", police, Role.LIAISON),
        "town_staff": make_user("town_staff", "镇e站工作人员", town, Role.STATION_STAFF),
        "village_staff": make_user("village_staff", "村e站工作人员", village, Role.STATION_STAFF),
        "outsider": make_user("outsider", "外部单位用户", outsider_dept, Role.LIAISON),
    }
