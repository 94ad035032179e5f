"""Open311 GeoReport v2 over real HTTP (urllib against the live server), following the
examples of the specification (https://wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest

from qinglang.eservice import services
from qinglang.eservice.models import ServiceRequest
from qinglang.eservice.open311 import issue_client

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(url: str, data: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    body = urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - the local test server
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture
def api_key(stations: dict[str, Any]) -> str:
    return issue_client("测试市民随手拍")[1]


def spec_post(key: str, **overrides: str) -> dict[str, str]:
    """The specification's POST example, with our service code and a place in our county."""
    return {"api_key": key, "jurisdiction_id": "city.gov", "service_code": "help", "lat": "25.2001",
            "long": "119.0002", "address_string": "测试村3组", "email": "smit222@sfgov.edu", "device_id": "tt222111",
            "account_id": "123456", "first_name": "john", "last_name": "smith", "phone": "111111111",
            "description": "测试村3组路灯不亮 ljsdflksjdf",
            "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"} | overrides


def test_services_list_in_json_and_xml(live_server: Any, stations: dict[str, Any]) -> None:
    status, ctype, body = fetch(f"{live_server.url}/open311/v2/services.json?jurisdiction_id=city.gov")
    assert status == 200 and ctype.startswith("application/json")
    entries = json.loads(body)
    by_code = {e["service_code"]: e for e in entries}
    assert set(by_code) >= {"urgent", "help", "complaint", "mediation"}
    assert by_code["help"]["type"] == "realtime" and by_code["mediation"]["metadata"] is True
    status, ctype, body = fetch(f"{live_server.url}/open311/v2/services.xml")
    root = ET.fromstring(body)  # noqa: S314 - our own server's output
    assert status == 200 and ctype.startswith("text/xml") and root.tag == "services"
    assert {s.findtext("service_code") for s in root.findall("service")} == set(by_code)
    assert root.find("service[service_code='mediation']/metadata").text == "true"  # type: ignore[union-attr]


def test_service_definition(live_server: Any, stations: dict[str, Any]) -> None:
    status, _, body = fetch(f"{live_server.url}/open311/v2/services/mediation.json")
    definition = json.loads(body)
    assert status == 200 and definition["service_code"] == "mediation"
    kinds = next(a for a in definition["attributes"] if a["code"] == "dispute_kind")
    assert kinds["datatype"] == "singlevaluelist" and {"key": "neighbour", "name": "邻里纠纷"} in kinds["values"]
    status, _, body = fetch(f"{live_server.url}/open311/v2/services/mediation.xml")
    root = ET.fromstring(body)  # noqa: S314
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute[code='dispute_kind']/values/value[key='family']/name") == "家庭纠纷"
    status, _, body = fetch(f"{live_server.url}/open311/v2/services/nope.json")
    assert status == 404 and json.loads(body)[0]["code"] == 404


def test_post_a_request_as_in_the_spec(live_server: Any, api_key: str, stations: dict[str, Any]) -> None:
    status, _, body = fetch(f"{live_server.url}/open311/v2/requests.json", spec_post(api_key))
    assert status == 201, body
    created = json.loads(body)[0]
    assert created["account_id"] == "123456" and "测试村网信通服务e站" in created["service_notice"]
    req = ServiceRequest.objects.get(receipt_no=created["service_request_id"])
    assert req.channel == "open311" and req.station == stations["village"]
    assert req.name == "smithjohn" and req.attributes["open311_client"] == "测试市民随手拍"
    assert req.attributes["email"] == "smit222@sfgov.edu"
    assert "api_key" in req.raw  # the raw input is kept


def test_post_in_xml(live_server: Any, api_key: str, stations: dict[str, Any]) -> None:
    status, _, body = fetch(f"{live_server.url}/open311/v2/requests.xml", spec_post(api_key))
    root = ET.fromstring(body)  # noqa: S314
    assert status == 201 and root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == ServiceRequest.objects.get().receipt_no


