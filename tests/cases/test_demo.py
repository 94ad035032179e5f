"""The demo loads through the services (history, audit, statistics) and only once."""

from __future__ import annotations

import pytest

from qinglang.audit.services import verify_chain
from qinglang.cases import stats
from qinglang.cases.demo import load_demo
from qinglang.cases.models import Case, JointOperation
from qinglang.org.demo import load_users
from qinglang.org.models import User


@pytest.mark.django_db
def test_demo_is_idempotent_and_feeds_the_statistics() -> None:
    assert "skipped" in load_demo()  # no departments yet
    load_users("demo-password-1")
    assert load_demo().startswith("cases: 3 reports")
    assert load_demo() == "cases: demo already loaded"
    assert JointOperation.objects.count() == 1 and Case.objects.count() == 3
    figures = stats.headline(*stats.scoped(User.objects.get(username="admin"), stats.Period()))
    assert figures["principals_sanctioned"] == 2 and figures["principals_filed"] == 1
    assert verify_chain().ok
    police = User.objects.get(username="police")
    assert stats.headline(*stats.scoped(police, stats.Period()))["cases"] == 2
