from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from fusionforum.core.forms import AccessibleFormMixin

from . import services
from .models import TokenScope

REACH_ALL, REACH_CHOSEN = "all", "chosen"


class TokenForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “Badge printer” or “Our "
                                       "website”."))
    scope = forms.ChoiceField(label=_("What it may do"), choices=TokenScope.choices,
                              initial=TokenScope.READ, widget=forms.RadioSelect,
                              help_text=_("Read: what you can see on the site. Read and "
                                          "write: also the actions you can take there."))
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, initial=services.DEFAULT_EXPIRY_DAYS,
        choices=[(days, ngettext_lazy("%(count)d day", "%(count)d days", days)
                  % {"count": days}) for days in services.EXPIRY_CHOICES_DAYS])
    reach = forms.ChoiceField(label=_("Events it may reach"), widget=forms.RadioSelect,
                              initial=REACH_ALL,
                              choices=[(REACH_ALL, _("All the events I can reach")),
                                       (REACH_CHOSEN, _("Only the events chosen below"))])
    events = forms.ModelMultipleChoiceField(label=_("Events"), required=False,
                                            queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = services.event_choices(user)
        self.fields["events"].queryset = choices
        self.fields["events"].label_from_instance = lambda event: event.title
