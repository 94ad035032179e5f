from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from qinglang.eservice.models import Channel, ContactLog, Reminder, RequestType, StationProfile
from qinglang.eservice.privacy import normalise_phone
from qinglang.eservice.services import ensure_request_types, stations
from qinglang.org.models import Department


class PhoneField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        digits = normalise_phone(text)
        if not 7 <= len(digits) <= 12:
            raise forms.ValidationError(
                pgettext_lazy("eservice", "Enter a phone number we can call back, e.g. 13812345678.")
            )
        return digits


class PublicRequestForm(forms.Form):
    """The resident's form: short, mobile-first, no login."""

    request_type = forms.ModelChoiceField(
        RequestType.objects.none(), label=pgettext_lazy("eservice", "What is it about?"), empty_label=None
    )
    description = forms.CharField(
        label=pgettext_lazy("eservice", "Your request"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    place = forms.CharField(label=pgettext_lazy("eservice", "Where (town, village, street)"), max_length=200)
    name = forms.CharField(label=pgettext_lazy("eservice", "Your name"), max_length=60, required=False)
    phone = PhoneField(label=pgettext_lazy("eservice", "Mobile phone"), max_length=20)
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["request_type"].queryset = ensure_request_types()  # type: ignore[attr-defined]


class StaffRequestForm(PublicRequestForm):
    """Staff entry on behalf of a walk-in or phone caller."""

    channel = forms.ChoiceField(
        label=pgettext_lazy("eservice", "Channel"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.WALK_IN, Channel.WALK_IN.label)],
    )
    phone = PhoneField(label=pgettext_lazy("eservice", "Phone"), max_length=20, required=False)
    station = forms.ModelChoiceField(
        Department.objects.none(),
        label=pgettext_lazy("eservice", "Station"),
        required=False,
        help_text=pgettext_lazy("eservice", "Empty: route by place."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations()  # type: ignore[attr-defined]
        del self.fields["website"]


class TrackForm(forms.Form):
    receipt_no = forms.CharField(label=pgettext_lazy("eservice", "Receipt number"), max_length=20)
    phone_last4 = forms.RegexField(
        label=pgettext_lazy("eservice", "Last four digits of your phone"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": pgettext_lazy("eservice", "Enter four digits.")},
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=pgettext_lazy("eservice", "How satisfied are you?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, pgettext_lazy("eservice", "Very satisfied")),
            (4, pgettext_lazy("eservice", "Satisfied")),
            (3, pgettext_lazy("eservice", "Neutral")),
            (2, pgettext_lazy("eservice", "Dissatisfied")),
            (1, pgettext_lazy("eservice", "Very dissatisfied")),
        ],
    )
    comment = forms.CharField(label=pgettext_lazy("eservice", "Comment"), max_length=300, required=False)


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        Department.objects.filter(is_active=True), label=pgettext_lazy("eservice", "Dispatch to")
    )
    note = forms.CharField(label=pgettext_lazy("eservice", "Instructions"), max_length=500, required=False)


class TextForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("eservice", "Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("eservice", "Kind"), choices=ContactLog.Kind.choices)
    note = forms.CharField(
        label=pgettext_lazy("eservice", "Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=pgettext_lazy("eservice", "What the resident said"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rating = forms.TypedChoiceField(
        label=pgettext_lazy("eservice", "Rating given on the call"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), (5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
    )


class ReminderForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("eservice", "Kind"), choices=Reminder.Kind.choices)
    note = forms.CharField(label=pgettext_lazy("eservice", "Note"), max_length=300, required=False)


class MediationSessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=pgettext_lazy("eservice", "Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=pgettext_lazy("eservice", "Place"), max_length=200, required=False)
    participants = forms.CharField(label=pgettext_lazy("eservice", "Participants"), max_length=300)
    notes = forms.CharField(label=pgettext_lazy("eservice", "Notes"), widget=forms.Textarea(attrs={"rows": 3}))


class AgreementForm(forms.Form):
    parties = forms.CharField(label=pgettext_lazy("eservice", "Parties"), max_length=300)
    terms = forms.CharField(label=pgettext_lazy("eservice", "Terms agreed"), widget=forms.Textarea(attrs={"rows": 3}))
    signed_on = forms.DateField(
        label=pgettext_lazy("eservice", "Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class StationProfileForm(forms.ModelForm[StationProfile]):
    """What a station tells residents about itself; the service area also routes requests."""

    class Meta:
        model = StationProfile
        fields = ("service_area", "address", "opening_hours", "phone", "latitude", "longitude")
        widgets = {"service_area": forms.Textarea(attrs={"rows": 5})}


class RequestTypeForm(forms.ModelForm[RequestType]):
    class Meta:
        model = RequestType
        fields = ("name", "code", "description", "time_limit_days", "department", "auto_dispatch", "is_mediation",
                  "concerns_online_harm", "order", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["department"].help_text = pgettext_lazy(
            "eservice", "Where the station dispatches requests of this type. Empty: the station handles them.")
        self.fields["time_limit_days"].help_text = pgettext_lazy(
            "eservice", "Working days from acceptance; 0 means the same day.")
        if self.instance.pk is not None:
            # Open311 clients and the public form know a type by its code: it stays as it is.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = pgettext_lazy("eservice", "The code cannot be changed once in use.")
