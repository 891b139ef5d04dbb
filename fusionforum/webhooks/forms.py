from django import forms
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin

from . import registry


class EndpointForm(AccessibleFormMixin, forms.Form):
    """An endpoint as the organiser types it; the service checks the address (public
    internet only, after resolving it) and says why it refuses one."""

    url = forms.URLField(
        label=_("Address (URL)"), max_length=500, assume_scheme="https",
        help_text=_("Where the messages are posted, e.g. https://crm.example.org/hooks/forum. "
                    "Only public internet addresses; redirects are not followed."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False,
        help_text=_("For you and the other organisers: what receives these messages."))
    event_types = forms.MultipleChoiceField(
        label=_("Event types"), widget=forms.CheckboxSelectMultiple, choices=registry.choices,
        help_text=_("The endpoint receives a message each time one of these happens."))
