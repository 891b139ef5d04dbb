"""The languages the product speaks: settings.LANGUAGES is the one list.

Model fields that hold a language code validate against it here rather than with `choices`,
so adding a language is a settings line and a catalogue, not a migration.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def validate_language_code(value: str) -> None:
    if value and value not in language_codes():
        raise ValidationError(
            _("%(code)s is not one of the site's languages."), code="unknown_language",
            params={"code": value},
        )
