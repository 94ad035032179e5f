"""``qinglang monitor_process [--partition zh]``: drain pending documents in this process.

The Celery task does the same; this command is for operators (and the crash test)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qinglang.monitor.processing import process_partition


class Command(BaseCommand):
    help = "Analyse pending documents of a partition (one consumer at a time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partition", default="zh")
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        done = process_partition(options["partition"], batch=options["batch"])
        self.stdout.write(f"{done} processed")
