"""``qinglang open311_client NAME``: issue an Open311 API key (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qinglang.eservice.open311 import issue_client


class Command(BaseCommand):
    help = "Issue an API key for an Open311 client (shown once; only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="who the key is for, e.g. the app's name")

    def handle(self, *args: Any, **options: Any) -> None:
        client, key = issue_client(options["name"])
        self.stdout.write(f"{client.name}: {key}")
