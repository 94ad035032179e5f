"""Query parameters past what a database integer or a date can hold get an empty page or the
widest window, never a server error (found by requesting every list with such values)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

HUGE = "99999999999999999999"


@pytest.mark.parametrize("url", [
    f"/api/v1/events?page={HUGE}",
    f"/api/v1/events?days=-{HUGE}",
    f"/api/v1/events?days={HUGE}",
    f"/api/v1/documents?page={HUGE}",
    f"/api/v1/documents?event={HUGE}",
    f"/api/v1/documents?event=-{HUGE}",
    f"/api/v1/eservice/requests?offset={HUGE}",
    f"/monitor/?days={HUGE}",
    f"/monitor/search/?q=清朗&days={HUGE}",
])
def test_oversized_numbers_in_a_query_are_no_server_error(client: Client, org: dict[str, Any], url: str) -> None:
    client.raise_request_exception = False
    client.force_login(org["admin"])
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
