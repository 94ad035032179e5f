"""Check a package offline, without trusting the platform that made it.

Each check reports what it looked at; any failure makes the package fail. Nothing here imports
Django, so the same code checks a package on a machine that never ran Qinglang.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

from qinglang.evidence import signing, tsa
from qinglang.evidence.package import MANIFEST, sha256


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # passed, but the recipient should know (no timestamp, no trust anchor)


@dataclass(frozen=True)
class Report:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _load_json(files: dict[str, bytes], name: str) -> Any:
    try:
        return json.loads(files[name])
    except (KeyError, ValueError):
        return None


def check_datapackage(files: dict[str, bytes]) -> list[Check]:
    package, digest = _load_json(files, "datapackage.json"), _load_json(files, "datapackage-digest.json")
    if not isinstance(package, dict) or not isinstance(digest, dict):
        return [Check("datapackage", False, "缺少或无法读取 datapackage.json / datapackage-digest.json")]
    checks = [
        Check(
            "datapackage-digest",
            digest.get("hash") == f"sha256:{sha256(files['datapackage.json'])}",
            "datapackage.json 的 SHA-256 与 datapackage-digest.json 一致",
        )
    ]
    listed = {r["path"]: r for r in package.get("resources", [])}
    unlisted = sorted(set(files) - set(listed) - {"datapackage.json", "datapackage-digest.json"})
    missing = sorted(set(listed) - set(files))
    bad = sorted(
        p
        for p, r in listed.items()
        if p in files and (r.get("hash") != f"sha256:{sha256(files[p])}" or r.get("bytes") != len(files[p]))
    )
    problems = (
        [f"未列出: {unlisted}"] * bool(unlisted)
        + [f"缺失: {missing}"] * bool(missing)
        + [f"哈希不符: {bad}"] * bool(bad)
    )
    checks.append(Check("datapackage-resources", not problems, "；".join(problems) or f"{len(listed)} 个文件哈希一致"))
    return checks


def check_manifest(files: dict[str, bytes]) -> list[Check]:
    manifest = _load_json(files, MANIFEST)
    if not isinstance(manifest, dict):
        return [Check("manifest", False, "缺少或无法读取 evidence/manifest.json")]
    bad = [
        e["path"]
        for e in manifest.get("files", [])
        if e["path"] not in files or sha256(files[e["path"]]) != e["sha256"]
    ]
    detail = (
        f"哈希不符或缺失: {bad}"
        if bad
        else f"清单 SHA-256 {sha256(files[MANIFEST])}，{len(manifest['files'])} 个文件一致"
    )
    return [Check("manifest", not bad, detail)]


def check_warc(files: dict[str, bytes]) -> list[Check]:
    warcs = [p for p in files if p.startswith("archive/")]
    if not warcs:
        return [Check("warc", False, "证据包中没有 WARC 文件")]
    checks = []
    for path in warcs:
        count, failures = 0, []
        try:
            for record in ArchiveIterator(io.BytesIO(files[path]), check_digests=True):
                record.content_stream().read()
                count += 1
                if record.digest_checker.passed is False:
                    failures.append(record.rec_headers.get_header("WARC-Record-ID"))
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            failures.append(f"无法读取: {exc}")
        checks.append(
            Check(
                f"warc {path}",
                not failures and count > 0,
                f"摘要不符: {failures}" if failures else f"{count} 条记录的 WARC 摘要全部一致",
            )
        )
    return checks


def check_timestamps(files: dict[str, bytes], trusted: list[bytes]) -> list[Check]:
    tokens = sorted(p for p in files if p.startswith("evidence/manifest") and p.endswith(".tsr"))
    if not tokens:
        note = "本证据包不含可信时间戳" + ("（包内已说明）" if "evidence/no-timestamp.txt" in files else "")
        return [Check("timestamp", True, note, warning=True)]
    digest = hashlib.sha256(files.get(MANIFEST, b"")).digest()
    checks = []
    for path in tokens:
        result = tsa.verify_token(files[path], digest, trusted or None)
        unanchored = result.ok and not result.anchored
        detail = result.detail + ("；未提供时间戳机构证书，仅验证了令牌自带证书" if unanchored else "")
        checks.append(Check(f"timestamp {path}", result.ok, detail, warning=unanchored))
    return checks


def check_signature(files: dict[str, bytes], trusted_signer: bytes | None) -> list[Check]:
    if "evidence/manifest.sig" not in files:
        return [Check("signature", True, "未附单位签名", warning=True)]
    public = files.get("evidence/signer-key.pem", b"")
    ok = bool(public) and signing.verify(files[MANIFEST], files["evidence/manifest.sig"], public)
    if not ok:
        return [Check("signature", False, "单位签名与清单不符")]
    if trusted_signer is None:
        return [Check("signature", True, "签名有效；未提供单位证书，未核对签名者身份", warning=True)]
    same = signing.same_key(public, trusted_signer)
    return [Check("signature", same, "签名有效且与所给单位证书一致" if same else "签名密钥不是所给单位证书的密钥")]


def read_package(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def check_whole(path: Path, expected: str | None) -> list[Check]:
    """The package file against the SHA-256 the recipient was given (custody log, record, letter)."""
    if not expected:
        return []
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    return [Check("package-sha256", actual == expected.lower(), f"证据包 SHA-256 {actual}")]


def verify(
    path: Path,
    *,
    tsa_certs: list[bytes] | None = None,
    signer_cert: bytes | None = None,
    expected_sha256: str | None = None,
) -> Report:
    """Run every check on the package at ``path``; ``tsa_certs`` are DER certificates to trust."""
    whole = check_whole(path, expected_sha256)
    try:
        files = read_package(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        # zipfile raises NotImplementedError for an unknown version or compression method and
        # RuntimeError for encryption: a tampered header can produce either.
        return Report([*whole, Check("zip", False, f"不是有效的 WACZ/ZIP 文件: {exc}")])
    checks = [*whole, Check("zip", True, f"{len(files)} 个文件")]
    for step in (check_datapackage, check_manifest, check_warc):
        checks.extend(step(files))
    checks.extend(check_timestamps(files, tsa_certs or []))
    checks.extend(check_signature(files, signer_cert))
    checks.append(Check("record", "evidence/record.pdf" in files, "电子数据提取笔录 evidence/record.pdf"))
    return Report(checks)
