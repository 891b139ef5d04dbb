"""Visa invitation letters: the organisers' settings, issuing a numbered letter to a confirmed
participant who asked for one, its PDF, and the public check a consulate makes.

- **Who**: the letter is for the person whose registration is *confirmed* and who answered yes
  to the event's visa question (``VisaLetterSettings.question``); nobody else, not before.
- **Numbers**: one sequence per event, without gaps. Issuing locks the event's
  ``VisaLetterSettings`` row (``select_for_update``) and takes ``last_number + 1``; the unique
  constraint (event, number) backs it. Asking again with the same facts (passport name, event,
  dates) gives the same letter; changed facts give a new number and mark the old letter
  superseded (``superseded_at``, ``superseded_by``).
- **Signed**: the PDF carries the letter's number and a random verification code; the public
  page ``/<event>/visa-letters/check/`` shows, for a matching number and code, only the name,
  the event, the dates and whether the letter is valid or superseded. No PDF signature library
  is installed (a digital signature would need pyHanko and a certificate the organisers
  manage), so the check is by the number and code.
- **Logged**: every issue, supersession and download is in the audit log (who, when, number,
  for which registration).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from dataclasses import dataclass
from pathlib import Path

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fusionforum.core import audit, clock, ratelimit
from fusionforum.core.languages import language_codes
from fusionforum.core.text import clean_multiline, clean_single_line

from .models import Question, Registration, VisaLetter, VisaLetterSettings
from .states import Status

PLACEHOLDERS = {
    "passport_name": gettext_lazy("the person's name as in their passport"),
    "organisation": gettext_lazy("their organisation"),
    "event": gettext_lazy("the event's title"),
    "venue": gettext_lazy("the venue"),
    "address": gettext_lazy("the venue's address"),
    "first_day": gettext_lazy("the event's first day"),
    "last_day": gettext_lazy("the event's last day"),
}

DEFAULT_TEXT = gettext_lazy(
    "To the consular services concerned,\n\n"
    "We are pleased to invite {passport_name}, of {organisation}, to take part in {event}, "
    "held at {venue}, {address}, from {first_day} to {last_day}.\n\n"
    "The registration of {passport_name} for this event is confirmed. This letter does not "
    "commit the organisers to any cost of travel or stay.\n\n"
    "We would be grateful for any help you can give in issuing the visa needed for this visit."
)

MAX_TEXT = 5000
# While a test switches it off, issuing reads the last number without the lock: the negative
# control of the numbering test proves the race then happens.
_LOCK_NUMBERS = True


class VisaLetterError(Exception):
    """Why a person cannot have a letter now; the message is for them."""


# Reading ---------------------------------------------------------------------------------------


def letter_settings(event) -> VisaLetterSettings | None:
    return VisaLetterSettings.objects.filter(event=event).select_related("question").first()


def asked_for_letter(registration: Registration, settings: VisaLetterSettings | None) -> bool:
    if settings is None or settings.question_id is None:
        return False
    return registration.answers.get(str(settings.question_id)) is True


@dataclass
class Standing:
    """Where a person stands with their letter: ``state`` names it for the page."""

    state: str  # "no_letters" | "not_registered" | "not_confirmed" | "not_asked" | "ready"
    registration: Registration | None = None
    settings: VisaLetterSettings | None = None
    current: VisaLetter | None = None


def standing(event, user) -> Standing:
    settings = letter_settings(event)
    if settings is None or settings.question_id is None:
        return Standing("no_letters")
    registration = (Registration.objects.filter(event=event, user=user)
                    .select_related("organisation", "user").order_by("-submitted_at").first()
                    if user.is_authenticated else None)
    if registration is None:
        return Standing("not_registered", settings=settings)
    if registration.status != Status.CONFIRMED:
        return Standing("not_confirmed", registration, settings)
    if not asked_for_letter(registration, settings):
        return Standing("not_asked", registration, settings)
    current = registration.visa_letters.filter(superseded_at__isnull=True).first()
    return Standing("ready", registration, settings, current)


def default_text(language: str) -> str:
    with translation.override(language):
        return str(DEFAULT_TEXT)


def text_for(settings: VisaLetterSettings, language: str) -> str:
    """The organisers' text in ``language``, else in the event's language, else the default
    text translated into ``language``."""
    texts = settings.texts or {}
    text = texts.get(language) or texts.get(settings.event.default_language)
    return text or default_text(language)


def facts_digest(passport_name: str, event, first_day, last_day) -> str:
    facts = "\x1f".join([passport_name, str(event.pk), event.title, first_day.isoformat(),
                         last_day.isoformat()])
    return hashlib.sha256(facts.encode()).hexdigest()


# Organisers ------------------------------------------------------------------------------------


def validate_text(text: str) -> str:
    text = clean_multiline(text).strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(_("Keep the letter under %(n)s characters.") % {"n": MAX_TEXT})
    try:
        fields = [name for _lit, name, _spec, _conv in string.Formatter().parse(text)
                  if name is not None]
    except ValueError as exc:
        raise ValidationError(
            _("A brace is not closed: write placeholders as {passport_name}.")) from exc
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(_("Unknown placeholder: %(names)s.")
                              % {"names": ", ".join("{" + n + "}" for n in unknown)})
    if "passport_name" not in fields:
        raise ValidationError(_("The letter must name the person: put {passport_name} in it."))
    return text


def save_settings(event, *, by, question: Question | None, signatory_name: str,
                  signatory_title: str = "", texts: dict[str, str]) -> VisaLetterSettings:
    """Create or change the event's letter settings. ``texts``: language -> text; an empty
    text, or the default text itself, drops that language's version (the default is used,
    and follows the default's own corrections)."""
    if not rules.has_perm("registration.manage_visa_letters", by, event):
        raise PermissionDenied(_("Only the event's organisers configure visa letters."))
    errors: dict[str, list] = {}
    if question is not None and (question.event_id != event.pk
                                 or question.kind != Question.Kind.YES_NO):
        errors["question"] = [_("Choose a yes-or-no question of this event.")]
    name = clean_single_line(signatory_name or "").strip()
    if not name:
        errors["signatory_name"] = [_("Name who signs the letters.")]
    title = clean_single_line(signatory_title or "").strip()
    if len(name) > 200 or len(title) > 200:
        errors.setdefault("signatory_name", []).append(_("Keep names under 200 characters."))
    kept = {}
    for language, text in (texts or {}).items():
        if language not in language_codes():
            errors[f"text_{language}"] = [_("Not one of the site's languages.")]
            continue
        if not (text or "").strip():
            continue
        try:
            text = validate_text(text)
        except ValidationError as exc:
            errors[f"text_{language}"] = exc.messages
            continue
        if text != default_text(language).strip():
            kept[language] = text
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        settings, created = VisaLetterSettings.objects.select_for_update().get_or_create(
            event=event, defaults={"signatory_name": name})
        settings.question = question
        settings.signatory_name = name
        settings.signatory_title = title
        settings.texts = kept
        settings.full_clean()
        settings.save()
        audit.record("registration.visa_letters_configured", settings, actor=by,
                     summary=f"Visa letter settings of {event.slug} saved",
                     languages=sorted(kept), question=question.pk if question else None)
    return settings


