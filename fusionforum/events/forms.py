from django import forms
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.core.languages import language_choices, language_codes
from fusionforum.core.text import validate_multiline
from fusionforum.core.translated_fields import add_translated_fields

from .models import TIME_ZONE_CHOICES, ContactMessage, Module, Notice


class ContactForm(AccessibleFormMixin, forms.ModelForm):
    # A field people do not see; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "organisation", "topic", "message"]
        labels = {"email": _("Your e-mail address"), "name": _("Your name"),
                  "organisation": _("Organisation"), "topic": _("Topic"),
                  "message": _("Message")}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "message": forms.Textarea(attrs={"rows": 8, "maxlength": 5000}),
        }
        help_texts = {"message": _("Up to 5,000 characters.")}

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This field must be left empty."))
        return ""

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError(_("Please write at least a sentence (10 characters)."))
        if len(message) > 5000:
            raise forms.ValidationError(_("Please keep the message under 5,000 characters."))
        return message


class EventDatesForm(AccessibleFormMixin, forms.Form):
    start_date = forms.DateField(label=_("First day"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Last day"),
                               widget=forms.DateInput(attrs={"type": "date"}))


class NewEventForm(EventDatesForm):
    """The guided form to start an event from blank (``services.create_event`` checks it all
    again)."""

    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("In the default language; add the other languages’ "
                                        "titles later."))
    slug = forms.SlugField(
        label=_("Address"), max_length=60,
        help_text=_("Letters, digits and hyphens; part of every public address, e.g. "
                    "fusion-workshop-2027."))
    # The zones' names are IANA identifiers, the same in every language ("zxx": no
    # linguistic content).
    time_zone = forms.ChoiceField(label=_("Time zone"), initial="Europe/Paris",
                                  widget=forms.Select(attrs={"lang": "zxx"}),
                                  help_text=_("Every time on the public site is shown in "
                                              "this zone."))
    venue_name = forms.CharField(label=_("Venue"), max_length=200)
    default_language = forms.ChoiceField(
        label=_("Default language"),
        help_text=_("Pages fall back to it when a visitor’s language has no translation."))
    languages = forms.MultipleChoiceField(
        label=_("Languages offered"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages the event’s own texts will be written in."))
    modules = forms.MultipleChoiceField(
        label=_("Modules"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("The parts of the site this event uses; change them later on the event’s "
                    "page."))

    field_order = ["title", "slug", "start_date", "end_date", "time_zone", "venue_name",
                   "default_language", "languages", "modules"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = TIME_ZONE_CHOICES
        self.fields["default_language"].choices = language_choices()
        self.fields["languages"].choices = language_choices()
        self.fields["modules"].choices = Module.choices
        self.fields["languages"].initial = language_codes()
        self.fields["modules"].initial = list(Module.values)
        self.order_fields(self.field_order)


class ModulesForm(AccessibleFormMixin, forms.Form):
    modules = forms.MultipleChoiceField(
        label=_("Modules"), widget=forms.CheckboxSelectMultiple, required=False,
        choices=Module.choices,
        help_text=_("A module switched off keeps its data; its pages disappear until it is "
                    "switched on again."))


class CreatorForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person’s account"))


class NoticeForm(AccessibleFormMixin, forms.Form):
    """One notice's written part, a Markdown text per language (all optional)."""

    body = forms.CharField(label=_("Text"), required=False, max_length=20000,
                           validators=[validate_multiline],
                           widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("Markdown: headings (##), lists, links, emphasis."))

    def __init__(self, *args, instance=None, default_language=None, **kwargs):
        super().__init__(*args, **kwargs)
        add_translated_fields(self, model=Notice, names=("body",), instance=instance,
                              default_language=default_language)
        for name in self.fields:
            self.fields[name].required = False
