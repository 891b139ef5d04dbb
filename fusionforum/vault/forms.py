"""Forms of the vault. The identity form is built from the event's chosen fields."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from fusionforum.core import clock
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import validate_multiline, validate_single_line

from .fields import CATALOGUE, DOCUMENT_TYPES, OPTIONAL_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if isinstance(value, dt.date) else value


class IdentityForm(AccessibleFormMixin, forms.Form):
    """Validates everything before anything is stored; values come out as strings."""

    def __init__(self, *args, field_keys, last_tour_date: dt.date | None, tz, **kwargs):
        self.last_tour_date = last_tour_date
        self.tz = tz
        super().__init__(*args, **kwargs)
        for key in field_keys:
            spec = CATALOGUE[key]
            required = key not in OPTIONAL_FIELDS
            common = {"label": spec.label, "required": required, "help_text": spec.help}
            if spec.kind == "text":
                field = forms.CharField(max_length=spec.max_length,
                                        validators=[validate_single_line], **common)
                field.widget.attrs["autocomplete"] = "off"
            elif spec.kind == "date":
                field = forms.DateField(widget=DateInput(), input_formats=["%Y-%m-%d"],
                                        **common)
            elif spec.kind == "country":
                field = forms.ChoiceField(choices=[("", "—"), *countries], **common)
            else:
                field = forms.ChoiceField(choices=[("", "—"), *DOCUMENT_TYPES], **common)
            self.fields[key] = field
        self._describe_fields()

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localtime(clock.now(), self.tz).date()
        if born and (born >= today or born < dt.date(1900, 1, 1)):
            raise forms.ValidationError(_("Enter your real date of birth."))
        return born

    def clean_document_expiry(self):
        expiry = self.cleaned_data["document_expiry"]
        if not expiry:
            return expiry
        today = timezone.localtime(clock.now(), self.tz).date()
        if expiry < today:
            raise forms.ValidationError(_("This document has expired: use a valid identity "
                                          "card or passport."))
        if self.last_tour_date and expiry < self.last_tour_date:
            raise forms.ValidationError(_("The document must still be valid on the day of "
                                          "your last tour."))
        return expiry

    def values(self) -> dict[str, str]:
        result = {}
        for key, value in self.cleaned_data.items():
            result[key] = value.isoformat() if isinstance(value, dt.date) else (value or "")
        return result


class VaultSettingsForm(AccessibleFormMixin, forms.Form):
    fields_asked = forms.MultipleChoiceField(
        label=_("Fields asked"), widget=forms.CheckboxSelectMultiple,
        choices=[(key, spec.label) for key, spec in CATALOGUE.items()])
    purge_after_days = forms.IntegerField(
        label=_("Delete the values this many days after the person’s last tour"),
        min_value=0, max_value=365)
    instructions = forms.CharField(label=_("Instructions shown to participants"), required=False,
                                   max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                                   validators=[validate_multiline])


class DecisionForm(AccessibleFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("approve", pgettext_lazy("site-access decision", "Approve")),
                 ("refuse", pgettext_lazy("site-access decision", "Refuse"))])
    reason = forms.CharField(
        label=_("Reason (required for a refusal; shown to the person)"), required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_multiline],
        help_text=_("Never copy identity values into the reason."))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the refusal."))
        return data


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")])
