"""Logins, logouts and failed logins go into the audit chain."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from qinglang.audit.services import record
from qinglang.core.net import client_ip


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record("auth.login", actor=user, target=user, ip=client_ip(request))


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", actor=user, target=user, ip=client_ip(request))


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    record("auth.login_failed", detail={"username": username}, ip=client_ip(request))
