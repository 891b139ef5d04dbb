"""The languages the product speaks: settings.LANGUAGES is the one list.

Model fields that hold a language code validate against it here rather than with `choices`,
so adding a language is a settings line and a catalogue, not a migration.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
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


def language_for(person=None, event=None) -> str:
    """The language to write to ``person`` in (an e-mail, a PDF, a reminder): their saved
    preference, else the event's default language, else the site's."""
    preferred = getattr(person, "preferred_language", "") if person is not None else ""
    if preferred in language_codes():
        return preferred
    if event is not None and event.default_language in language_codes():
        return event.default_language
    return settings.LANGUAGE_CODE


def speaking_to(person=None, event=None):
    """``with speaking_to(user, event):`` renders what is inside in that person's language
    (subject, body, dates), whatever language the request that sent it was in."""
    return translation.override(language_for(person, event))
