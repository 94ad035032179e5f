from __future__ import annotations

import pytest

from qinglang.audit.services import verify_chain
from qinglang.eservice.demo import REQUESTS, load_demo
from qinglang.eservice.models import ServiceRequest, StationProfile, Status

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_without_duplicates() -> None:
    load_demo()
    load_demo()
    assert ServiceRequest.objects.count() == len(REQUESTS)
    assert StationProfile.objects.count() == 3
    rated = ServiceRequest.objects.get(receipt_no="EDEMO000001")
    assert rated.status == Status.RATED and rated.transitions.count() == 7
    # The three lamp requests in 下浦村 are one recurring issue.
    assert ServiceRequest.objects.filter(topic_key="EDEMO000001").count() == 3
    assert verify_chain().ok
