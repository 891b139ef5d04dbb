"""What the programme app holds about a person, as the privacy notice tells it."""

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

describe(Category(
    "agenda", _("Your agenda"),
    _("The talks you star, the secret address of your calendar feed, and the sessions you "
      "chair."),
    _("To build your personal agenda and calendar."),
    _("With the event's records; deleting your account deletes them."),
    module="programme", order=45))
