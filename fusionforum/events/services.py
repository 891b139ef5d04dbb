"""Business rules of the public event site. Views call these; so do the admin, tests and
management commands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from fusionforum.core import audit, clock, ratelimit
from fusionforum.core.languages import language_codes, speaking_to
from fusionforum.core.text import normalise_newlines, validate_multiline, validate_single_line
from fusionforum.notifications.services import queue_email

from .models import ContactMessage, Event, StreamState


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many messages; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def current_event() -> Event | None:
    """The edition the site's front door leads to: the next or running one, else the latest."""
    today = clock.now().date()
    upcoming = Event.objects.published().filter(end_date__gte=today).order_by("start_date")
    return upcoming.first() or Event.objects.published().order_by("-start_date").first()


def public_event(slug: str, user, *, select_related: tuple[str, ...] = ()) -> Event:
    """The event a visitor may see (404 otherwise); ``select_related`` loads related rows in
    the same query (e.g. the registration settings for the registration pages)."""
    events = Event.objects.select_related(*select_related) if select_related else Event.objects
    event = events.filter(slug=slug).first()
    if event is None or not user.has_perm("events.view_public_event", event):
        raise Http404("No such event.")
    return event


def export_language(event: Event, requested: str | None) -> str:
    """The language of an export (iCalendar, JSON): ``?lang=`` when it names one of the site's
    languages, else the event's default language, whatever the visitor's language."""
    if requested in language_codes():
        return requested
    return event.default_language


@dataclass(frozen=True)
class PublicStream:
    """What the public may know of a stream at one moment. ``url`` is empty before go-live."""

    id: int
    label: str
    day_label: str
    state: StreamState
    visible_from: dt.datetime
    visible_until: dt.datetime | None
    url: str

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "day": self.day_label or None,
            "state": self.state.value,
            "visible_from": self.visible_from.isoformat(),
            "visible_until": self.visible_until.isoformat() if self.visible_until else None,
            "url": self.url or None,
        }


def public_streams(event: Event, now: dt.datetime) -> tuple[list[PublicStream], dt.datetime | None]:
    """The streams as the public may see them at ``now`` and the next moment that changes."""
    streams = []
    next_change = None
    for stream in event.streams.select_related("day"):
        event_tz = event.tz
        streams.append(
            PublicStream(
                id=stream.pk,
                label=stream.label,
                day_label=stream.day.label if stream.day else "",
                state=stream.state_at(now),
                visible_from=stream.visible_from.astimezone(event_tz),
                visible_until=stream.visible_until.astimezone(event_tz)
                if stream.visible_until else None,
                url=stream.public_url_at(now),
            )
        )
        change = stream.next_change_after(now)
        if change is not None and (next_change is None or change < next_change):
            next_change = change
    return streams, next_change


def check_contact_rate(event: Event, client: str) -> None:
    """Count one contact-form attempt from ``client``; raise RateLimited past the limit."""
    decision = ratelimit.hit(
        "contact", f"{event.pk}:{client}", limit=settings.CONTACT_RATE_LIMIT,
        window=dt.timedelta(hours=1),
    )
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


@transaction.atomic
def receive_contact_message(event: Event, *, name: str, email: str, organisation: str,
                            topic: str, message: str) -> ContactMessage:
    """Store a message to the organisers and queue its e-mail, both or neither. Every field
    goes through the input policy (``core.text``): a name or organisation with a line break
    would otherwise write lines of its own into the organisers' e-mail."""
    errors = {}
    for field, value, check in (("name", name, validate_single_line),
                                ("organisation", organisation, validate_single_line),
                                ("message", message, validate_multiline)):
        try:
            check(value)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    message = normalise_newlines(message)
    contact = ContactMessage(
        event=event, name=name, email=email, organisation=organisation, topic=topic,
        message=message, received_at=clock.now(),
    )
    contact.full_clean()
    contact.save()
    # The organisers are written to in the event's default language (the addresses are a
    # list, not accounts with a preference), whatever language the sender used.
    with speaking_to(None, event):
        subject = _("[%(event)s] %(topic)s: message from %(name)s") % {
            "event": event.title, "topic": contact.get_topic_display(), "name": name}
        body = _render_in_event_time(
            event, "events/email/contact_message.txt", {"event": event, "contact": contact}
        )
    queue_email(
        to=event.contact_recipients,
        subject=subject,
        body=body,
        reply_to=[email],
        purpose="contact-message",
        related=contact,
    )
    audit.record("contact.received", contact, summary=f"Topic {topic}")
    return contact


@transaction.atomic
def mark_contact_message(contact: ContactMessage, status: str, *, by) -> ContactMessage:
    if not by.has_perm("events.change_contactmessage", contact.event):
        raise PermissionDenied(_("Only the event’s organisers handle its messages."))
    if status not in ContactMessage.Status.values:
        raise ValueError(f"Unknown status {status!r}.")
    previous = contact.status
    contact.status = status
    contact.handled_by = by if status != ContactMessage.Status.NEW else None
    contact.handled_at = clock.now() if status != ContactMessage.Status.NEW else None
    contact.save(update_fields=["status", "handled_by", "handled_at"])
    audit.record("contact.status", contact, actor=by, summary=f"{previous} → {status}")
    return contact


def _render_in_event_time(event: Event, template: str, context: dict) -> str:
    with timezone.override(event.tz):
        return render_to_string(template, context)


def extend_dates(event: Event, *, start_date: dt.date, end_date: dt.date, by,
                 system: bool = False) -> Event:
    """Widen ``event``'s dates to ``start_date``–``end_date`` (used by a programme import whose
    file has more days than the event). Only ever adds days: nothing on the event's existing
    days can stop fitting, so there is nothing to warn about. Organisers of the event only."""
    if by is None or not by.has_perm("events.change_event", event):
        raise PermissionDenied(_("Only the event's organisers can change its dates."))
    if start_date > event.start_date or end_date < event.end_date:
        raise ValidationError(_("This change would remove days from the event; change the "
                                "event's dates on its settings page instead."))
    if (start_date, end_date) == (event.start_date, event.end_date):
        return event
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        before = (locked.start_date.isoformat(), locked.end_date.isoformat())
        locked.start_date, locked.end_date = start_date, end_date
        locked.full_clean()
        locked.save(update_fields=["start_date", "end_date", "updated_at"])
        audit.record("event.dates_extended", locked, actor=by,
                     summary=f"Dates extended from {before[0]}–{before[1]} to "
                             f"{start_date.isoformat()}–{end_date.isoformat()}",
                     before=list(before), after=[start_date.isoformat(), end_date.isoformat()])
    event.start_date, event.end_date = start_date, end_date
    return event
