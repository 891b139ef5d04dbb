"""The automatic reminders: what each one says, who gets it when, and the job that sends them.

Five kinds, each switched on per event (``ReminderSettings``) and with texts organisers may
rewrite per language (``ReminderTemplate``, the ``{{ placeholder }}`` editor of
``notifications.placeholders``):

- site-access data due: seat holders without site-access data, from N days before their
  deadline (the vault's registry: earliest run's start minus the tour's lead time) until it;
- tour tomorrow: holders of a seat on a run, from 08:00 (event time) the day before until the
  run starts; meeting point, time and what to bring;
- meetings tomorrow: the attendees and experts of the latest published meetings version, from
  08:00 the day before the meetings day until it starts;
- livestream starting: confirmed participants, from the set minutes before a stream goes live
  until it does;
- survey: confirmed participants whose organisation has not answered, from 09:00 the day after
  the event for 14 days.

``run_due`` is the job: for every event with a reminder switched on it finds who is due and,
for each, writes a ``ReminderSent`` row and queues the e-mail in one transaction; the row's
unique constraint (kind, occasion, address) makes a second run, or two runs at once, send
nothing more. ``manage.py send_reminders`` runs it (from cron, or with ``--every`` beside the
worker, as ``scripts/serve.sh`` does).

Essential reminders (site-access data, tour tomorrow) cannot be switched off by the
recipient: missing data or a missed meeting point costs the person their seat and the host a
security slot. The others carry a signed link that stops them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fusionforum.core import clock
from fusionforum.core.languages import language_for, speaking_to
from fusionforum.events.models import Event, StreamLink
from fusionforum.meetings import publishing
from fusionforum.meetings.models import MeetingRelease
from fusionforum.notifications import placeholders
from fusionforum.notifications.services import queue_email
from fusionforum.outcomes.models import SurveyResponse
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status
from fusionforum.vault import registry as vault_registry
from fusionforum.vault import services as vault_services
from fusionforum.visits.models import Seat, TourRun
from fusionforum.visits.states import SeatStatus

from . import audiences
from .models import OptOut, ReminderKind, ReminderSent, ReminderSettings, ReminderTemplate

logger = logging.getLogger(__name__)

COMMON = ("first_name", "full_name", "event_title", "event_url")
K = ReminderKind
ESSENTIAL = frozenset({K.SITE_ACCESS_DUE, K.TOUR_TOMORROW})
SURVEY_DAYS = 14
DAY_BEFORE_HOUR = 8
SURVEY_HOUR = 9


class EmailKind(placeholders.EmailKind):
    common = COMMON


KINDS = placeholders.by_key(
    EmailKind(
        K.SITE_ACCESS_DUE, _("Site-access data due"),
        _("{{ event_title }}: your site-access data is due by {{ deadline }}"),
        _("Dear {{ first_name }},\n\nYou hold a seat on a site tour of {{ event_title }}. "
          "The security office needs your site-access data by {{ deadline }}; without it "
          "you cannot join the tour.\n\nGive it here: {{ site_access_url }}\n"),
        ("deadline", "site_access_url"),
    ),
    EmailKind(
        K.TOUR_TOMORROW, _("Tour tomorrow"),
        _("{{ event_title }}: your tour tomorrow, {{ tour_start }}"),
        _("Dear {{ first_name }},\n\nTomorrow you visit {{ tour_name }}.\n\n"
          "When: {{ tour_start }}\nMeeting point: {{ meeting_point }}\n"
          "What to bring: {{ what_to_bring }}\n\nPlease be at the meeting point ten minutes "
          "early. Your tours: {{ tours_url }}\n"),
        ("tour_name", "tour_start", "meeting_point", "what_to_bring", "tours_url"),
    ),
    EmailKind(
        K.MEETINGS_TOMORROW, _("Meetings tomorrow"),
        _("{{ event_title }}: your meetings tomorrow"),
        _("Dear {{ first_name }},\n\nYour meetings on {{ meetings_date }}:\n\n{{ meetings }}\n\n"
          "Your agenda: {{ meetings_url }}\n"),
        ("meetings_date", "meetings", "meetings_url"),
    ),
    EmailKind(
        K.LIVESTREAM, _("Livestream starting"),
        _("{{ event_title }}: “{{ stream_label }}” starts at {{ stream_start }}"),
        _("Dear {{ first_name }},\n\nThe livestream “{{ stream_label }}” starts at "
          "{{ stream_start }}. Watch it here: {{ livestream_url }}\n"),
        ("stream_label", "stream_start", "livestream_url"),
    ),
    EmailKind(
        K.SURVEY, _("Survey after the event"),
        _("{{ event_title }}: two minutes for the survey?"),
        _("Dear {{ first_name }},\n\nThank you for taking part in {{ event_title }}. Tell us "
          "how useful it was for your organisation: the survey takes two minutes.\n\n"
          "{{ survey_url }}\n"),
        ("survey_url",),
    ),
)


def _url(name: str, event, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"slug": event.slug, **kwargs})


def _moment(moment: dt.datetime, event, fmt: str = "l j F Y, H:i") -> str:
    return formats.date_format(timezone.localtime(moment, event.tz), fmt)


def sample_values(event, key: str) -> dict[str, str]:
    """Fictional values for the organisers' preview, in the active language."""
    start = clock.now() + dt.timedelta(days=1)
    return {
        "first_name": "Alex", "full_name": "Alex Example", "event_title": str(event.title),
        "event_url": _url("events:home", event),
        "deadline": _moment(start, event), "site_access_url": _url("vault:status", event),
        "tour_name": gettext("Example tokamak hall (fictional)"),
        "tour_start": _moment(start, event), "meeting_point": gettext("Main entrance"),
        "what_to_bring": gettext("closed shoes; your identity document"),
        "tours_url": _url("visits:home", event),
        "meetings_date": formats.date_format(start.date(), "l j F Y"),
        "meetings": "- " + gettext("10:00–10:25, table 4: Example Fusion Ltd (fictional)"),
        "meetings_url": _url("meetings:home", event),
        "stream_label": gettext("Opening plenary"), "stream_start": _moment(start, event),
        "livestream_url": _url("events:livestream", event),
        "survey_url": _url("outcomes:survey", event),
    }


