"""Demo departments and users for a fictional city (清溪市). Idempotent: safe to load twice."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from qinglang.org.models import Department, DepartmentKind, Role, User

DEPARTMENTS: list[tuple[str, str, str, str | None]] = [
    # code, name, kind, parent code
    ("office", "清溪市委网信办", DepartmentKind.OFFICE, None),
    ("police", "清溪市公安局网安支队", DepartmentKind.POLICE, None),
    ("education", "清溪市教育局", DepartmentKind.EDUCATION, None),
    ("ethnic-religious", "清溪市民族宗教局", DepartmentKind.ETHNIC_RELIGIOUS, None),
    ("civil-affairs", "清溪市民政局", DepartmentKind.CIVIL_AFFAIRS, None),
    ("market", "清溪市市场监管局", DepartmentKind.MARKET_REGULATION, None),
    ("federation", "清溪市工商联", DepartmentKind.FEDERATION, None),
    ("harbour-office", "港湾区委网信办", DepartmentKind.OFFICE, None),
    ("station-shanwei", "山尾镇网信通服务e站", DepartmentKind.TOWN_STATION, "harbour-office"),
    ("station-xiapu", "下浦村网信通服务e站", DepartmentKind.VILLAGE_STATION, "station-shanwei"),
    ("station-dongling", "东岭村网信通服务e站", DepartmentKind.VILLAGE_STATION, "station-shanwei"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    department: str | None
    role: str
    superuser: bool = False


USERS = [
    DemoUser("admin", "系统管理员", "office", Role.ADMIN, superuser=True),
    DemoUser("duty", "值班员 林晓", "office", Role.DUTY_OFFICER),
    DemoUser("analyst", "舆情分析员 陈默", "office", Role.ANALYST),
    DemoUser("caseworker", "执法办案员 郑平", "office", Role.CASE_OFFICER),
    DemoUser("police", "公安网安联络员 黄毅", "police", Role.LIAISON),
    DemoUser("education", "教育局联络员 许青", "education", Role.LIAISON),
    DemoUser("station", "山尾镇e站工作人员 吴燕", "station-shanwei", Role.STATION_STAFF),
    DemoUser("village", "下浦村e站工作人员 蔡宁", "station-xiapu", Role.STATION_STAFF),
]


@transaction.atomic
def load_departments() -> dict[str, Department]:
    by_code: dict[str, Department] = {}
    for code, name, kind, parent in DEPARTMENTS:
        dept, _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": by_code.get(parent) if parent else None}
        )
        by_code[code] = dept
    return by_code


@transaction.atomic
def load_users(password: str) -> list[User]:
    departments = load_departments()
    users = []
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.display_name = spec.display_name
        user.department = departments[spec.department] if spec.department else None
        user.role = spec.role
        user.is_superuser = user.is_staff = spec.superuser
        if not user.has_usable_password() or user.pk is None:
            user.set_password(password)
        user.save()
        users.append(user)
    return users