@pytest.mark.parametrize(("overrides", "status", "fragment"), [
    ({"api_key": "wrong"}, 403, "api_key"),
    ({"service_code": "nope"}, 400, "service_code"),
    ({"description": ""}, 400, "description"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "location"),
    ({"lat": "north"}, 400, "lat"),
    ({"service_code": "mediation"}, 400, "dispute_kind"),
])
def test_post_errors(live_server: Any, api_key: str, stations: dict[str, Any], overrides: dict[str, str],
                     status: int, fragment: str) -> None:
    got, _, body = fetch(f"{live_server.url}/open311/v2/requests.json", spec_post(api_key, **overrides))
    error = json.loads(body)[0]
    assert got == status == error["code"]
    assert fragment in error["description"]
    assert ServiceRequest.objects.count() == 0


def test_error_in_xml(live_server: Any, stations: dict[str, Any]) -> None:
    status, _, body = fetch(f"{live_server.url}/open311/v2/requests.xml", spec_post("wrong"))
    root = ET.fromstring(body)  # noqa: S314
    assert status == 403 and root.tag == "errors" and root.findtext("error/code") == "403"


def test_get_requests_filters_and_hides_personal_data(live_server: Any, api_key: str,
                                                      stations: dict[str, Any]) -> None:
    fetch(f"{live_server.url}/open311/v2/requests.json",
          spec_post(api_key, description="路灯坏了，电话13812345678", phone="13812345678"))
    fetch(f"{live_server.url}/open311/v2/requests.json", spec_post(api_key, service_code="complaint"))
    closed = ServiceRequest.objects.get(request_type__code="complaint")
    services.transition(closed, "dispatched")
    services.transition(closed, "in_progress")
    services.transition(closed, "replied", reply="已处理")
    services.transition(closed, "closed")
    _, _, body = fetch(f"{live_server.url}/open311/v2/requests.json?status=open")
    entries = json.loads(body)
    assert [e["service_code"] for e in entries] == ["help"]
    entry = entries[0]
    assert entry["status"] == "open" and entry["agency_responsible"] == "测试村网信通服务e站"
    assert "13812345678" not in body.decode() and "138****5678" in entry["description"]
    assert "smith" not in body.decode()
    _, _, body = fetch(f"{live_server.url}/open311/v2/requests.json?status=closed&service_code=complaint")
    assert [e["service_request_id"] for e in json.loads(body)] == [closed.receipt_no]
    _, _, body = fetch(f"{live_server.url}/open311/v2/requests.json?start_date=2010-05-24T00:00:00Z"
                       "&end_date=2010-06-24T00:00:00Z")
    assert json.loads(body) == []
    status, _, body = fetch(f"{live_server.url}/open311/v2/requests.json?status=pending")
    assert status == 400


def test_disputes_show_their_status_but_not_their_content(live_server: Any, api_key: str,
                                                         stations: dict[str, Any]) -> None:
    _, _, body = fetch(f"{live_server.url}/open311/v2/requests.json",
                       spec_post(api_key, service_code="mediation", description="和邻居王某因宅基地争执",
                                 **{"attribute[dispute_kind]": "neighbour"}))
    receipt = json.loads(body)[0]["service_request_id"]
    assert ServiceRequest.objects.get().attributes["dispute_kind"] == "neighbour"
    _, _, body = fetch(f"{live_server.url}/open311/v2/requests/{receipt}.json")
    entry = json.loads(body)[0]
    assert entry["status"] == "open" and entry["description"] == "" and entry["lat"] is None
    assert "王某" not in body.decode()


def test_get_one_request_by_id(live_server: Any, api_key: str, stations: dict[str, Any]) -> None:
    _, _, body = fetch(f"{live_server.url}/open311/v2/requests.json", spec_post(api_key))
    receipt = json.loads(body)[0]["service_request_id"]
    status, _, body = fetch(f"{live_server.url}/open311/v2/requests/{receipt}.xml")
    root = ET.fromstring(body)  # noqa: S314
    assert status == 200 and root.findtext("request/service_request_id") == receipt
    assert root.findtext("request/status") == "open"
    assert root.findtext("request/lat") == "25.2001"
    status, _, body = fetch(f"{live_server.url}/open311/v2/requests/E000000000000.json")
    assert status == 404
