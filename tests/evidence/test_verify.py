"""A package checked the way a court or another department would: with our offline verifier and
with the independent public tools, and a single flipped byte anywhere is caught."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qinglang.evidence import verify
from qinglang.evidence.models import Capture
from tests.evidence.conftest import capture_now
from tests.evidence.site import Site
from tests.evidence.tsa_server import Authority

pytestmark = pytest.mark.usefixtures("evidence_settings")
BIN = Path(sys.executable).parent


@pytest.fixture
def package(org: dict[str, Any], site: Site, tmp_path: Path) -> Path:
    capture = capture_now(org["duty"], f"{site.base}/article")
    assert capture.status == Capture.Status.DONE
    return Path(capture.package.path)


def unpack(package: Path, into: Path) -> Path:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(into)
    return into


def tsa_certs(tsa: Authority) -> list[bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return [x509.load_pem_x509_certificate(tsa.root_pem.read_bytes()).public_bytes(Encoding.DER)]


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def test_our_verifier_passes_every_check(package: Path, tsa: Authority) -> None:
    report = verify.verify(
        package, tsa_certs=tsa_certs(tsa), expected_sha256=hashlib.sha256(package.read_bytes()).hexdigest()
    )
    assert report.ok, [c for c in report.checks if not c.ok]
    names = {c.name for c in report.checks}
    assert {"package-sha256", "datapackage-digest", "datapackage-resources", "manifest", "record"} <= names
    stamp = next(c for c in report.checks if c.name.startswith("timestamp"))
    assert stamp.ok and not stamp.warning and "Qinglang Test TSA" in stamp.detail


def test_timestamp_from_another_authority_is_rejected(package: Path, tmp_path: Path) -> None:
    from tests.evidence.tsa_server import make_authority

    other = tmp_path / "other"
    other.mkdir()
    make_authority(other)
    report = verify.verify(package, tsa_certs=tsa_certs(Authority("", other, [])))
    failed = [c for c in report.checks if not c.ok]
    assert [c.name for c in failed] == ["timestamp evidence/manifest.tsr"] and "不属于" in failed[0].detail


def test_warcio_check_passes(package: Path, tmp_path: Path) -> None:
    folder = unpack(package, tmp_path / "p")
    result = run(BIN / "warcio", "check", "-v", folder / "archive/data.warc.gz")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("digest pass") >= 9 and "fail" not in result.stdout


def test_wacz_validate_passes(package: Path) -> None:
    result = run(BIN / "wacz", "validate", "-f", package)
    assert result.returncode == 0 and "Validation succeeded" in result.stdout, result.stdout + result.stderr


def test_openssl_ts_verify_passes(package: Path, tmp_path: Path, tsa: Authority) -> None:
    folder = unpack(package, tmp_path / "p")
    result = run(
        "openssl",
        "ts",
        "-verify",
        "-in",
        "evidence/manifest.tsr",
        "-data",
        "evidence/manifest.json",
        "-CAfile",
        tsa.root_pem,
        "-untrusted",
        "evidence/tsa-certs.pem",
        cwd=folder,
    )
    assert "Verification: OK" in result.stdout, result.stdout + result.stderr
    # The manifest's SHA-256 is what was stamped, so this works too: openssl with the digest alone.
    digest = hashlib.sha256((folder / "evidence/manifest.json").read_bytes()).hexdigest()
    result = run(
        "openssl",
        "ts",
        "-verify",
        "-in",
        "evidence/manifest.tsr",
        "-digest",
        digest,
        "-CAfile",
        tsa.root_pem,
        "-untrusted",
        "evidence/tsa-certs.pem",
        cwd=folder,
    )
    assert "Verification: OK" in result.stdout, result.stdout + result.stderr


def test_sha256sum_checks_every_file(package: Path, tmp_path: Path) -> None:
    folder = unpack(package, tmp_path / "p")
    result = run("sha256sum", "-c", "evidence/sha256sums.txt", cwd=folder)
    assert result.returncode == 0 and result.stdout.count(": OK") >= 12, result.stdout
    (folder / "evidence/text.txt").write_text("篡改后的文本", encoding="utf-8")
    result = run("sha256sum", "-c", "evidence/sha256sums.txt", cwd=folder)
    assert result.returncode == 1 and "evidence/text.txt: FAILED" in result.stdout


def rewrite(package: Path, target: Path, member: str, offset: int) -> None:
    """Copy ``package`` to ``target`` with one byte of one member flipped (a clean zip otherwise)."""
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = bytearray(source.read(info))
            if info.filename == member:
                data[offset] ^= 0x01
            out.writestr(info, bytes(data))


def test_one_flipped_byte_in_any_file_is_caught(package: Path, tmp_path: Path, tsa: Authority) -> None:
    with zipfile.ZipFile(package) as archive:
        members = [(info.filename, info.file_size) for info in archive.infolist()]
    trusted = tsa_certs(tsa)
    caught = []
    for member, size in members:
        for offset in sorted({0, size // 2, size - 1}):
            tampered = tmp_path / "t.wacz"
            rewrite(package, tampered, member, offset)
            report = verify.verify(tampered, tsa_certs=trusted)
            caught.append((member, offset, report.ok))
    assert [c for c in caught if c[2]] == [], "a flipped byte went unnoticed"
    assert len(caught) >= 3 * 14


def test_one_flipped_byte_anywhere_in_the_file_is_caught(package: Path, tmp_path: Path) -> None:
    data = package.read_bytes()
    expected = hashlib.sha256(data).hexdigest()
    step = max(1, len(data) // 150)
    for offset in range(0, len(data), step):
        tampered = tmp_path / "t.wacz"
        flipped = bytearray(data)
        flipped[offset] ^= 0x80
        tampered.write_bytes(bytes(flipped))
        assert not verify.verify(tampered, expected_sha256=expected).ok, offset


def test_signed_package_verifies_with_openssl(org: dict[str, Any], site: Site, tmp_path: Path, settings: Any) -> None:
    key, cert = tmp_path / "office.key", tmp_path / "office.pem"
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "30",
        "-subj",
        "/CN=测试市委网信办",
        "-utf8",
    )
    settings.QINGLANG_EVIDENCE_SIGNING_KEY, settings.QINGLANG_EVIDENCE_SIGNING_CERT = str(key), str(cert)
    capture = capture_now(org["duty"], f"{site.base}/slow")
    assert capture.signed
    folder = unpack(Path(capture.package.path), tmp_path / "p")
    result = run(
        "openssl",
        "dgst",
        "-sha256",
        "-verify",
        "evidence/signer-key.pem",
        "-signature",
        "evidence/manifest.sig",
        "evidence/manifest.json",
        cwd=folder,
    )
    assert result.stdout.strip() == "Verified OK", result.stderr
    report = verify.verify(Path(capture.package.path), signer_cert=cert.read_bytes())
    assert next(c for c in report.checks if c.name == "signature").detail == "签名有效且与所给单位证书一致"
    other = tmp_path / "other.pem"
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        tmp_path / "o.key",
        "-out",
        other,
        "-days",
        "1",
        "-subj",
        "/CN=other",
    )
    assert not verify.verify(Path(capture.package.path), signer_cert=other.read_bytes()).ok


def test_command_line_capture_prints_the_package_path(org: dict[str, Any], site: Site, capsys: Any) -> None:
    call_command("evidence", "capture", f"{site.base}/article", "--reason", "脚本取证", "--user", "duty")
    path = Path(capsys.readouterr().out.strip())
    assert path.suffix == ".wacz" and path.is_file()
    capture = Capture.objects.get()
    assert capture.reason == "脚本取证" and capture.department == org["office"]


def test_command_line_verify_reports_each_check(package: Path, tmp_path: Path, tsa: Authority, capsys: Any) -> None:
    call_command("evidence", "verify", str(package), "--tsa-cert", str(tsa.root_pem))
    out = capsys.readouterr().out
    assert "[OK  ] datapackage-digest" in out and "[OK  ] timestamp evidence/manifest.tsr" in out
    assert "证据包校验通过" in out
    tampered = tmp_path / "t.wacz"
    rewrite(package, tampered, "evidence/screenshot.png", 100)
    with pytest.raises(CommandError, match="未通过"):
        call_command("evidence", "verify", str(tampered))
    assert "[FAIL] manifest" in capsys.readouterr().out


def test_console_script_verifies_a_received_copy(package: Path, tmp_path: Path) -> None:
    """The console script, in a fresh process, on a copied file."""
    copy = tmp_path / "received.wacz"
    shutil.copy(package, copy)
    result = run(BIN / "qinglang", "evidence", "verify", copy)
    assert result.returncode == 0 and "证据包校验通过" in result.stdout, result.stdout + result.stderr


def test_command_line_refuses_bad_urls(db: None) -> None:
    with pytest.raises(CommandError, match="http"):
        call_command("evidence", "capture", "file:///etc/passwd")


def test_a_header_zipfile_cannot_read_is_reported_not_raised(tmp_path: Path) -> None:
    # A flipped bit in a zip header can name a compression method zipfile does not implement;
    # the verifier must report that as a failed check rather than crash.
    import zipfile

    path = tmp_path / "odd.wacz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", "{}")
    data = bytearray(path.read_bytes())
    for signature, method_offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.index(signature) + method_offset
        data[at : at + 2] = (99).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    report = verify.verify(path)
    assert not report.ok
    assert any(check.name == "zip" and not check.ok for check in report.checks)
