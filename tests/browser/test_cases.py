"""Cases in a real browser: a report filed on the public form goes through triage, assignment
to the police and an interview, and the statistics change."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, GLYPHS_RENDER, sign_in

pytestmark = pytest.mark.browser

SAMPLE_CREDIT_CODE = "91350100M000100Y43"  # the standard's sample code


def figure(page: Any, name: str) -> int:
    return int(page.locator(f'[data-figure="{name}"]').inner_text())


def sign_out(page: Any) -> None:
    page.click(".userbox button:has-text('退出')")
    page.wait_for_selector("#id_username")


def file_public_report(page: Any, base: str) -> tuple[str, str]:
    page.set_viewport_size({"width": 390, "height": 844})  # enterprises often report from a phone
    page.goto(f"{base}/report/")
    page.wait_for_selector("h1:has-text('举报涉企网络乱象')")
    page.fill("#id_enterprise_name", "清溪星河科技有限公司")
    page.fill("#id_credit_code", "91350100M000100Y44")  # one character wrong
    page.select_option("#id_category", label="敲诈勒索 · 有偿删帖、索要删稿费公关费")
    page.fill("#id_target_url", "https://weibo.example.com/u/88/p/1")
    page.fill("#id_target_account", "清溪爆料君")
    page.fill("#id_description", "该账号发布星河科技产品致癌的不实消息，随后私信索要五万元删帖费。")
    page.fill("#id_contact_name", "林晓")
    page.fill("#id_contact_phone", "13800000000")
    page.click("button.primary")
    assert "校验位不正确" in page.locator("#field-id_credit_code .errors").inner_text()
    assert page.input_value("#id_target_account") == "清溪爆料君"  # nothing typed is lost
    page.screenshot(path=str(ARTIFACTS / "cases-report-error-mobile.png"), full_page=True)
    page.fill("#id_credit_code", SAMPLE_CREDIT_CODE)
    page.click("button.primary")
    page.wait_for_selector("#receipt-no")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert page.evaluate(GLYPHS_RENDER, "举报已收到回执编号") is True
    page.screenshot(path=str(ARTIFACTS / "cases-receipt-mobile.png"), full_page=True)
    receipt, code = page.inner_text("#receipt-no"), page.inner_text("#verify-code")
    page.set_viewport_size({"width": 1280, "height": 800})
    return receipt, code


def test_report_to_interview_changes_the_statistics(browser_page: Any, live_server: Any, org: dict[str, Any]) -> None:
    page, base = browser_page, live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    receipt, code = file_public_report(page, base)

    sign_in(page, base, "duty")
    page.goto(f"{base}/cases/statistics/")
    assert figure(page, "principals_interviewed") == 0

    # Triage: open a case from the report, then assign it to the police.
    page.goto(f"{base}/cases/reports/")
    page.click(f"a:has-text('{receipt}')")
    page.click("#open-case")
    page.wait_for_selector("#case-status:has-text('已接收')")
    page.select_option("#tr_to_status", "triaged")
    page.fill("#tr_reason", "线索属实，属于有偿删帖")
    page.click("#transition-form button")
    page.wait_for_selector("#case-status:has-text('已研判')")
    page.select_option("#as_lead", label="测试市公安局网安支队")
    page.fill("#as_reason", "涉嫌敲诈勒索，交公安网安牵头")
    page.click("#assign-form button")
    page.wait_for_selector("#case-status:has-text('已交办')")
    case_url = page.url
    sign_out(page)

    # The police liaison investigates and records an interview.
    sign_in(page, base, "police_liaison")
    page.goto(case_url)
    page.select_option("#tr_to_status", "investigating")
    page.fill("#tr_reason", "调取账号注册信息")
    page.click("#transition-form button")
    page.wait_for_selector("#case-status:has-text('调查中')")
    page.select_option("#ac_kind", "interview")
    page.fill("#ac_principal", "清溪爆料君")
    page.fill("#ac_attendees", "账号运营者张某；市网信办、市公安局网安支队各1人")
    page.fill("#ac_minutes", "约谈账号运营者，责令删除不实信息、停止索要删帖费并公开致歉。")
    page.click("#action-form button")
    page.wait_for_selector("#actions li:has-text('约谈')")
    assert "清溪爆料君" in page.inner_text("#actions")
    page.screenshot(path=str(ARTIFACTS / "cases-detail.png"), full_page=True)

    page.goto(f"{base}/cases/statistics/")
    assert figure(page, "principals_interviewed") == 1
    assert figure(page, "principals_sanctioned") == 1 and figure(page, "enforcement_actions") == 1
    page.wait_for_selector('[data-chart="by_action"] canvas')
    page.screenshot(path=str(ARTIFACTS / "cases-statistics.png"), full_page=True)
    sign_out(page)

    # The reporter follows progress with the receipt number and code.
    page.goto(f"{base}/report/status/")
    page.fill("#id_receipt_no", receipt)
    page.fill("#id_code", code)
    page.click("button.primary")
    assert page.inner_text("#lookup-result .status-text") == "已受理，正在办理。"


def test_operations_and_outreach_pages_render(browser_page: Any, live_server: Any, org: dict[str, Any]) -> None:
    from qinglang.cases.demo import OPERATION, load_demo
    from qinglang.org.models import Department

    Department.objects.create(code="market", name="测试市市场监管局", kind="market_regulation")
    assert load_demo().startswith("cases: 3 reports")
    page, base = browser_page, live_server.url
    sign_in(page, base, "duty")
    page.goto(f"{base}/cases/operations/")
    page.click(f"a:has-text('{OPERATION}')")
    page.wait_for_selector("h1:has-text('清朗')")
    assert "清溪爆料君有偿删帖案" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "cases-operation.png"), full_page=True)
    page.goto(f"{base}/cases/outreach/")
    page.click("a:has-text('民营企业网络营商环境座谈会')")
    assert "搜索本企业名称时联想词出现" in page.inner_text("main")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "cases-outreach-mobile.png"), full_page=True)
