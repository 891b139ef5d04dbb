from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.models import Organisation
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.text import normalise_newlines
from fusionforum.core.translated_fields import add_translated_fields, translated_values

from .models import Announcement, Audience, ReminderSettings


class AnnouncementForm(AccessibleFormMixin, forms.Form):
    """The audience and the text in each language (the event's language required)."""

    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices,
                                 widget=forms.RadioSelect)
    organisation_kind = forms.ChoiceField(
        label=_("Organisation kind"), required=False,
        choices=[("", _("(only for “one organisation kind”)")), *Organisation.Kind.choices],
        help_text=_("For the audience “confirmed participants of one organisation kind”."))
    subject = forms.CharField(label=_("Subject"), max_length=200, strip=True,
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "spellcheck": "true"}))
    body = forms.CharField(
        label=_("Message"), max_length=10000, strip=False,
        help_text=_("Markdown: **bold**, *italic*, lists with “- ”, links. The e-mail carries "
                    "the text as written; a recipient without a version in their language "
                    "gets the event's language."),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}))
    # The preview's token: sending twice with one token sends once (a hidden text, not a
    # UUIDField, so the text policy can check it like every input).
    token = forms.CharField(widget=forms.HiddenInput, max_length=36)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        add_translated_fields(self, model=Announcement, names=("subject", "body"),
                              default_language=event.default_language)

    def clean_token(self):
        try:
            return uuid.UUID(self.cleaned_data["token"])
        except ValueError:
            raise ValidationError(_("This form is out of date: preview again.")) from None

    def clean(self):
        cleaned = super().clean()
        for name in list(cleaned):
            if name.startswith("body_") and cleaned[name]:
                cleaned[name] = normalise_newlines(cleaned[name])
        if cleaned.get("audience") == Audience.ORGANISATION_KIND \
                and not cleaned.get("organisation_kind"):
            self.add_error("organisation_kind", _("Choose the organisation kind."))
        return cleaned

    def texts(self) -> dict[str, str]:
        return {**translated_values(self, "subject"), **translated_values(self, "body")}


class ReminderSettingsForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = ["site_access_due", "site_access_days", "tour_tomorrow", "meetings_tomorrow",
                  "livestream", "livestream_minutes", "survey"]


class PreferencesForm(AccessibleFormMixin, forms.Form):
    optional = forms.BooleanField(
        label=_("Send me the optional reminders (meetings tomorrow, livestreams, the survey)"),
        required=False)
