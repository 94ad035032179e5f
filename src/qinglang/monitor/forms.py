from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinglang.monitor.analysis import category_choices
from qinglang.monitor.models import (
    AlertRule,
    ReportKind,
    RuleKind,
    Source,
    SourceKind,
    WatchedAlias,
    WatchedEntity,
)


def split_aliases(text: str) -> list[str]:
    parts = [p.strip() for chunk in text.splitlines() for p in chunk.replace("，", ",").split(",")]
    return list(dict.fromkeys(p for p in parts if p))


def _watchable(name: str) -> str:
    """A name or alias the matcher can watch: one character (华, 农) would match in nearly every
    item and bury the watch list's alerts; past 100 the column cannot hold it."""
    name = name.strip()
    if len(name) < 2:
        raise forms.ValidationError(_("“%(name)s” is too short to watch: a single character matches almost "
                                      "every item. Use the full or short name.") % {"name": name})
    if len(name) > 100:
        raise forms.ValidationError(_("“%(name)s…” is longer than 100 characters.") % {"name": name[:20]})
    return name


class WatchedEntityForm(forms.ModelForm[WatchedEntity]):
    aliases = forms.CharField(
        label=_("Aliases"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Short names, brands, stock codes; separated by commas or new lines."),
    )

    class Meta:
        model = WatchedEntity
        fields = ["name", "type", "note"]

    def clean_name(self) -> str:
        return _watchable(str(self.cleaned_data["name"]))

    def clean_aliases(self) -> list[str]:
        aliases = [_watchable(alias) for alias in split_aliases(self.cleaned_data.get("aliases") or "")]
        taken = WatchedAlias.objects.filter(alias__in=aliases).values_list("alias", flat=True)
        if taken:
            raise forms.ValidationError(_("Already used by another entity: %(names)s") % {"names": "、".join(taken)})
        return aliases


class AliasForm(forms.Form):
    alias = forms.CharField(label=_("New alias"), max_length=100)

    def clean_alias(self) -> str:
        alias = _watchable(str(self.cleaned_data["alias"]))
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



# Which field each kind of rule reads (alerts._rule_fires); the others are cleared on save so a
# rule never carries a stale value that would start to matter if its kind changed back.
RULE_FIELDS = {
    RuleKind.ENTITY_NEGATIVE: ("entity", "negativity"),
    RuleKind.CATEGORY: ("category",),
    RuleKind.BURST: ("min_size",),
    RuleKind.KEYWORD: ("keyword",),
}
RULE_BLANK: dict[str, Any] = {"entity": None, "category": "", "keyword": "", "min_size": 0, "negativity": 0.2}


class AlertRuleForm(forms.ModelForm[AlertRule]):
    category = forms.ChoiceField(
        label=_("Harm category"), required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a category of the engine's taxonomy.")},
    )
    negativity = forms.FloatField(
        label=_("Negativity threshold"), min_value=0.0, max_value=1.0, initial=0.2, required=False,
        help_text=_("Fires when a document names the entity with sentiment at or below minus this value (0–1)."),
    )

    class Meta:
        model = AlertRule
        fields = ["name", "kind", "level", "entity", "negativity", "category", "keyword", "min_size", "enabled"]
        labels = {"entity": _("Watched entity")}
        help_texts = {"min_size": _("For an event-size rule: fires once an event has this many documents.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.choices = [("", "—"), *category_choices()]
        entity: Any = self.fields["entity"]
        entity.queryset = WatchedEntity.objects.order_by("-active", "name")

    def clean_name(self) -> str:
        return str(self.cleaned_data["name"]).strip()

    def clean_keyword(self) -> str:
        return str(self.cleaned_data.get("keyword") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == RuleKind.ENTITY_NEGATIVE and not data.get("entity"):
            self.add_error("entity", _("A watched-entity rule needs the entity it watches."))
        elif kind == RuleKind.ENTITY_NEGATIVE and data.get("negativity") is None and "negativity" not in self.errors:
            data["negativity"] = RULE_BLANK["negativity"]
        elif kind == RuleKind.CATEGORY and not data.get("category") and "category" not in self.errors:
            self.add_error("category", _("A category rule needs a harm category."))
        elif kind == RuleKind.BURST and not data.get("min_size"):
            self.add_error("min_size", _("An event-size rule needs a minimum of at least 1 document."))
        elif kind == RuleKind.KEYWORD and not data.get("keyword"):
            self.add_error("keyword", _("A keyword rule needs a keyword."))
        if kind in RULE_FIELDS:
            for name, blank in RULE_BLANK.items():
                if name not in RULE_FIELDS[RuleKind(kind)]:
                    data[name] = blank
        return data
