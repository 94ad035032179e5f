"""Captures of a real local website, end to end: every hard case ends with a clear outcome."""

from __future__ import annotations

import gzip
import io
import json
import socket
import ssl
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from qinglang.audit.models import AuditEntry
from qinglang.evidence import services, verify
from qinglang.evidence.models import Capture, CustodyEvent
from tests.evidence.conftest import capture_now
from tests.evidence.site import Site
from tests.evidence.tsa_server import Authority

pytestmark = pytest.mark.usefixtures("evidence_settings")


def files_of(capture: Capture) -> dict[str, bytes]:
    return verify.read_package(capture.package.path)


def warc_records(capture: Capture, raw: bool = False) -> list[Any]:
    stream = io.BytesIO(files_of(capture)["archive/data.warc.gz"])
    records = []
    for record in ArchiveIterator(stream):
        body = record.raw_stream.read() if raw else record.content_stream().read()
        records.append((record.rec_type, record.rec_headers, body))
    return records


def test_chinese_article_is_preserved_with_every_artefact(org: dict[str, Any], site: Site, tsa: Authority) -> None:
    capture = capture_now(org["duty"], f"{site.base}/article", case_reference="清网〔2026〕12号")
    assert capture.status == Capture.Status.DONE and capture.outcome == Capture.Outcome.OK
    assert capture.title.startswith("清溪市新闻") and capture.http_status == 200
    files = files_of(capture)
    assert files["evidence/screenshot.png"].startswith(b"\x89PNG") and files["evidence/page.pdf"].startswith(b"%PDF")
    assert files["evidence/record.pdf"].startswith(b"%PDF")
    assert (
        "网络安全宣传周" in files["evidence/text.txt"].decode() and "<article>" in files["evidence/dom.html"].decode()
    )
    provenance = json.loads(files["evidence/provenance.json"])
    assert provenance["addresses"] == ["127.0.0.1"] and provenance["operator"].startswith("值班员")
    assert provenance["department"] == "测试市委网信办" and provenance["case_reference"] == "清网〔2026〕12号"
    assert provenance["started_local"].endswith("+08:00")
    assert any(name.lower() == "content-encoding" for name, _ in provenance["response_headers"])
    assert capture.timestamped_at is not None and capture.timestamp_authority == tsa.url
    assert len(tsa.requests) == 1


def test_a_server_that_closes_after_the_body_is_captured_whole(org: dict[str, Any], site: Site) -> None:
    # http.client closes a "Connection: close" connection as soon as the response starts; the
    # body that arrives later must still be read (and recorded) from the same socket.
    capture = capture_now(org["duty"], f"{site.base}/old-server")
    assert capture.status == Capture.Status.DONE and capture.outcome == Capture.Outcome.OK, capture.error
    assert "稍后发正文" in files_of(capture)["evidence/text.txt"].decode()
    responses = [body for kind, _, body in warc_records(capture) if kind == "response"]
    assert any("稍后发正文".encode() in body for body in responses)


def dechunk(data: bytes) -> list[bytes]:
    pieces = []
    while True:
        size_line, data = data.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            return pieces
        pieces.append(data[:size])
        data = data[size + 2 :]


