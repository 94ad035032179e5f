from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinglang.evidence import netguard, services
from qinglang.org.models import Department


class CaptureForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"}))
    reason = forms.CharField(label=_("Reason for capture"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    case_reference = forms.CharField(label=_("Case reference"), max_length=100, required=False)
    source = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)
    recapture_every_hours = forms.IntegerField(
        label=_("Re-capture every (hours)"),
        min_value=1,
        max_value=24 * 30,
        required=False,
        help_text=_("Leave empty for a single capture."),
    )

    def clean_url(self) -> str:
        try:
            return services.check_url(self.cleaned_data["url"])
        except netguard.UrlRefused as exc:
            raise forms.ValidationError(str(exc)) from exc


class BatchForm(forms.Form):
    urls = forms.CharField(label=_("URLs, one per line"), strip=False, widget=forms.Textarea(attrs={"rows": 8}))
    reason = forms.CharField(label=_("Reason for capture"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    case_reference = forms.CharField(label=_("Case reference"), max_length=100, required=False)

    def clean_urls(self) -> str:
        text: str = self.cleaned_data["urls"]
        lines = services.split_urls(text)
        if len(lines) > services.MAX_BATCH:
            raise forms.ValidationError(_("At most %(n)d URLs at a time.") % {"n": services.MAX_BATCH})
        return text


class ShareForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Share with"), queryset=Department.objects.none())

    def __init__(self, *args: Any, exclude: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["department"]
        field.queryset = Department.objects.filter(is_active=True).exclude(pk__in=exclude or [])
