"""Open311 Service Discovery (https://wiki.open311.org/Service_Discovery), JSON and XML."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from qinglang.eservice import services
from qinglang.eservice.models import RequestType

pytestmark = pytest.mark.django_db
SPEC = "http://wiki.open311.org/GeoReport_v2"


def test_discovery_json(client: Client, stations: dict[str, Any]) -> None:
    response = client.get("/open311/v2/discovery.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    assert data["changeset"].endswith("Z") and "http://testserver/service/stations/" in data["contact"]
    assert "api_key" in data["key_service"]
    [endpoint] = data["endpoints"]
    assert endpoint == {"specification": SPEC, "url": "http://testserver/open311/v2",
                        "changeset": data["changeset"], "type": "production",
                        "formats": ["text/xml", "application/json"]}
    # The endpoint URL really is the base of the other resources.
    assert client.get(endpoint["url"] + "/services.json").status_code == 200


def test_discovery_xml(client: Client, stations: dict[str, Any]) -> None:
    response = client.get("/open311/v2/discovery.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == "discovery" and root.findtext("key_service")
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("specification") == SPEC and endpoint.findtext("type") == "production"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert endpoint.findtext("changeset") == root.findtext("changeset")


def test_changeset_moves_when_a_request_type_changes(client: Client, stations: dict[str, Any]) -> None:
    before = client.get("/open311/v2/discovery.json").json()["changeset"]
    rt = RequestType.objects.get(code="help")
    rt.time_limit_days = 5
    services.save_request_type(rt, {"time_limit_days": 3}, actor=stations["admin"])
    after = client.get("/open311/v2/discovery.json").json()["changeset"]
    assert after > before


def test_discovery_is_read_only(client: Client, stations: dict[str, Any]) -> None:
    assert client.post("/open311/v2/discovery.json").status_code == 405
