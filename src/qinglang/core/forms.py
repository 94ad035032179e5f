from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Model
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


_M = TypeVar("_M", bound=Model)
_DB_INT = range(-(2**63), 2**63)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[_M]):
    """Django's, except that a key past a database integer is an invalid choice rather than a
    server error: Django checks each submitted key, but its ``pk__in`` lookup overflows on
    SQLite (OverflowError) and PostgreSQL (DataError) before it can say the key is not there."""

    def clean(self, value: Any) -> Any:
        if (self.to_field_name or "pk") == "pk" and isinstance(value, list | tuple):
            for key in value:
                if str(key).lstrip("-").isdigit() and int(str(key)) not in _DB_INT:
                    raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                                params={"value": key})
        return super().clean(value)

