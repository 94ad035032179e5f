from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinglang.monitor.models import ReportKind, Source, SourceKind, WatchedAlias, WatchedEntity


def split_aliases(text: str) -> list[str]:
    parts = [p.strip() for chunk in text.splitlines() for p in chunk.replace("，", ",").split(",")]
    return list(dict.fromkeys(p for p in parts if p))


class WatchedEntityForm(forms.ModelForm[WatchedEntity]):
    aliases = forms.CharField(
        label=_("Aliases"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Short names, brands, stock codes; separated by commas or new lines."),
    )

    class Meta:
        model = WatchedEntity
        fields = ["name", "type", "note"]

    def clean_aliases(self) -> list[str]:
        aliases = split_aliases(self.cleaned_data.get("aliases") or "")
        taken = WatchedAlias.objects.filter(alias__in=aliases).values_list("alias", flat=True)
        if taken:
            raise forms.ValidationError(_("Already used by another entity: %(names)s") % {"names": "、".join(taken)})
        return aliases


class AliasForm(forms.Form):
    alias = forms.CharField(label=_("New alias"), max_length=100)

    def clean_alias(self) -> str:
        alias = str(self.cleaned_data["alias"]).strip()
        if WatchedAlias.objects.filter(alias=alias).exists() or WatchedEntity.objects.filter(name=alias).exists():
            raise forms.ValidationError(_("This name is already in the watch list."))
        return alias


class SourceForm(forms.ModelForm[Source]):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(SourceKind.RSS, SourceKind.RSS.label),
                                                       (SourceKind.PAGE, SourceKind.PAGE.label),
                                                       (SourceKind.LIST, SourceKind.LIST.label)])

    class Meta:
        model = Source
        fields = ["name", "kind", "url", "interval_minutes"]

    def clean_url(self) -> str:
        url = str(self.cleaned_data.get("url") or "").strip()
        if not url.startswith(("http://", "https://")):
            raise forms.ValidationError(_("Enter an address that starts with http:// or https://."))
        return url


class ImportForm(forms.Form):
    source = forms.CharField(label=_("Source name"), max_length=100)
    file = forms.FileField(label=_("JSONL or CSV file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".jsonl", ".json", ".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .jsonl or .csv file."))
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    day = forms.DateField(label=_("Up to (exclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

