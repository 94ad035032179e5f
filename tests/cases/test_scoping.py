"""Department scoping, the whole matrix: lead, co-handling, shared, the office above, outsiders —
in pages and in the API alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinglang.cases import services
from qinglang.cases.models import Case

# The case is led by the police, co-handled by the town e-station and shared with nobody else
# (the office, which assigned it, keeps sight through sharing).
EXPECTED = {
    "admin": True,            # sees everything
    "duty": True,             # office: assigned it, so it is shared with it
    "police_liaison": True,   # lead department
    "town_staff": True,       # co-handling department
    "village_staff": False,   # under the town: a child does not see its parent's cases
    "outsider": False,        # nothing to do with it
}


@pytest.fixture
def police_case(make_case: Callable[..., Case]) -> Case:
    return make_case("assigned", lead="police", co=("town",))


@pytest.mark.parametrize(("username", "sees"), EXPECTED.items())
def test_pages(client: Client, org: dict[str, Any], police_case: Case, username: str, sees: bool) -> None:
    client.force_login(org[username])
    assert client.get(reverse("cases-detail", args=[police_case.pk])).status_code == (200 if sees else 404)
    listed = police_case.number in client.get(reverse("cases-list")).content.decode()
    assert listed is sees
    post = client.post(reverse("cases-remind", args=[police_case.pk]), {"message": "请加快"})
    assert post.status_code == (302 if sees else 404)


@pytest.mark.parametrize(("username", "sees"), EXPECTED.items())
def test_api(client: Client, org: dict[str, Any], police_case: Case, username: str, sees: bool) -> None:
    client.force_login(org[username])
    assert client.get(f"/api/v1/cases/{police_case.pk}").status_code == (200 if sees else 404)
    ids = [c["id"] for c in client.get("/api/v1/cases/").json()]
    assert (police_case.pk in ids) is sees
    moved = client.post(f"/api/v1/cases/{police_case.pk}/transition", {"to_status": "investigating",
                                                                         "reason": "调查"},
                        content_type="application/json")
    # Station staff see the case they co-handle but may not move it.
    assert moved.status_code == (404 if not sees else 403 if username == "town_staff" else 200)


def test_sharing_opens_the_case_to_one_more_department(
    client: Client, org: dict[str, Any], police_case: Case
) -> None:
    client.force_login(org["outsider"])
    assert client.get(reverse("cases-detail", args=[police_case.pk])).status_code == 404
    services.share(police_case, org["duty"], org["outsider_dept"])
    assert client.get(reverse("cases-detail", args=[police_case.pk])).status_code == 200
    # The town co-handles it, but that does not reach the village under the town; sharing does.
    assert not services.visible_cases(org["village_staff"]).filter(pk=police_case.pk).exists()
    services.share(police_case, org["duty"], org["village"])
    assert services.visible_cases(org["village_staff"]).filter(pk=police_case.pk).exists()


def test_before_assignment_only_the_office_sees_the_case(org: dict[str, Any], make_case: Callable[..., Case]) -> None:
    case = make_case()
    who = {name for name in EXPECTED if services.visible_cases(org[name]).filter(pk=case.pk).exists()}
    assert who == {"admin", "duty"}


def test_reports_are_scoped_too(client: Client, org: dict[str, Any], make_case: Callable[..., Case]) -> None:
    case = make_case()
    report = case.reports.get()

    def check(expected: dict[str, int]) -> None:
        for username, status in expected.items():
            client.force_login(org[username])
            assert client.get(reverse("cases-report-detail", args=[report.pk])).status_code == status, username
            api_ids = [r["id"] for r in client.get("/api/v1/cases/reports").json()]
            assert (report.pk in api_ids) is (status == 200)

    check({"duty": 200, "police_liaison": 404, "outsider": 404})
    # Once the police lead the case, they read the report behind it; outsiders still do not.
    services.set_status(case, "triaged", org["duty"], reason="研判")
    services.assign(case, org["duty"], lead=org["police"], reason="交办")
    check({"duty": 200, "police_liaison": 200, "outsider": 404})


def test_anonymous_gets_nothing(client: Client, police_case: Case) -> None:
    assert client.get(reverse("cases-detail", args=[police_case.pk])).status_code == 302
    assert client.get(f"/api/v1/cases/{police_case.pk}").status_code == 401