def issued_letters(event):
    return (VisaLetter.objects.filter(event=event)
            .select_related("registration__user", "issued_by").order_by("-number"))


# Participants ----------------------------------------------------------------------------------


def _check_may_have(registration: Registration, by) -> VisaLetterSettings:
    if by is None or by.pk != registration.user_id:
        raise PermissionDenied(_("A visa letter is only for the person it invites."))
    settings = letter_settings(registration.event)
    if registration.status != Status.CONFIRMED:
        raise VisaLetterError(_("Your letter is available once your registration is confirmed."))
    if not asked_for_letter(registration, settings):
        raise VisaLetterError(_("You did not ask for a visa invitation letter."))
    return settings


def _checked_name(registration: Registration, by, passport_name: str | None) -> str:
    _check_may_have(registration, by)
    if passport_name is None:
        registration.refresh_from_db(fields=["passport_name"])
    name = clean_single_line(passport_name if passport_name is not None
                             else registration.passport_name).strip()
    if not name:
        raise ValidationError({"passport_name": [_("Write your name as in your passport.")]})
    if len(name) > 200:
        raise ValidationError({"passport_name": [_("Keep the name under 200 characters.")]})
    return name


def issue(registration: Registration, *, by, passport_name: str | None = None
          ) -> tuple[VisaLetter, bool]:
    """The person's current letter, issued now if they have none or its facts changed
    (``passport_name`` given, else the one they gave before). Returns (letter, is_new)."""
    name = _checked_name(registration, by, passport_name)
    with transaction.atomic(durable=True):
        return issue_within(registration, by=by, passport_name=name)


