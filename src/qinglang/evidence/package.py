"""Assemble a capture into one WACZ file that replay tools open and recipients can verify.

Layout (every file one folder deep, as ``wacz validate`` expects)::

    archive/data.warc.gz        every HTTP request and response (WARC 1.1)
    indexes/index.cdx           CDXJ index of the WARC
    pages/pages.jsonl           the captured page, with its extracted text
    evidence/screenshot.png, page.pdf, dom.html, text.txt, provenance.json
    evidence/manifest.json      SHA-256 and size of each file above
    evidence/manifest.tsr       RFC 3161 timestamp on the manifest's SHA-256 (one per authority)
    evidence/no-timestamp.txt   instead, when no authority is configured or none answered
    evidence/manifest.sig, signer-key.pem, signer-cert.pem   the office's signature (optional)
    evidence/record.pdf         电子数据提取笔录/清单
    evidence/sha256sums.txt     for ``sha256sum -c``
    datapackage.json, datapackage-digest.json
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer  # type: ignore[import-untyped]

from qinglang.evidence import signing, tsa

WACZ_VERSION = "1.1.1"
MANIFEST = "evidence/manifest.json"
FORMATS = {
    ".warc.gz": "WARC 1.1 (gzip)",
    ".cdx": "CDXJ",
    ".jsonl": "JSON Lines",
    ".png": "PNG",
    ".pdf": "PDF",
    ".html": "HTML",
    ".txt": "UTF-8 text",
    ".json": "JSON",
    ".tsr": "RFC 3161 TimeStampResp (DER)",
    ".sig": "signature (DER)",
    ".pem": "PEM",
}
NO_TIMESTAMP = (
    "本证据包不含可信时间戳：取证时未配置时间戳服务（QINGLANG_TSA_URLS）或服务未应答。\n"
    "This package carries no trusted timestamp: no time-stamping authority was configured or none answered.\n"
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_format(path: str) -> str:
    return next((label for ext, label in FORMATS.items() if path.endswith(ext)), "binary")


@dataclass(frozen=True)
class Options:
    tsa_urls: list[str]
    tsa_timeout: float = 20.0
    signing_key: str = ""
    signing_cert: str = ""


@dataclass
class Built:
    data: bytes
    sha256: str
    manifest_sha256: str
    stamps: list[tsa.Stamp] = field(default_factory=list)
    timestamp_errors: list[str] = field(default_factory=list)
    signed: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)


def cdxj_index(warc: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        warc_path, index_path = Path(folder, "data.warc.gz"), Path(folder, "index.cdx")
        warc_path.write_bytes(warc)
        CDXJIndexer(output=str(index_path), inputs=[str(warc_path)], sort=True, post_append=True).process_all()
        return index_path.read_bytes()


def pages_jsonl(url: str, moment: datetime, title: str, text: str) -> bytes:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Pages", "hasText": bool(text)}
    page = {"id": "page-1", "url": url, "ts": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "title": title, "text": text}
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in (header, page)).encode() + b"\n"


def manifest(files: dict[str, bytes], about: dict[str, Any], tsa_urls: list[str]) -> bytes:
    entries = [{"path": p, "sha256": sha256(d), "bytes": len(d), "format": file_format(p)} for p, d in files.items()]
    body = {"format": "qinglang-evidence-manifest/1", **about, "files": entries, "time_stamping_authorities": tsa_urls}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _timestamp(built: Built, files: dict[str, bytes], options: Options) -> None:
    digest = bytes.fromhex(built.manifest_sha256)
    for url in options.tsa_urls:
        try:
            built.stamps.append(tsa.stamp(url, digest, options.tsa_timeout))
        except tsa.TimestampError as exc:
            built.timestamp_errors.append(str(exc))
    for number, stamp in enumerate(built.stamps, start=1):
        suffix = "" if number == 1 else f"-{number}"
        files[f"evidence/manifest{suffix}.tsr"] = stamp.response
        pems = [_pem(der) for der in tsa.token_certificates(stamp.response)]
        files[f"evidence/tsa{suffix}-certs.pem"] = b"".join(pems)
    if not built.stamps:
        files["evidence/no-timestamp.txt"] = (
            NO_TIMESTAMP + "".join(f"- {e}\n" for e in built.timestamp_errors)
        ).encode()


def _pem(der: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM)


def _sign(built: Built, files: dict[str, bytes], options: Options) -> None:
    if not options.signing_key:
        return
    result = signing.sign(files[MANIFEST], options.signing_key, options.signing_cert)
    files["evidence/manifest.sig"] = result.signature
    files["evidence/signer-key.pem"] = result.public_key_pem
    if result.certificate_pem:
        files["evidence/signer-cert.pem"] = result.certificate_pem
    built.signed = True


def _datapackage(files: dict[str, bytes], about: dict[str, Any]) -> bytes:
    resources = [
        {"name": Path(p).name.lower().replace("_", "-"), "path": p, "hash": f"sha256:{sha256(d)}", "bytes": len(d)}
        for p, d in files.items()
    ]
    body = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": about["title"],
        "description": about["description"],
        "created": about["created"],
        "modified": about["created"],
        "software": about["software"],
        "mainPageURL": about["url"],
        "mainPageDate": about["created"],
        "resources": resources,
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def _zip(files: dict[str, bytes]) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for path, data in files.items():
                archive.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)
        buffer.seek(0)
        return buffer.read()


RecordBuilder = Callable[[Built, dict[str, bytes]], bytes]


def build(files: dict[str, bytes], about: dict[str, Any], options: Options, record: RecordBuilder) -> Built:
    """``files`` holds the artefacts; ``about`` the capture's description; ``record`` draws the PDF."""
    files = dict(files)
    files[MANIFEST] = manifest(files, about, options.tsa_urls)
    built = Built(data=b"", sha256="", manifest_sha256=sha256(files[MANIFEST]))
    _timestamp(built, files, options)
    _sign(built, files, options)
    built.files = [
        {"path": p, "sha256": sha256(d), "bytes": len(d), "format": file_format(p)} for p, d in files.items()
    ]
    files["evidence/record.pdf"] = record(built, files)
    sums = "".join(f"{sha256(d)}  {p}\n" for p, d in files.items())
    files["evidence/sha256sums.txt"] = sums.encode()
    built.files = [
        {"path": p, "sha256": sha256(d), "bytes": len(d), "format": file_format(p)} for p, d in files.items()
    ]
    package_json = _datapackage(files, about)
    digest = {"path": "datapackage.json", "hash": f"sha256:{sha256(package_json)}"}
    files["datapackage.json"] = package_json
    files["datapackage-digest.json"] = json.dumps(digest, indent=2).encode()
    built.data = _zip(files)
    built.sha256 = sha256(built.data)
    return built
