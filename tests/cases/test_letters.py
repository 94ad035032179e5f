"""The takedown notice as a PDF: laid out from the case, downloaded by the departments that see
the case (each download audited), a 404 for anyone else."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from qinglang.audit.models import AuditEntry
from qinglang.cases import letters
from qinglang.cases.models import Case, CaseAction

URLS = ["https://weibo.example.com/p/1", "https://weibo.example.com/p/2"]


def pdf_text(pdf: bytes) -> str:
    """The text drawn in the Chinese CID font: reportlab writes it as UTF-16BE in literal strings
    (octal escapes) inside ASCII85+Flate page streams. No PDF library needed."""
    [cid_font] = re.findall(rb"/BaseFont /STSong-Light .*?/Name /(F\d+)", pdf, re.S)
    streams = re.findall(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", pdf, re.S)
    content = b"".join(zlib.decompress(base64.a85decode(s.strip(), adobe=True)) for s in streams)
    text, font = [], b""
    for name, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
        font = name or font
        if literal and font == cid_font:
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: _unescape(m.group(1)), literal)
            text.append(raw.decode("utf-16-be", errors="replace"))
    return "".join(text)


def _unescape(code: bytes) -> bytes:
    if code[:1].isdigit():
        return bytes([int(code, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(code, code)


def takedown(client: Client, case: Case) -> CaseAction:
    client.post(
        reverse("cases-action", args=[case.pk]),
        {"kind": "takedown", "principal": "清溪爆料君", "principal_kind": "account", "platform": "示例微博",
         "taken_on": "2026-11-20", "urls": "\n".join(URLS)},
    )
    return CaseAction.objects.get(case=case, kind="takedown")


def test_the_letter_is_laid_out_from_the_case(
    make_case: Callable[..., Case], org: dict[str, Any], client: Client
) -> None:
    case = make_case("assigned")
    client.force_login(org["duty"])
    action = takedown(client, case)
    story = [p.text for p in letters.letter_story(case, action) if hasattr(p, "text")]
    assert story[0] == "删除违法信息通知书" and story[1] == f"编号：{case.number}-{action.pk}"
    assert "示例微博：" in story and f"2. {URLS[1]}" in story and f"案件编号：{case.number}" in story
    assert story[-2] == case.department.name


def test_staff_download_the_letter_as_a_pdf_and_it_is_audited(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("assigned", lead="police")
    client.force_login(org["duty"])
    action = takedown(client, case)
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    url = reverse("cases-action-letter", args=[case.pk, action.pk])
    assert url in page

    client.force_login(org["police_liaison"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="takedown-{case.number}-{action.pk}.pdf"'
    assert response.content.startswith(b"%PDF") and b"STSong-Light" in response.content
    text = pdf_text(response.content)
    assert "删除违法信息通知书" in text and "示例微博" in text and "清溪爆料君" in text
    assert str(case.number) in text and all(u in text for u in URLS)
    entry = AuditEntry.objects.get(action="cases.letter_downloaded")
    assert entry.actor == org["police_liaison"] and entry.target_id == str(case.pk)
    assert entry.detail["action_id"] == action.pk and entry.detail["platform"] == "示例微博"


def test_an_outsider_department_gets_404_for_the_letter(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("assigned")
    client.force_login(org["duty"])
    action = takedown(client, case)
    client.force_login(org["outsider"])
    assert client.get(reverse("cases-action-letter", args=[case.pk, action.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="cases.letter_downloaded").exists()


def test_only_takedown_actions_have_a_letter(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("assigned")
    client.force_login(org["duty"])
    client.post(reverse("cases-action", args=[case.pk]),
                {"kind": "warning", "principal": "清溪爆料君", "principal_kind": "account", "taken_on": "2026-11-20",
                 "legal_basis": "《网络安全法》第四十七条"})
    action = CaseAction.objects.get()
    assert client.get(reverse("cases-action-letter", args=[case.pk, action.pk])).status_code == 404
