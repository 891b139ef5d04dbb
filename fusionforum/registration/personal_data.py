"""The registration app's part of a person's data download and of forgetting them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from . import services, visa_letters
from .models import Registration, VisaLetter
from .states import ACTIVE

describe(
    Category(
        "registrations", _("Registrations"),
        _("Your registrations: organisation, status and its history, your answers to the "
          "event's questions, whether you appear on the public participant list, your badge "
          "and check-in time."),
        _("To give you a seat, prepare badges and the welcome, and count participants."),
        _("With the event's records; deleting your account cancels active registrations and "
          "drops your answers (the rows stay, without them, so counts add up)."),
        sections=("registrations",), module="registration", order=30),
    Category(
        "visa_letters", _("Visa invitation letters"),
        _("If you ask for one: your name as in your passport, the numbered letters issued "
          "to you (dates, when, superseded or not) and a verification code."),
        _("To invite you for your visa application and let a consulate check the letter."),
        _("With the event's records; deleting your account removes the name and makes the "
          "letters invalid."),
        sections=("registrations",), module="registration", order=31),
)


def _answer_labels(registration) -> dict:
    labels = {str(q.pk): q.label for q in registration.event.questions.all()}
    return {labels.get(key, f"question {key}"): value
            for key, value in registration.answers.items()}


def provide(user) -> dict:
    registrations = (Registration.objects.filter(user=user)
                     .select_related("event", "organisation").prefetch_related("transitions"))
    return {"registrations": [
        {
            "event": r.event.title,
            "event_slug": r.event.slug,
            "organisation": r.organisation.name,
            "status": r.status,
            "submitted_at": r.submitted_at.isoformat(),
            "on_public_participant_list": r.consent_public_list,
            "answers": _answer_labels(r),
            "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
            "passport_name": r.passport_name,
            "visa_letters": [
                {"number": letter.number, "passport_name": letter.passport_name,
                 "issued_at": letter.issued_at.isoformat(),
                 "superseded_at": (letter.superseded_at.isoformat()
                                   if letter.superseded_at else None)}
                for letter in VisaLetter.objects.filter(registration=r).order_by("number")],
            "history": [{"from": t.from_status or None, "to": t.to_status,
                         "at": t.at.isoformat()} for t in r.transitions.all()],
        }
        for r in registrations
    ]}


def anonymise(user) -> None:
    """Give up held seats (they go to the waiting list) and drop answers; the rows stay, so
    the event's counts and the transition log still add up."""
    for registration in Registration.objects.filter(user=user, status__in=ACTIVE):
        services.cancel(registration, by=user, note="Account deleted", notify=False)
    visa_letters.forget(user)
    Registration.objects.filter(user=user).update(answers={}, consent_public_list=False,
                                                  badge_nonce="revoked")
