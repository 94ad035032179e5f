"""``qinglang token create USER --name NAME``: issue an API token (shown once)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinglang.audit.services import record
from qinglang.core.models import ApiToken


class Command(BaseCommand):
    help = "Issue or revoke API tokens for machine clients."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", required=True)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "create":
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user named {options['username']!r}.")
            token, raw = ApiToken.issue(user, options["name"])
            record("api_token.issued", target=token, detail={"user": user.username, "name": token.name})
            self.stdout.write(raw)
            return
        count = ApiToken.objects.filter(prefix=options["prefix"], revoked=False).update(revoked=True)
        if not count:
            raise CommandError(f"No active token starts with {options['prefix']!r}.")
        record("api_token.revoked", detail={"prefix": options["prefix"]})
        self.stdout.write(f"revoked {count} token(s)")