def template_for(event, key: str, language: str | None = None) -> tuple[str, str]:
    return placeholders.texts_for(ReminderTemplate, event, KINDS, [key], language)[key]


# Opting out ----------------------------------------------------------------------------------

OPT_OUT_SALT = "announcements.opt-out"


def opt_out_token(event, address: str) -> str:
    return signing.dumps({"e": event.pk, "a": address.strip().lower()}, salt=OPT_OUT_SALT,
                         compress=True)


def read_opt_out_token(token: str) -> tuple[int, str] | None:
    """(event id, address) of a link made by ``opt_out_token``, or None if it was not."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), int) \
            or not isinstance(data.get("a"), str):
        return None
    return data["e"], data["a"]


def opt_out_url(event, address: str) -> str:
    return settings.SITE_URL + reverse("reminders:opt_out", kwargs={
        "slug": event.slug, "token": opt_out_token(event, address)})


# Who is due ----------------------------------------------------------------------------------

@dataclass
class Due:
    """One reminder to send: kind, occasion (unique per address), the recipient and the
    values of the kind's own placeholders (computed in the recipient's language)."""

    kind: str
    occasion: str
    recipient: audiences.Recipient
    values: Callable[[], dict[str, str]] = field(default=lambda: {})


def _day_before(day: dt.date, event, hour: int) -> dt.datetime:
    return dt.datetime.combine(day - dt.timedelta(days=1), dt.time(hour), tzinfo=event.tz)


def _what_to_bring(run: TourRun) -> str:
    items = []
    if run.tour.closed_shoes:
        items.append(gettext("closed shoes"))
    if run.tour.protective_equipment:
        items.append(run.tour.protective_equipment)
    items.append(gettext("the identity document you gave for site access"))
    return "; ".join(items)


def due_site_access(event, now, reminder_settings) -> Iterator[Due]:
    lead = dt.timedelta(days=reminder_settings.site_access_days)
    statuses = vault_services.statuses(event)
    for holder in vault_registry.seat_holders(event).values():
        if statuses.get(holder.user.pk) != vault_services.MISSING:
            continue
        if not (holder.clearance_due - lead <= now < holder.clearance_due):
            continue
        for recipient in audiences._people([holder.user]):
            deadline = holder.clearance_due
            yield Due(K.SITE_ACCESS_DUE, f"deadline-{deadline:%Y%m%dT%H%M}", recipient,
                      lambda deadline=deadline: {
                          "deadline": _moment(deadline, event),
                          "site_access_url": _url("vault:status", event)})


def due_tours(event, now) -> Iterator[Due]:
    runs = TourRun.objects.filter(tour__event=event, start__gt=now,
                                  start__lte=now + dt.timedelta(days=2)).select_related("tour")
    for run in runs:
        local_day = timezone.localtime(run.start, event.tz).date()
        if now < _day_before(local_day, event, DAY_BEFORE_HOUR):
            continue
        seats = Seat.objects.filter(run=run, status=SeatStatus.HELD).select_related("user")
        for recipient in audiences._people(seat.user for seat in seats):
            yield Due(K.TOUR_TOMORROW, f"run-{run.pk}", recipient, lambda run=run: {
                "tour_name": run.tour.name, "tour_start": _moment(run.start, event),
                "meeting_point": run.meeting_point, "what_to_bring": _what_to_bring(run),
                "tours_url": _url("visits:home", event)})


def due_meetings(event, now) -> Iterator[Due]:
    release = MeetingRelease.objects.filter(event=event).order_by("-version").first()
    if release is None or not release.snapshot.get("meetings"):
        return
    snapshot = release.snapshot
    day = dt.date.fromisoformat(snapshot["date"])
    first = min(dt.datetime.fromisoformat(m["start"]) for m in snapshot["meetings"])
    if not (_day_before(day, event, DAY_BEFORE_HOUR) <= now < first):
        return
    people = publishing._recipients(event, snapshot, {m["request"] for m in snapshot["meetings"]})
    for address, lists in sorted(people.items()):
        user = lists["user"]
        recipient = audiences.Recipient(address.strip().lower(), user,
                                        (user.full_name if user else "") or address)

        def values(lists=lists):
            lines = [publishing._line(m, event.tz, for_expert=False)
                     for m in lists["as_attendee"]]
            lines += [publishing._line(m, event.tz, for_expert=True)
                      for m in lists["as_expert"]]
            return {"meetings_date": formats.date_format(day, "l j F Y"),
                    "meetings": "\n".join(lines),
                    "meetings_url": _url("meetings:home", event)}

        yield Due(K.MEETINGS_TOMORROW, f"meetings-{day.isoformat()}", recipient, values)


def due_streams(event, now, reminder_settings) -> Iterator[Due]:
    lead = dt.timedelta(minutes=reminder_settings.livestream_minutes)
    streams = StreamLink.objects.filter(event=event, visible_from__gt=now,
                                        visible_from__lte=now + lead)
    streams = list(streams)
    if not streams:
        return
    people = audiences.confirmed(event)
    for stream in streams:
        for recipient in people:
            yield Due(K.LIVESTREAM, f"stream-{stream.pk}", recipient, lambda stream=stream: {
                "stream_label": stream.label, "stream_start": _moment(stream.visible_from, event),
                "livestream_url": _url("events:livestream", event)})


def due_survey(event, now) -> Iterator[Due]:
    opens = dt.datetime.combine(event.end_date + dt.timedelta(days=1), dt.time(SURVEY_HOUR),
                                tzinfo=event.tz)
    if not (opens <= now < opens + dt.timedelta(days=SURVEY_DAYS)):
        return
    answered = SurveyResponse.objects.filter(event=event).values("organisation_id")
    users = (Registration.objects.filter(event=event, status=Status.CONFIRMED)
             .exclude(organisation_id__in=answered).select_related("user"))
    for recipient in audiences._people(r.user for r in users):
        yield Due(K.SURVEY, "survey", recipient,
                  lambda: {"survey_url": _url("outcomes:survey", event)})


def due(event, now, reminder_settings) -> Iterator[Due]:
    """Every reminder of ``event`` due at ``now`` for a switched-on kind and a module the event
    uses, whether or not it was already sent (``send`` skips those)."""
    s = reminder_settings
    if s.site_access_due and event.uses_visits:
        yield from due_site_access(event, now, s)
    if s.tour_tomorrow and event.uses_visits:
        yield from due_tours(event, now)
    if s.meetings_tomorrow and event.uses_meetings:
        yield from due_meetings(event, now)
    if s.livestream and event.uses_registration:
        yield from due_streams(event, now, s)
    if s.survey and event.uses_outcomes:
        yield from due_survey(event, now)


# Sending -------------------------------------------------------------------------------------

def render(event, item: Due, language: str) -> tuple[str, str]:
    """Subject and body of ``item`` in ``language`` (the active one is set by the caller)."""
    subject, body = template_for(event, item.kind, language)
    name = item.recipient.name or item.recipient.address
    values = {"first_name": name.split(" ")[0], "full_name": name,
              "event_title": str(event.title), "event_url": _url("events:home", event),
              **item.values()}
    subject, body = placeholders.render(subject, body, values)
    if item.kind in ESSENTIAL:
        footer = gettext("You receive this reminder because you hold a seat on a site tour; "
                         "it cannot be switched off.")
    else:
        footer = gettext("You receive this reminder as a participant of %(event)s. Stop these "
                         "reminders: %(url)s") % {
            "event": event.title, "url": opt_out_url(event, item.recipient.address)}
    return subject, f"{body.rstrip()}\n\n-- \n{footer}\n"


def _already(event) -> set[tuple[str, str, str]]:
    return set(ReminderSent.objects.filter(event=event)
               .values_list("kind", "occasion", "address"))


def send(event, item: Due, now) -> bool:
    """Write the ``ReminderSent`` row and queue the e-mail in one transaction; False (nothing
    written) if this reminder was already sent."""
    recipient = item.recipient
    language = language_for(recipient.user, event)
    with speaking_to(recipient.user, event):
        subject, body = render(event, item, language)
    try:
        with transaction.atomic():
            sent = ReminderSent.objects.create(
                event=event, kind=item.kind, occasion=item.occasion, address=recipient.address,
                user=recipient.user, sent_at=now)
            sent.email = queue_email(to=[recipient.address], subject=subject, body=body,
                                     reply_to=event.contact_recipients[:1],
                                     purpose=f"reminder-{item.kind}", related=sent)
            sent.save(update_fields=["email"])
    except IntegrityError:  # sent meanwhile by another run
        return False
    return True


def run_due(now: dt.datetime | None = None, *, event=None) -> int:
    """Send every reminder due at ``now`` (default: the clock), once. Returns how many were
    queued. Safe to run as often as wanted, and twice at the same time."""
    now = now or clock.now()
    switched_on = ReminderSettings.objects.select_related("event").filter(
        event__status="published")
    if event is not None:
        switched_on = switched_on.filter(event=event)
    count = 0
    for reminder_settings in switched_on:
        current: Event = reminder_settings.event
        if current.is_archived:
            continue
        already = _already(current)
        opted_out = set(OptOut.objects.filter(event=current).values_list("address", flat=True))
        for item in due(current, now, reminder_settings):
            address = item.recipient.address
            if (item.kind, item.occasion, address) in already:
                continue
            if item.kind not in ESSENTIAL and address in opted_out:
                continue
            if send(current, item, now):
                already.add((item.kind, item.occasion, address))
                count += 1
    if count:
        logger.info("Reminders: %d queued.", count)
    return count
