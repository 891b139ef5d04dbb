"""The e-mails a participant receives, one per change of state that concerns them.

Organisers may rewrite each one. Placeholders are ``{{ name }}`` from a fixed allow-list per
e-mail, filled by plain string substitution from values computed here: no template language
and no ``str.format`` ever runs over organiser text, so a template cannot reach live objects.
The syntax, its checks and the editor's logic are shared with the call's e-mails in
``notifications.placeholders``; this module keeps the registration e-mails, their defaults and
their placeholder values.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fusionforum.core.languages import language_for, speaking_to
from fusionforum.notifications import placeholders

# Still importable from here, as other modules have done: the syntax lives in placeholders.
from fusionforum.notifications.placeholders import ANY_BRACES, PLACEHOLDER, fill  # noqa: F401
from fusionforum.notifications.services import queue_email

COMMON = ("first_name", "full_name", "event_title", "event_dates", "event_venue",
          "organisation", "status", "registration_url")


class EmailKind(placeholders.EmailKind):
    """A registration e-mail: ``COMMON`` plus its ``extra`` placeholders."""

    common = COMMON


KINDS = placeholders.by_key(
    EmailKind(
        "pending", _("Registration received, awaiting approval"),
        _("{{ event_title }}: we received your registration"),
        _("Dear {{ first_name }},\n\nThank you for registering for {{ event_title }} "
          "({{ event_dates }}). The organisers review every registration; you will hear from "
          "us as soon as yours is decided.\n\nYour registration: {{ registration_url }}\n"),
    ),
    EmailKind(
        "confirmed", _("Seat confirmed"),
        _("{{ event_title }}: your seat is confirmed"),
        _("Dear {{ first_name }},\n\nYour seat at {{ event_title }} ({{ event_dates }}, "
          "{{ event_venue }}) is confirmed. Your badge is ready to download: "
          "{{ badge_url }}\n\nYour registration: {{ registration_url }}\n"),
        ("badge_url",),
    ),
    EmailKind(
        "waitlisted", _("On the waiting list"),
        _("{{ event_title }}: you are on the waiting list"),
        _("Dear {{ first_name }},\n\n{{ event_title }} is full for now. You are number "
          "{{ waitlist_position }} on the waiting list. If a seat frees up we will offer it "
          "to you by e-mail.\n\nYour registration: {{ registration_url }}\n"),
        ("waitlist_position",),
    ),
    EmailKind(
        "offered", _("Seat offered from the waiting list"),
        _("{{ event_title }}: a seat is free for you until {{ offer_deadline }}"),
        _("Dear {{ first_name }},\n\nA seat at {{ event_title }} is free and we hold it "
          "for you until {{ offer_deadline }}. Accept it here: {{ registration_url }}\n\n"
          "If you do not accept by then, it goes to the next person on the list.\n"),
        ("offer_deadline",),
    ),
    EmailKind(
        "expired", _("Offer expired"),
        _("{{ event_title }}: the seat offer has expired"),
        _("Dear {{ first_name }},\n\nThe seat we held for you at {{ event_title }} was not "
          "accepted in time and has gone to the next person on the waiting list. You can "
          "register again: {{ registration_url }}\n"),
    ),
    EmailKind(
        "cancelled", _("Registration cancelled"),
        _("{{ event_title }}: your registration is cancelled"),
        _("Dear {{ first_name }},\n\nYour registration for {{ event_title }} is cancelled. "
          "If this is a mistake, register again: {{ registration_url }}\n"),
    ),
    EmailKind(
        "rejected", _("Registration declined"),
        _("{{ event_title }}: your registration"),
        _("Dear {{ first_name }},\n\nWe are sorry: the organisers of {{ event_title }} could "
          "not accept your registration. Reply to this e-mail if you have a question.\n"),
    ),
)


def validate_template(key: str, subject: str, body: str) -> None:
    """Refuse an unknown e-mail, unknown placeholders and anything that looks like template
    code (``placeholders.validate_template`` over this e-mail's allow-list)."""
    placeholders.validate_template(placeholders.kind_for(KINDS, key), subject, body)


def template_for(event, key: str, language: str | None = None) -> tuple[str, str]:
    return templates_for(event, [key], language)[key]


def templates_for(event, keys, language: str | None = None) -> dict[str, tuple[str, str]]:
    """(subject, body) of each of ``keys`` for a reader of ``language`` (the active one if
    None): the organisers' version in that language, else theirs in the event's default
    language, else the default text in ``language``. One query however many keys (a
    submission reads the ones it may send before the seat lock)."""
    from .models import EmailTemplate

    return placeholders.texts_for(EmailTemplate, event, KINDS, keys, language)


def placeholder_values(registration, *, waitlist_position: int | None = None) -> dict[str, str]:
    """The values of every placeholder for ``registration`` as it is now. The waiting-list
    position is counted (one query) unless the caller already knows it."""
    from .services import waitlist_position as count_position

    values = common_values(registration)
    values["status"] = str(registration.get_status_display())
    if waitlist_position is None:
        waitlist_position = count_position(registration)
    values["waitlist_position"] = str(waitlist_position or "")
    return values


def event_dates(event) -> str:
    """"5 to 7 December 2026" in the active language."""
    return gettext("%(start)s to %(end)s") % {
        "start": formats.date_format(event.start_date, "j F"),
        "end": formats.date_format(event.end_date, "j F Y"),
    }


def common_values(registration) -> dict[str, str]:
    """The placeholders that do not depend on the registration's state: they can be worked out
    before the seat lock is taken. In the active language (``speaking_to`` the recipient)."""
    event = registration.event
    user = registration.user
    with timezone.override(event.tz):
        deadline = (formats.date_format(timezone.localtime(registration.offer_expires_at),
                                        "j F Y, H:i") + f" ({event.time_zone})"
                    if registration.offer_expires_at else "")
    full_name = user.full_name or user.email
    return {
        "first_name": full_name.split(" ")[0],
        "full_name": full_name,
        "event_title": event.title,
        "event_dates": event_dates(event),
        "event_venue": event.venue_name,
        "organisation": registration.organisation.name,
        "registration_url": settings.SITE_URL + reverse(
            "registration:mine", kwargs={"slug": event.slug}),
        "badge_url": settings.SITE_URL + reverse(
            "registration:badge", kwargs={"slug": event.slug}),
        "offer_deadline": deadline,
    }


def sample_values(event) -> dict[str, str]:
    """Fictional values for the organisers' preview, in the active language."""
    from .states import Status

    with timezone.override(event.tz):
        deadline = formats.date_format(
            timezone.localtime(timezone.now()).replace(hour=18, minute=0), "j F Y, H:i")
    return {
        "first_name": "Alex", "full_name": "Alex Example", "event_title": event.title,
        "event_dates": event_dates(event),
        "event_venue": event.venue_name,
        "organisation": gettext("Example Fusion Ltd (fictional)"),
        "status": str(Status.CONFIRMED.label),
        "registration_url": f"{settings.SITE_URL}/{event.slug}/registration/",
        "badge_url": f"{settings.SITE_URL}/{event.slug}/registration/badge.pdf",
        "waitlist_position": "4", "offer_deadline": f"{deadline} ({event.time_zone})",
    }


def render(event, key: str, values: dict[str, str],
           template: tuple[str, str] | None = None) -> tuple[str, str]:
    subject, body = template or template_for(event, key)
    return placeholders.render(subject, body, values)


@dataclass
class Prepared:
    """What a submission's e-mail needs, read before the seat lock: the templates it may use
    and the placeholders that do not depend on the outcome, in the recipient's language."""

    templates: dict[str, tuple[str, str]]
    values: dict[str, str]


def prepare(registration, keys) -> Prepared:
    event = registration.event
    with speaking_to(registration.user, event):
        return Prepared(templates_for(event, keys, language_for(registration.user, event)),
                        common_values(registration))


def notify(registration, key: str, *, prepared: Prepared | None = None,
           waitlist_position: int | None = None) -> None:
    """Queue the e-mail for this change of state (sent after the transaction commits), in the
    recipient's language: their version of the text and every value."""
    with speaking_to(registration.user, registration.event):
        subject, body = _subject_and_body(registration, key, prepared, waitlist_position)
    queue_email(
        to=[registration.user.email], subject=subject, body=body,
        reply_to=registration.event.contact_recipients[:1],
        purpose=f"registration-{key}", related=registration,
    )


def _subject_and_body(registration, key: str, prepared: Prepared | None,
                      waitlist_position: int | None) -> tuple[str, str]:
    if prepared is not None:
        values = {**prepared.values, "status": str(registration.get_status_display())}
        if "waitlist_position" in KINDS[key].placeholders:
            if waitlist_position is None:
                from .services import waitlist_position as count_position

                waitlist_position = count_position(registration)
            values["waitlist_position"] = str(waitlist_position or "")
        template = prepared.templates.get(key)
    else:
        values = placeholder_values(registration, waitlist_position=waitlist_position)
        template = None
    return render(registration.event, key, values, template)
