"""``qinglang evidence capture URL`` and ``qinglang evidence verify FILE.wacz``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinglang.evidence import netguard, services, verify


def _certificates(paths: list[str]) -> list[bytes]:
    certs = []
    for path in paths:
        for cert in x509.load_pem_x509_certificates(Path(path).read_bytes()):
            certs.append(cert.public_bytes(Encoding.DER))
    return certs


class Command(BaseCommand):
    help = (
        "Evidence: 'capture URL' preserves a page and prints the package path; 'verify FILE' checks a package offline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        capture = sub.add_parser("capture", help="capture a URL now and print the package path")
        capture.add_argument("url")
        capture.add_argument("--reason", default="命令行取证")
        capture.add_argument("--case", default="", help="case reference")
        capture.add_argument("--user", default="", help="capture as this user (their department keeps it)")
        check = sub.add_parser("verify", help="check a .wacz package offline")
        check.add_argument("file")
        check.add_argument("--tsa-cert", action="append", default=[], help="PEM certificate(s) of a trusted TSA")
        check.add_argument("--signer-cert", default="", help="the office's PEM certificate")
        check.add_argument("--sha256", default="", help="the package's SHA-256 as given to you")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "capture":
            self._capture(options)
        else:
            self._verify(options)

    def _capture(self, options: dict[str, Any]) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户 {options['user']!r}")
        try:
            capture = services.request_capture(
                user, options["url"], options["reason"], case_reference=options["case"], enqueue=False
            )
        except netguard.UrlRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"{capture.public_id}: 正在取证 {capture.url}")
        services.run_capture(capture.pk)
        capture.refresh_from_db()
        if not capture.package:
            raise CommandError(f"取证失败 / capture failed ({capture.get_outcome_display()}): {capture.error}")
        self.stderr.write(f"{capture.get_outcome_display()}; SHA-256 {capture.package_sha256}")
        self.stdout.write(capture.package.path)

    def _verify(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        signer = Path(options["signer_cert"]).read_bytes() if options["signer_cert"] else None
        report = verify.verify(
            path,
            tsa_certs=_certificates(options["tsa_cert"]),
            signer_cert=signer,
            expected_sha256=options["sha256"] or None,
        )
        for check in report.checks:
            mark = "FAIL" if not check.ok else ("WARN" if check.warning else "OK")
            line = f"[{mark:4}] {check.name}: {check.detail}"
            self.stdout.write(self.style.ERROR(line) if not check.ok else line)
        if not report.ok:
            raise CommandError("证据包校验未通过 / package verification FAILED")
        self.stdout.write(self.style.SUCCESS("证据包校验通过 / package verified"))