def test_warc_holds_every_request_and_response_as_sent(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/article")
    records = warc_records(capture)
    info = [r for r in records if r[0] == "warcinfo"]
    assert len(info) == 1 and b"playwright/" in info[0][2] and b"warcio/" in info[0][2]
    responses = {h.get_header("WARC-Target-URI"): body for kind, h, body in records if kind == "response"}
    requests = [h.get_header("WARC-Target-URI") for kind, h, _ in records if kind == "request"]
    for path in ("/article", "/style.css", "/img/photo.png", "/img/logo.png"):
        assert f"{site.base}{path}" in responses and f"{site.base}{path}" in requests
    assert "网络安全" in responses[f"{site.base}/article"].decode()
    # The article went over the wire gzipped and chunked: the record keeps those bytes as received.
    raw = {
        h.get_header("WARC-Target-URI"): body for kind, h, body in warc_records(capture, raw=True) if kind == "response"
    }
    framed = raw[f"{site.base}/article"]
    size, rest = framed.split(b"\r\n", 1)
    assert int(size, 16) > 0 and rest.startswith(b"\x1f\x8b") and framed.endswith(b"0\r\n\r\n")
    assert "网络安全" in gzip.decompress(b"".join(dechunk(framed))).decode()
    assert all(h.get_header("WARC-IP-Address") == "127.0.0.1" for kind, h, _ in records if kind == "response")


def test_https_page_records_the_certificate_chain(org: dict[str, Any], tmp_path: Path) -> None:
    key, cert = tmp_path / "site.key", tmp_path / "site.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            "/CN=qingxi-news.test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with Site(tls=context) as secure:
        capture = capture_now(org["duty"], f"{secure.base}/article")
    assert capture.outcome == Capture.Outcome.OK and capture.final_url.startswith("https://")
    tls = json.loads(files_of(capture)["evidence/provenance.json"])["tls"]
    # A self-signed site is still preserved; the provenance says its certificate did not verify.
    assert tls["verified"] is False and "self-signed" in tls["verify_error"]
    assert tls["chain_pem"] == [cert.read_text()] and tls["version"].startswith("TLS")


def test_redirect_chain_is_followed_and_recorded(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/redirect/1")
    assert capture.final_url == f"{site.base}/article" and capture.outcome == Capture.Outcome.OK
    provenance = json.loads(files_of(capture)["evidence/provenance.json"])
    assert [(r["url"].removeprefix(site.base), r["status"]) for r in provenance["redirects"]] == [
        ("/redirect/1", 302),
        ("/redirect/2", 301),
        ("/article", 200),
    ]


def test_missing_page_is_preserved_as_proof_of_absence(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/missing")
    assert capture.status == Capture.Status.DONE and capture.outcome == Capture.Outcome.NOT_FOUND
    assert capture.http_status == 404 and "已被删除" in files_of(capture)["evidence/dom.html"].decode()


def test_slow_page_within_the_limit_is_captured(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/slow")
    assert capture.outcome == Capture.Outcome.OK and "终于加载完成" in files_of(capture)["evidence/text.txt"].decode()


def test_huge_page_is_kept_up_to_the_limit_and_marked_truncated(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/huge")
    assert capture.outcome == Capture.Outcome.INCOMPLETE
    assert any("length" in note for note in capture.notes)
    truncated = [h for kind, h, _ in warc_records(capture) if kind == "response" and h.get_header("WARC-Truncated")]
    assert [h.get_header("WARC-Truncated") for h in truncated] == ["length"]


def test_page_that_never_finishes_is_cut_at_the_timeout(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/never")
    assert capture.status == Capture.Status.DONE and capture.outcome == Capture.Outcome.INCOMPLETE
    assert "永远不会加载完成" in files_of(capture)["evidence/dom.html"].decode()
    truncated = [h.get_header("WARC-Truncated") for kind, h, _ in warc_records(capture) if kind == "response"]
    assert truncated == ["time"]


def test_unreachable_site_fails_with_the_reason(org: dict[str, Any]) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    capture = capture_now(org["duty"], f"http://127.0.0.1:{port}/article")
    assert capture.status == Capture.Status.FAILED and capture.outcome == Capture.Outcome.UNREACHABLE
    assert "Connection" in capture.error and not capture.package
    assert capture.custody.last().action == CustodyEvent.Action.FAILED


def test_recapture_compares_changed_unchanged_and_gone(org: dict[str, Any], site: Site) -> None:
    first = capture_now(org["duty"], f"{site.base}/changing")
    second = services.recapture(first, org["duty"])
    services.run_capture(second.pk)
    second.refresh_from_db()
    assert second.previous == first and second.change == Capture.Change.CHANGED
    assert "-第1次访问" in second.change_summary.replace("这是", "") and "+这是第2次访问" in second.change_summary
    same = capture_now(org["duty"], f"{site.base}/article")
    again = capture_now(org["duty"], f"{site.base}/article", previous=same)
    assert again.change == Capture.Change.UNCHANGED
    there = capture_now(org["duty"], f"{site.base}/vanishing")
    gone = capture_now(org["duty"], f"{site.base}/vanishing", previous=there)
    assert (there.change, gone.change) == (Capture.Change.FIRST, Capture.Change.GONE)


def test_scheduled_recapture_is_claimed_once(org: dict[str, Any], site: Site) -> None:
    from datetime import timedelta

    from django.utils import timezone

    first = capture_now(org["duty"], f"{site.base}/changing", recapture_every_hours=6)
    later = timezone.now() + timedelta(hours=7)
    queued = services.due_recaptures(later)
    assert [c.previous for c in queued] == [first]
    assert services.due_recaptures(later) == []  # the first call moved the next time on
    first.refresh_from_db()
    assert first.next_recapture_at > later


def test_a_capture_runs_once_even_if_the_task_is_delivered_twice(org: dict[str, Any], site: Site) -> None:
    capture = services.request_capture(org["duty"], f"{site.base}/slow", "测试", enqueue=False)
    assert services.run_capture(capture.pk) is not None
    assert services.run_capture(capture.pk) is None
    assert list(capture.history.values_list("from_status", "to_status")) == [("queued", "running"), ("running", "done")]
    assert AuditEntry.objects.filter(action="evidence.status", target_id=str(capture.pk)).count() == 2


def test_sealed_capture_cannot_move_again(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/slow")
    with pytest.raises(services.InvalidTransition):
        services.set_status(capture, Capture.Status.QUEUED)


def test_without_a_time_stamping_authority_the_package_says_so(org: dict[str, Any], site: Site, settings: Any) -> None:
    settings.QINGLANG_TSA_URLS = []
    capture = capture_now(org["duty"], f"{site.base}/article")
    files = files_of(capture)
    assert capture.timestamped_at is None and "不含可信时间戳" in files["evidence/no-timestamp.txt"].decode()
    assert not any(name.endswith(".tsr") for name in files)
    report = verify.verify(capture.package.path)
    assert report.ok and any(c.name == "timestamp" and c.warning for c in report.checks)


def test_an_authority_that_is_down_is_reported_not_fatal(org: dict[str, Any], site: Site, settings: Any) -> None:
    settings.QINGLANG_TSA_URLS = ["http://127.0.0.1:9/tsa"]
    capture = capture_now(org["duty"], f"{site.base}/slow")
    assert capture.status == Capture.Status.DONE and capture.timestamped_at is None
    assert "无法连接" in capture.timestamp_errors[0]
    assert "127.0.0.1:9" in files_of(capture)["evidence/no-timestamp.txt"].decode()


def test_capture_refuses_loopback_without_the_test_switch(org: dict[str, Any], site: Site, settings: Any) -> None:
    settings.QINGLANG_ALLOW_PRIVATE_URLS = False
    with pytest.raises(services.netguard.UrlRefused):
        services.request_capture(org["duty"], f"{site.base}/article", "测试", enqueue=False)
    assert not Capture.objects.exists() and site.hits == {}


def test_record_pdf_lists_every_file_and_hash(org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/article")
    files = files_of(capture)
    listed = [f["path"] for f in capture.files]
    assert "evidence/record.pdf" in listed and "archive/data.warc.gz" in listed
    with zipfile.ZipFile(capture.package.path) as archive:
        assert set(archive.namelist()) == {*listed, "datapackage.json", "datapackage-digest.json"}
    pdf = files["evidence/record.pdf"]
    assert b"STSong-Light" in pdf and len(pdf) > 2000
