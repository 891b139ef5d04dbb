"""The languages the product speaks: settings.LANGUAGES is the one list.

Model fields that hold a language code validate against it here rather than with `choices`,
so adding a language is a settings line and a catalogue, not a migration.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import trans_real

from . import pagecache


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


# The language of a request ---------------------------------------------------------------------
# One rule, in this order: the signed-in person's saved preference, the language cookie (set by
# the switcher), the browser's Accept-Language, the default language of the event the page
# belongs to, the site's LANGUAGE_CODE. Addresses carry no language prefix.

def supported(code: str | None) -> str | None:
    """``code`` (or its generic form: ``fr-CA`` → ``fr``) if the site speaks it, else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def from_preference(request) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return supported(getattr(user, "preferred_language", ""))


def from_cookie(request) -> str | None:
    return supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def from_accept_language(request) -> str | None:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code == "*":
            continue
        found = supported(code)
        if found:
            return found
    return None


def chosen_language(request) -> str | None:
    """The language the visitor asked for (preference, cookie, browser), or None."""
    return from_preference(request) or from_cookie(request) or from_accept_language(request)


def request_language(request, event_language: str | None = None) -> str:
    """The language to answer ``request`` in; ``event_language`` is the default language of
    the event the page belongs to, if any."""
    return (chosen_language(request) or supported(event_language)
            or supported(settings.LANGUAGE_CODE) or settings.LANGUAGE_CODE)


# The default language of an event, by slug, for pages under an event. The events app registers
# the lookup (core may not import it); the answer is cached under the public pages' version
# token, which every save of an event replaces.
_event_language_lookup: Callable[[str], str | None] | None = None
_EVENT_LANGUAGE_KEY = "event-language:"


def register_event_language(lookup: Callable[[str], str | None]) -> None:
    global _event_language_lookup
    _event_language_lookup = lookup


def event_language(slug: str) -> str | None:
    if _event_language_lookup is None or not slug:
        return None
    key = _EVENT_LANGUAGE_KEY + slug[:100]
    found = cache.get_many([pagecache.VERSION_KEY, key])
    version = found.get(pagecache.VERSION_KEY)
    entry = found.get(key)
    if version and entry and entry[0] == version:
        return entry[1]
    try:
        language = _event_language_lookup(slug)
    except DatabaseError:
        # The database is down: the view meets the same error and answers 503 (once).
        return None
    if version:
        cache.set(key, (version, language), 3600)
    return language
