"""What the API app holds about a person, as the privacy notice tells it (the provider and the
anonymiser are ``services.token_sections`` and ``services.forget_tokens``)."""

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

describe(Category(
    "api_tokens", _("API tokens"),
    _("Personal API tokens you create (a hash, never the token), their names, events, "
      "expiry and last use."),
    _("To let your own tools use the API on your behalf."),
    _("Until they expire (at most a year) or you revoke them or delete your account."),
    sections=("api_tokens",), order=16))
