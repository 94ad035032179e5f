"""The public report form: validation, attachments, receipt and look-up, rate limits, duplicates."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qinglang.audit.models import AuditEntry
from qinglang.cases import services
from qinglang.cases.categories import active_categories
from qinglang.cases.models import Report
from tests.cases.conftest import SAMPLE_CREDIT_CODE, report_input

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reporter_kind": "enterprise",
        "enterprise_name": "清溪星河科技有限公司",
        "credit_code": SAMPLE_CREDIT_CODE,
        "category": active_categories().get(code="SMEAR.FALSE_INFO").pk,
        "target_url": "https://video.example.com/v/889?utm_source=share",
        "target_account": "清溪真相哥",
        "platform": "示例视频",
        "description": "该账号发布视频称星河科技即将倒闭、老板跑路，均为捏造。",
        "contact_name": "林晓",
        "contact_phone": "138 0000 0000",
        "contact_email": "",
    }
    data.update(overrides)
    return data


def submit(client: Client, **overrides: Any) -> Any:
    return client.post(reverse("cases-public-report"), form_data(**overrides))


def test_the_form_needs_no_login_and_is_chinese(client: Client, org: dict[str, Any]) -> None:
    page = client.get("/report/").content.decode()
    assert "举报涉企网络乱象" in page and "统一社会信用代码" in page and "捏造虚假信息抹黑企业" in page


def test_a_valid_report_gets_a_receipt_and_can_be_looked_up(client: Client, org: dict[str, Any]) -> None:
    response = submit(client, attachments=SimpleUploadedFile("shot.png", PNG, content_type="image/png"))
    assert response.status_code == 302 and response["Location"] == reverse("cases-public-receipt")
    receipt_page = client.get(response["Location"]).content.decode()
    report = Report.objects.get()
    assert report.receipt_no in receipt_page
    code = receipt_page.split('id="verify-code">')[1].split("<")[0]
    assert len(code) == 6 and report.verify_hash != code  # only the hash is kept
    # The code is shown once: a reload sends the reporter to the look-up page instead.
    assert client.get(reverse("cases-public-receipt")).status_code == 302
    assert report.department == org["office"] and report.state == Report.State.NEW
    assert report.target_key == "video.example.com/v/889" and report.contact_phone == "13800000000"
    assert report.raw["fields"]["description"].startswith("该账号") and report.raw["files"][0]["name"] == "shot.png"
    attachment = report.attachments.get()
    assert attachment.content_type == "image/png" and attachment.size == len(PNG) and len(attachment.sha256) == 64

    found = client.post(reverse("cases-public-lookup"), {"receipt_no": report.receipt_no.lower(), "code": code})
    assert found.status_code == 200 and "已收到，正在核查" in found.content.decode()
    wrong = client.post(reverse("cases-public-lookup"), {"receipt_no": report.receipt_no, "code": "AAAAAA"})
    assert wrong.status_code == 404 and "没有与此回执编号和验证码相符的举报" in wrong.content.decode()
    assert AuditEntry.objects.filter(action="cases.lookup_failed").count() == 1


def test_status_follows_the_case(client: Client, org: dict[str, Any]) -> None:
    report, code = services.submit_report(report_input())
    assert services.public_status(services.lookup_report(report.receipt_no, code)) == "已收到，正在核查。"  # type: ignore[arg-type]
    case = services.open_case(report, org["duty"], title="t")
    report.refresh_from_db()
    assert services.public_status(report) == "已受理，正在办理。"
    services.set_status(case, "rejected", org["duty"], reason="不属于管辖范围", legal_basis="《反不正当竞争法》")
    report.refresh_from_db()
    assert services.public_status(report) == "经核查，该举报不予立案。"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"credit_code": "91350100M000100Y44"}, "credit_code", "校验位不正确"),
        ({"credit_code": ""}, "credit_code", "企业举报请填写统一社会信用代码"),
        ({"enterprise_name": ""}, "enterprise_name", "企业举报请填写企业名称"),
        ({"target_url": "", "target_account": ""}, "target_url", "请至少填写被举报内容的链接或账号名称之一"),
        ({"contact_phone": "12345"}, "contact_phone", "请输入正确的手机号码"),
        ({"description": "太短"}, "description", "至少"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_kept_in_the_form(
    client: Client, org: dict[str, Any], overrides: dict[str, Any], field: str, message: str
) -> None:
    response = submit(client, **overrides)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.split(f'id="field-id_{field}"')[1].split("</div>\n</div>")[0]
    assert "清溪真相哥" in page or field == "target_url"  # what was typed comes back
    assert not Report.objects.exists()


def test_a_citizen_needs_no_credit_code(client: Client, org: dict[str, Any]) -> None:
    assert submit(client, reporter_kind="citizen", enterprise_name="", credit_code="").status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.png", b"MZ\x90\x00" + b"\x00" * 20, "类型不支持"),  # a program named like a picture
        ("big.pdf", b"%PDF-1.7\n" + b"0" * 2048, "超过"),
    ],
)
def test_attachments_are_checked_by_content_and_size(
    client: Client, org: dict[str, Any], settings: Any, name: str, content: bytes, message: str
) -> None:
    settings.CASES_ATTACHMENT_MAX_BYTES = 1024
    response = submit(client, attachments=SimpleUploadedFile(name, content, content_type="image/png"))
    assert response.status_code == 400 and message in response.content.decode()


def test_too_many_attachments(client: Client, org: dict[str, Any], settings: Any) -> None:
    settings.CASES_ATTACHMENT_MAX_FILES = 2
    files = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(3)]
    response = submit(client, attachments=files)
    assert response.status_code == 400 and "附件最多2个" in response.content.decode()


def test_reports_are_rate_limited_per_address_without_losing_the_text(
    client: Client, org: dict[str, Any], settings: Any
) -> None:
    settings.CASES_REPORT_RATE_LIMIT = 2
    for i in range(2):
        assert submit(client, target_url=f"https://e.example.com/{i}").status_code == 302
    response = submit(client, description="第三次举报的内容不会丢失，请稍后再提交。")
    assert response.status_code == 429
    assert "第三次举报的内容不会丢失" in response.content.decode()
    assert Report.objects.count() == 2 and AuditEntry.objects.filter(action="cases.report_throttled").exists()
    other = Client(REMOTE_ADDR="10.0.0.9")
    elsewhere = other.post(reverse("cases-public-report"), form_data(target_url="https://e.example.com/x"))
    assert elsewhere.status_code == 302


def test_wrong_lookups_are_rate_limited(client: Client, org: dict[str, Any], settings: Any) -> None:
    settings.CASES_LOOKUP_RATE_LIMIT = 2
    report, code = services.submit_report(report_input())
    for _ in range(2):
        client.post(reverse("cases-public-lookup"), {"receipt_no": report.receipt_no, "code": "WRONG1"})
    blocked = client.post(reverse("cases-public-lookup"), {"receipt_no": report.receipt_no, "code": code})
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode()


def test_same_target_is_linked_as_a_duplicate_and_follows_the_case(org: dict[str, Any]) -> None:
    first, _ = services.submit_report(report_input(target_url="https://www.Weibo.example.com/u/1/p/2/?utm_medium=x"))
    second, _ = services.submit_report(report_input(target_url="https://weibo.example.com/u/1/p/2#comments"))
    assert second.state == Report.State.DUPLICATE and second.duplicate_of == first
    case = services.open_case(first, org["duty"], title="t")
    second.refresh_from_db()
    assert second.case == case  # linked, not lost
    third, _ = services.submit_report(report_input(target_url="https://weibo.example.com/u/1/p/2"))
    assert third.duplicate_of == first and third.case == case


def test_spam_is_flagged_and_kept(client: Client, org: dict[str, Any]) -> None:
    assert submit(client, website="http://spam.example").status_code == 302
    report = Report.objects.get()
    assert report.state == Report.State.SPAM and "隐藏字段" in report.spam_reason
    flood, _ = services.submit_report(report_input(description="http://a " * 10))
    assert flood.state == Report.State.SPAM and flood.spam_reason == "描述中链接过多"
    # Spam never becomes the "original" that later genuine reports are folded into.
    genuine, _ = services.submit_report(report_input(target_url=flood.target_url))
    assert genuine.state == Report.State.NEW


def test_staff_can_enter_a_lead_and_reading_it_is_audited(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    response = client.post(reverse("cases-report-new"), {
        "source": "estation", "source_ref": "e站诉求 #12", "description": "村民反映有人冒充企业客服诈骗。",
        "target_account": "假冒客服", "category": "",
    })
    report = Report.objects.get()
    assert response["Location"] == reverse("cases-report-detail", args=[report.pk])
    assert report.source == "estation" and report.raw["entered_by"] == org["duty"].pk
    page = client.get(response["Location"]).content.decode()
    assert "e站诉求 #12" in page
    assert AuditEntry.objects.filter(action="cases.report_viewed", target_id=str(report.pk)).exists()


def test_attachment_download_is_audited(client: Client, org: dict[str, Any]) -> None:
    submit(client, attachments=SimpleUploadedFile("shot.png", PNG))
    report = Report.objects.get()
    client.force_login(org["duty"])
    response = client.get(reverse("cases-report-attachment", args=[report.pk, report.attachments.get().pk]))
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="cases.attachment_read").exists()
    client.force_login(org["outsider"])
    assert client.get(reverse("cases-report-attachment", args=[report.pk, 1])).status_code == 404


def test_other_intakes_may_attach_files(org: dict[str, Any]) -> None:
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF")
    report, _ = services.submit_report(report_input(source="staff"), attachments=[upload])
    assert report.attachments.get().sha256 == hashlib.sha256(b"%PDF-1.4\n%%EOF").hexdigest()


def test_a_lead_entered_by_the_police_stays_with_the_police(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["police_liaison"])
    response = client.post(reverse("cases-report-new"), {
        "source": "staff", "description": "接群众电话反映有账号冒充企业客服。", "target_account": "假冒客服",
    })
    report = Report.objects.get()
    assert report.department == org["police"]
    assert client.get(response["Location"]).status_code == 200


def test_an_e_station_request_about_online_harm_arrives_as_a_lead(org: dict[str, Any]) -> None:
    from qinglang.eservice import sensing
    from qinglang.eservice import services as eservice

    eservice.ensure_request_types()
    request = eservice.create_request(eservice.Intake(
        channel="web", description="有人在群里冒充清溪星河科技客服，让村民扫码退款。", place="测试村",
        name="蔡宁", phone="13812345678", station=org["village"],
    ))
    type(request).objects.filter(pk=request.pk).update(harm_categories=["PRIVACY.IMPERSONATION"])
    assert sensing.forward_to_cases(request.pk) is True
    request.refresh_from_db()
    report = Report.objects.get(receipt_no=request.case_reference)
    assert report.source == "estation" and report.source_ref == f"eservice:{request.receipt_no}"
    assert report.category.code == "PRIVACY.IMPERSONATION"  # type: ignore[union-attr]
    assert report.description.startswith("测试村 有人在群里") and report.department == org["office"]
    # Handing the same request over again files nothing new.
    assert services.report_from_eservice(request) == report.receipt_no and Report.objects.count() == 1


def test_other_modules_link_to_a_prefilled_lead_form(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    page = client.get(reverse("cases-report-new"), {"source": "alert", "source_ref": "alert:9",
                                                    "target_url": "https://bbs.example.com/t/9"}).content.decode()
    assert 'value="alert:9"' in page and 'value="https://bbs.example.com/t/9"' in page
    assert '<option value="alert" selected>' in page
