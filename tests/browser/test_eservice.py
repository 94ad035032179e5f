"""E-stations in a real browser: a resident leaves a request on a phone, the town station
dispatches it to the village station, the village replies, the town closes it and the resident
rates it on the status page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qinglang.eservice.models import ServiceRequest, StationProfile, Status
from tests.browser.conftest import ARTIFACTS, GLYPHS_RENDER, sign_in

pytestmark = pytest.mark.browser
ECHARTS = Path(__file__).resolve().parents[2] / "src/qinglang/static/vendor/echarts.min.js"


@pytest.fixture
def stations(org: dict[str, Any]) -> dict[str, Any]:
    StationProfile.objects.create(department=org["town"], service_area="测试镇", address="测试镇政府一楼",
                                  opening_hours="工作日 9:00–17:00")
    StationProfile.objects.create(department=org["village"], service_area="测试村", address="测试村村委会")
    return org


def staff_page(page: Any, live_server: Any, username: str) -> Any:
    """A fresh browser context per person, as each uses their own device."""
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = context.new_page()
    staff.set_default_timeout(15000)
    sign_in(staff, live_server.url, username)
    staff.wait_for_selector("h1")
    return staff


def resident_submits(page: Any, base: str) -> str:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/service/")
    page.wait_for_selector("h1:has-text('向网信通服务e站留言')")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert page.evaluate(GLYPHS_RENDER, "向网信通服务e站留言") is True
    page.select_option("#id_request_type", label="咨询求助")
    page.fill("#id_description", "测试镇中心街的路灯坏了一个星期，晚上出行很不安全，请尽快修理。")
    page.fill("#id_place", "测试镇中心街")
    page.fill("#id_name", "王小明")
    page.fill("#id_phone", "13900004321")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "eservice-form-mobile.png"), full_page=True)
    page.click("button[type=submit].primary")
    receipt = page.locator(".es-receipt-no").inner_text().strip()
    page.screenshot(path=str(ARTIFACTS / "eservice-received-mobile.png"), full_page=True)
    return receipt


def test_form_dispatch_reply_close_and_rating(browser_page: Any, live_server: Any, stations: dict[str, Any]) -> None:
    resident = browser_page
    receipt = resident_submits(resident, live_server.url)
    assert ServiceRequest.objects.get(receipt_no=receipt).station == stations["town"]

    town = staff_page(resident, live_server, "town_staff")
    town.goto(f"{live_server.url}/eservice/")
    if ECHARTS.exists():
        town.wait_for_selector("#es-workload-chart canvas")
    town.screenshot(path=str(ARTIFACTS / "eservice-dashboard.png"), full_page=True)
    town.goto(f"{live_server.url}/eservice/requests/")
    row = town.locator(f"tr:has-text('{receipt}')")
    assert "王*" in row.inner_text() and "139****4321" in row.inner_text()
    row.locator("a").click()
    town.select_option("#id_dispatch-department", label="测试村网信通服务e站")
    town.fill("#id_dispatch-note", "请村e站上门核实")
    town.click("#dispatch-form button")
    town.wait_for_selector("#es-status:has-text('派单')")

    village = staff_page(resident, live_server, "village_staff")
    village.goto(f"{live_server.url}/eservice/requests/{receipt}/")
    village.click("#start")
    village.wait_for_selector("#es-status:has-text('办理')")
    village.click("#reveal")  # htmx swaps in the full name and phone; the reveal is audited
    village.wait_for_selector("#personal [data-field=phone]:has-text('13900004321')")
    village.fill("#id_reply-text", "已联系供电所，路灯已于今天下午修复。")
    village.click("#reply-form button")
    village.wait_for_selector("#es-status:has-text('回复')")
    village.screenshot(path=str(ARTIFACTS / "eservice-request-detail.png"), full_page=True)

    town.reload()
    town.click("#close")
    town.wait_for_selector("#es-status:has-text('办结')")

    resident.goto(f"{live_server.url}/service/track/")
    resident.fill("#id_receipt_no", receipt)
    resident.fill("#id_phone_last4", "4321")
    resident.click("button[type=submit].primary")
    resident.wait_for_selector(".es-reply:has-text('路灯已于今天下午修复')")
    resident.check("input[name=rating][value='5']")
    resident.fill("#id_comment", "修得很快，谢谢！")
    resident.click(".es-rate button[type=submit]")
    resident.wait_for_selector(".es-rating:has-text('5/5')")
    resident.screenshot(path=str(ARTIFACTS / "eservice-track-mobile.png"), full_page=True)

    req = ServiceRequest.objects.get(receipt_no=receipt)
    assert (req.status, req.rating, req.handling_department) == (Status.RATED, 5, stations["village"])
    assert list(req.transitions.values_list("to_status", flat=True)) == [
        "accepted", "dispatched", "in_progress", "replied", "closed", "rated"]


def test_office_sets_a_type_to_dispatch_itself(browser_page: Any, live_server: Any,
                                               stations: dict[str, Any]) -> None:
    """The duty officer gives a new type a department; the next request of that type is
    dispatched to it by the system."""
    duty = staff_page(browser_page, live_server, "duty")
    duty.goto(f"{live_server.url}/eservice/")
    duty.click(".es-actions a[href='/eservice/types/']")
    duty.wait_for_selector("h1:has-text('诉求类型')")
    duty.click("#new-type")
    duty.fill("#id_name", "电信诈骗举报")
    duty.fill("#id_code", "fraud")
    duty.fill("#id_time_limit_days", "1")
    duty.select_option("#id_department", label="测试市公安局网安支队")
    duty.click("#type-form button[type=submit]")
    duty.wait_for_selector("tr:has-text('电信诈骗举报'):has-text('自动派单')")
    duty.screenshot(path=str(ARTIFACTS / "eservice-request-types.png"), full_page=True)

    town = staff_page(browser_page, live_server, "town_staff")
    town.goto(f"{live_server.url}/eservice/requests/new/")
    town.select_option("#id_request_type", label="电信诈骗举报")
    town.fill("#id_description", "来电反映有人冒充客服要求转账")
    town.fill("#id_place", "测试镇中心街")
    town.select_option("#id_channel", value="phone")
    town.click("button[type=submit].primary")
    town.wait_for_selector("#es-status:has-text('派单')")
    assert "自动派单" in town.locator("#history").inner_text()

    town.goto(f"{live_server.url}/eservice/stations/town/edit/")
    town.fill("#id_phone", "0595-7654321")
    town.click("#station-form button[type=submit]")
    town.wait_for_selector(".es-station:has-text('0595-7654321')")
    assert StationProfile.objects.get(department=stations["town"]).phone == "0595-7654321"
