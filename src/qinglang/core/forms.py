from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from qinglang.audit.services import record
from qinglang.core.net import client_ip
from qinglang.core.throttle import login_blocked


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed sign-in attempts. Please wait 15 minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "")[:150]
        ip = client_ip(self.request)
        if login_blocked(username, ip):
            record("auth.login_throttled", detail={"username": username}, ip=ip)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()
