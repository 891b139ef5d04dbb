from django import forms
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin


class LinkPasswordForm(AccessibleFormMixin, forms.Form):
    """The existing account's password, to prove the person controls it before linking."""

    password = forms.CharField(
        label=_("Password of your Fusion Forum account"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
