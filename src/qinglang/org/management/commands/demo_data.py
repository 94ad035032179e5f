"""``qinglang demo_data``: fictional departments and one user per role, for trying the platform."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinglang.org.demo import USERS, load_users

DEMO_PASSWORD = "qinglang-demo"  # noqa: S105 - printed on purpose; demo data refuses to load outside DEBUG


class Command(BaseCommand):
    help = "Load demo departments and users (idempotent). Refused outside DEBUG unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEMO_PASSWORD, help="password for newly created demo users")
        parser.add_argument("--force", action="store_true", help="load even when DEBUG is off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo users have a known password; refusing to load them with DEBUG off (use --force).")
        load_users(options["password"])
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready. 登录 / sign in with:"))
        for spec in USERS:
            self.stdout.write(f"  {spec.username:<12} {spec.display_name}")
        self.stdout.write(f"  密码 / password: {options['password']}  (existing users keep theirs)")
