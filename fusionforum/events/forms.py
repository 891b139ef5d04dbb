from django import forms
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin

from .models import ContactMessage


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
