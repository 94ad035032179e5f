"""``qinglang demo_data``: fictional departments and one user per role, for trying the platform."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
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
        for name in load_module_demos():
            self.stdout.write(f"  + {name}")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready. 登录 / sign in with:"))
        for spec in USERS:
            self.stdout.write(f"  {spec.username:<12} {spec.display_name}")
        self.stdout.write(f"  密码 / password: {options['password']}  (existing users keep theirs)")


def load_module_demos() -> list[str]:
    """Call ``load_demo()`` in every module that has a ``demo`` submodule offering one.

    Modules run after departments and users exist, in INSTALLED_APPS order, and must be
    idempotent like this command. Returns what each reported (its verbose name by default).
    """
    loaded = []
    for config in apps.get_app_configs():
        if not config.name.startswith("qinglang.") or config.label == "org":
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        loader = getattr(module, "load_demo", None)
        if callable(loader):
            summary = loader()
            loaded.append(str(summary or config.verbose_name))
    return loaded
