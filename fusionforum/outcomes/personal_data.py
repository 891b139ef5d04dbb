"""What the outcomes app holds about a person, as the privacy notice tells it."""

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

describe(Category(
    "survey", _("Post-event survey"),
    _("Your organisation's answer to the survey (ratings and comments) and who gave it."),
    _("To measure the workshop's use and publish counts and means in the outcomes report; "
      "comments are read by organisers only."),
    _("With the event's records; the answer belongs to your organisation, not to you."),
    module="outcomes", order=80))
