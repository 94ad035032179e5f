"""``qinglang audit verify``: walk the hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinglang.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log operations. 'verify' checks the whole hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"审计链断裂 / audit chain broken at entry {result.broken_seq}: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整 / audit chain intact: {result.checked} entries verified"))