def issue_within(registration: Registration, *, by, passport_name: str
                 ) -> tuple[VisaLetter, bool]:
    """``issue`` inside the caller's transaction (the demo's); ``passport_name`` checked."""
    name = passport_name
    event = registration.event
    locked = VisaLetterSettings.objects.filter(event=event)
    settings = (locked.select_for_update() if _LOCK_NUMBERS else locked).get()
    # Read again under the lock: a registration cancelled meanwhile gets no letter.
    registration = (Registration.objects.select_for_update().select_related("event")
                    .get(pk=registration.pk))
    _check_may_have(registration, by)
    digest = facts_digest(name, event, event.start_date, event.end_date)
    current = registration.visa_letters.filter(superseded_at__isnull=True).first()
    if current is not None and current.digest == digest:
        return current, False
    now = clock.now()
    number = settings.last_number + 1
    VisaLetterSettings.objects.filter(pk=settings.pk).update(last_number=number)
    if current is not None:
        VisaLetter.objects.filter(pk=current.pk).update(superseded_at=now)
    letter = VisaLetter.objects.create(
        event=event, registration=registration, number=number, passport_name=name,
        first_day=event.start_date, last_day=event.end_date, digest=digest,
        issued_at=now, issued_by=by)
    if current is not None:
        VisaLetter.objects.filter(pk=current.pk).update(superseded_by=letter)
        audit.record("registration.visa_letter_superseded", current, actor=by,
                     summary=f"Visa letter {current.number} of {event.slug} superseded by "
                             f"{number}", number=current.number, by_number=number,
                     registration=registration.pk)
    if registration.passport_name != name:
        Registration.objects.filter(pk=registration.pk).update(passport_name=name)
        registration.passport_name = name
    audit.record("registration.visa_letter_issued", letter, actor=by,
                 summary=f"Visa letter {number} of {event.slug} issued",
                 number=number, registration=registration.pk)
    return letter, True


def download(registration: Registration, *, by) -> VisaLetter:
    """The letter to download now (issued again if the event's facts changed), logged."""
    name = _checked_name(registration, by, None)
    with transaction.atomic(durable=True):
        letter, _new = issue_within(registration, by=by, passport_name=name)
        audit.record("registration.visa_letter_downloaded", letter, actor=by,
                     summary=f"Visa letter {letter.number} of {registration.event.slug} "
                             f"downloaded", number=letter.number, registration=registration.pk)
    return letter


def forget(user) -> None:
    """The account's deletion: the passport name leaves the registrations and the letters,
    and the letters stop being valid (a consulate's check then says superseded)."""
    now = clock.now()
    Registration.objects.filter(user=user).exclude(passport_name="").update(passport_name="")
    VisaLetter.objects.filter(registration__user=user, superseded_at__isnull=True).update(
        superseded_at=now)
    VisaLetter.objects.filter(registration__user=user).update(passport_name="—")


# The public check ------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


CHECKS_PER_HOUR = 30


class TooManyChecks(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def check(event, number, code: str, *, client: str) -> VisaLetter | None:
    """The public check of a letter, counted per client address (numbers and codes are not
    to be guessed by trying)."""
    decision = ratelimit.hit("visa-check", f"{event.pk}:{client}", limit=CHECKS_PER_HOUR,
                             window=dt.timedelta(hours=1))
    if not decision.allowed:
        raise TooManyChecks(decision.retry_after)
    return verify(event, number, code)


def verify(event, number, code: str) -> VisaLetter | None:
    """The letter with this number and code, or None (the same answer for a wrong number and
    a wrong code)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    if number <= 0 or number > 10**9:
        return None
    letter = VisaLetter.objects.filter(event=event, number=number).first()
    if letter is None or not constant_time_compare(letter.code, normalise_code(code)):
        return None
    return letter


# The PDF ---------------------------------------------------------------------------------------

FONTS = {"font_regular": Path("fusionforum/fonts/DejaVuSans.woff2"),
         "font_bold": Path("fusionforum/fonts/DejaVuSans-Bold.woff2")}


def _font_urls() -> dict[str, str]:
    from django.contrib.staticfiles import finders

    return {name: Path(finders.find(str(path))).as_uri() for name, path in FONTS.items()}


def _fonts_only_fetcher(allowed: set[str]):
    """WeasyPrint reads the two font files and nothing else: no address in the organisers'
    text is ever fetched by the server."""
    from weasyprint.urls import URLFetcher

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"Not fetched while making the PDF: {url[:80]}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols={"file"})


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


def letter_paragraphs(letter: VisaLetter, settings: VisaLetterSettings, language: str
                      ) -> list[str]:
    registration = letter.registration
    event = letter.event
    with translation.override(language):
        values = {
            "passport_name": letter.passport_name,
            "organisation": registration.organisation.name,
            "event": event.title,
            "venue": event.venue_name,
            "address": ", ".join(line.strip() for line in event.venue_address.splitlines()
                                 if line.strip()),
            "first_day": _date(letter.first_day),
            "last_day": _date(letter.last_day),
        }
        text = text_for(settings, language).format_map(values)
    return [part.strip() for part in text.split("\n\n") if part.strip()]


def render_pdf(letter: VisaLetter, *, language: str, check_url: str) -> bytes:
    from weasyprint import HTML

    settings = letter_settings(letter.event)
    fonts = _font_urls()
    with translation.override(language):
        html = render_to_string("registration/visa_letter_pdf.html", {
            "letter": letter, "event": letter.event, "settings": settings,
            "paragraphs": letter_paragraphs(letter, settings, language),
            "issued_on": _date(timezone.localtime(letter.issued_at, letter.event.tz).date()),
            "check_url": check_url,
            "language": language, **fonts,
        })
    document = HTML(string=html, url_fetcher=_fonts_only_fetcher(set(fonts.values())))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
