"""What is one person's at one event, in time order: "My workshop".

Every item comes from the app that owns it, through that app's own queries, so the rules stay
where they are written:

- registration: ``registration.standing`` (the latest registration and what to do about it)
  and the seat offer's expiry (``Registration.offer_expires_at``);
- talks given (speaker) or chaired, and starred talks: the latest programme release
  (``programme.public.latest``), the person's speaker profile and ``programme.agenda``;
- meetings as participant or expert: the latest published version (``meetings.agenda
  .feed_meetings``), never the organisers' working copy;
- tour seats and waiting places: ``visits.services.seats_of`` and ``waiting_position``;
- deadlines: site-access data (``vault.services.clearance_status`` and the seat holder's
  ``clearance_due``), the call (``cfp.services.organisation_submissions`` that the person may
  still edit, until ``Submission.deadline()``), the seat offer, and the survey
  (``outcomes.services.survey_organisation``) once the event is over.

Items that take the person's time (talks, sessions chaired, meetings, tours, waiting places)
are checked against each other: two that overlap are a clash, except a session and the talks
in it. Deadlines and the survey are moments, never clashes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fusionforum.cfp import services as cfp_services
from fusionforum.cfp.models import SpeakerProfile
from fusionforum.cfp.states import EDITABLE
from fusionforum.core import clock
from fusionforum.meetings import agenda as meetings_agenda
from fusionforum.outcomes import services as outcomes_services
from fusionforum.outcomes.models import SurveyResponse
from fusionforum.programme import agenda as programme_agenda
from fusionforum.programme import public as programme_public
from fusionforum.registration.standing import standing
from fusionforum.registration.states import Status
from fusionforum.vault import registry as vault_registry
from fusionforum.vault import services as vault_services
from fusionforum.visits import services as visit_services
from fusionforum.visits.states import SeatStatus

# Kinds of item, in the order of the page's legend.
TALK, CHAIR, STAR, MEETING, TOUR, WAITING, DEADLINE, SURVEY = (
    "talk", "chair", "star", "meeting", "tour", "waiting", "deadline", "survey")
TAKES_TIME = {TALK, CHAIR, STAR, MEETING, TOUR, WAITING}


@dataclass
class Item:
    kind: str
    key: str  # stable within the person's schedule: "talk-ABC", "meeting-12", "seat-7"...
    title: str
    start: dt.datetime
    end: dt.datetime
    where: str = ""
    url: str = ""
    note: str = ""
    group: str = ""  # a session and its talks share it: they never clash with each other
    clashes: list[Item] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # same-day changes (changes.py)

    @property
    def takes_time(self) -> bool:
        return self.kind in TAKES_TIME

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    def overlaps(self, other: Item) -> bool:
        return self.start < other.end and other.start < self.end


KIND_LABELS = {
    TALK: gettext_lazy("Your talk"), CHAIR: gettext_lazy("You chair"),
    STAR: gettext_lazy("Starred talk"), MEETING: gettext_lazy("Meeting"),
    TOUR: gettext_lazy("Site visit"), WAITING: gettext_lazy("Waiting list"),
    DEADLINE: gettext_lazy("Deadline"), SURVEY: gettext_lazy("Survey"),
}
KIND_ORDER = {kind: index for index, kind in enumerate(KIND_LABELS)}


@dataclass
class Day:
    date: dt.date
    label: str
    items: list[Item]


@dataclass
class Schedule:
    event: object
    user: object
    registration: object  # the latest registration, or None
    registration_status: str  # its state's label, or ""
    registration_note: str  # what the standing says (empty when confirmed)
    registration_action: tuple[str, str] | None
    items: list[Item]
    days: list[Day]
    clash_count: int
    programme_version: int | None
    meetings_version: int | None
    changes: list[tuple[Item, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.items


# Sources ------------------------------------------------------------------------------------


def _programme_items(event, user, programme) -> list[Item]:
    if programme is None:
        return []
    codes = set(SpeakerProfile.objects.filter(event=event, user=user)
                .values_list("code", flat=True))
    items: dict[str, Item] = {}
    for session in programme.sessions:
        chairs = codes & set(session.chair_codes)
        presents = codes & set(session.speaker_codes)
        if not (chairs or presents) or session.own_talk is not None:
            continue
        room = session.room.name if session.room else ""
        items[f"session-{session.id}"] = Item(
            CHAIR if chairs else TALK, f"session-{session.id}", session.title, session.start,
            session.end,
            where=room, group=f"session-{session.parent_id or session.id}",
            url=reverse("programme:programme", args=[event.slug]) + f"#{session.anchor}")
    for talk in programme.talks:
        own_session = talk.session is not None and talk.session.own_talk is talk
        chaired = own_session and codes & set(talk.session.chair_codes)
        if codes & set(talk.speaker_codes) or chaired:
            items[f"talk-{talk.code}"] = _talk_item(event, talk, TALK if not chaired or (
                codes & set(talk.speaker_codes)) else CHAIR)
    for code in programme_agenda.starred_codes(user, event):
        talk = programme.talks_by_code.get(code)
        if talk is not None and f"talk-{code}" not in items:
            items[f"talk-{code}"] = _talk_item(event, talk, STAR)
    return list(items.values())


def _talk_item(event, talk, kind) -> Item:
    return Item(kind, f"talk-{talk.code}", talk.title, talk.start, talk.end,
                where=talk.room.name if talk.room else "",
                url=reverse("programme:talk", args=[event.slug, talk.code]),
                group=_group(talk.session) if talk.session is not None else "")


def _group(session) -> str:
    """A session slot, its contributions and their talks are one block of time."""
    return f"session-{session.parent_id or session.id}"


def _meeting_items(event, user) -> list[Item]:
    items = []
    tz = event.tz
    expert = meetings_agenda.services.expert_of(event, user)
    for meeting in meetings_agenda.feed_meetings(event, user):
        as_expert = expert is not None and meeting["expert"] == expert.pk
        title = (_("Meeting with %(organisation)s") % {"organisation": meeting["organisation_name"]}
                 if as_expert else
                 _("Meeting with %(expert)s") % {
                     "expert": meetings_agenda.expert_words(meeting)})
        items.append(Item(
            MEETING, f"meeting-{meeting['request']}", title,
            dt.datetime.fromisoformat(meeting["start"]).astimezone(tz),
            dt.datetime.fromisoformat(meeting["end"]).astimezone(tz),
            where=meeting.get("location") or "",
            url=reverse("meetings_expert:home", args=[event.slug]) if as_expert
            else reverse("meetings:home", args=[event.slug])))
    return items


def _tour_items(event, user) -> list[Item]:
    items = []
    for seat in visit_services.seats_of(event, user):
        run = seat.run
        waiting = seat.status == SeatStatus.WAITLISTED
        note = ""
        if waiting:
            position = visit_services.waiting_position(seat)
            note = _("Place %(position)s on the waiting list") % {"position": position} \
                if position else ""
        items.append(Item(
            WAITING if waiting else TOUR, f"seat-{seat.pk}", run.tour.name,
            timezone.localtime(run.start, event.tz), timezone.localtime(run.end, event.tz),
            where=_("Meeting point: %(point)s") % {"point": run.meeting_point},
            url=reverse("visits:home", args=[event.slug]), note=note))
    return items


def _moment(kind, key, title, at, *, url="", note="", now=None) -> Item:
    if now is not None and at <= now:
        note = _("This deadline has passed: write to the organisers if something is missing.")
    return Item(kind, key, title, at, at, url=url, note=note)


def _deadlines(event, user, registration, now, *, holds_seat: bool) -> list[Item]:
    items = []
    if (registration is not None and registration.status == Status.OFFERED
            and registration.offer_expires_at and registration.offer_expires_at > now):
        items.append(_moment(DEADLINE, "deadline-offer", _("Accept the seat offered to you"),
                             registration.offer_expires_at,
                             url=reverse("registration:mine", args=[event.slug])))
    # Site-access data is asked from seat holders only (the vault decides who is one and what
    # is missing; asked only of people who hold a seat, as each answer reads every holder).
    holder = None
    if holds_seat and vault_services.clearance_status(event, user) == "missing":
        holder = vault_registry.seat_holder(event, user)
    if holder is not None:
        items.append(_moment(DEADLINE, "deadline-site-access",
                             _("Give your site-access data for the site visit"),
                             timezone.localtime(holder.clearance_due, event.tz),
                             url=reverse("vault:status", args=[event.slug]), now=now))
    if event.uses_call and hasattr(event, "call_settings"):
        for submission in cfp_services.organisation_submissions(event, user):
            if submission.state not in EDITABLE or not cfp_services.is_author(user, submission):
                continue
            deadline = submission.deadline()
            if deadline > now:
                items.append(_moment(
                    DEADLINE, f"deadline-call-{submission.code}",
                    _("Last changes to your submission “%(title)s”") % {
                        "title": submission.title}, deadline,
                    url=reverse("cfp:edit", args=[event.slug, submission.code])))
    if event.uses_outcomes:
        organisation = outcomes_services.survey_organisation(event, user)
        if organisation is not None and not SurveyResponse.objects.filter(
                event=event, organisation=organisation).exists():
            last_day_end = timezone.make_aware(
                dt.datetime.combine(event.end_date, dt.time(18, 0)), event.tz)
            items.append(_moment(SURVEY, "survey", _("Tell us how the workshop went (survey)"),
                                 last_day_end,
                                 url=reverse("outcomes:survey", args=[event.slug])))
    return items


# The schedule -------------------------------------------------------------------------------


def mark_clashes(items: list[Item]) -> int:
    """Mark every pair of items that take time and overlap (not a session and its own
    talks); returns the number of items with a clash."""
    timed = [i for i in items if i.takes_time]
    for item in timed:
        item.clashes = [other for other in timed if other is not item and item.overlaps(other)
                        and not (item.group and item.group == other.group)]
    return sum(1 for i in timed if i.clashes)


def build(event, user, *, now: dt.datetime | None = None) -> Schedule:
    """Everything of ``user`` at ``event`` in time order, with clashes and same-day changes.
    Reads only what is the person's own: their registration, their speaker profile, their
    stars, meetings they attend or hold, their seats and their deadlines."""
    from . import changes as same_day  # changes.py reads the items built here

    now = now or clock.now()
    where = standing(event, user, purpose="meetings_and_visits")
    registration = where.registration
    programme = programme_public.latest(event) if event.uses_programme else None
    items: list[Item] = []
    items += _programme_items(event, user, programme)
    if event.uses_meetings:
        items += _meeting_items(event, user)
    if event.uses_visits:
        items += _tour_items(event, user)
    items += _deadlines(event, user, registration, now,
                        holds_seat=any(item.kind == TOUR for item in items))
    items.sort(key=lambda i: (i.start, i.end, KIND_ORDER[i.kind], i.key))
    clashes = mark_clashes(items)
    found_changes = same_day.for_items(event, user, items, now=now)
    tz = event.tz
    days: list[Day] = []
    for item in items:
        date = timezone.localtime(item.start, tz).date()
        if not days or days[-1].date != date:
            days.append(Day(date, date_format(date, "l j F Y"), []))
        days[-1].items.append(item)
    meetings_release = meetings_agenda.services.latest_release(event) \
        if event.uses_meetings else None
    return Schedule(
        event=event, user=user, registration=registration,
        registration_status=registration.get_status_display() if registration else "",
        registration_note=where.reason, registration_action=where.action,
        items=items, days=days, clash_count=clashes,
        programme_version=programme.version if programme else None,
        meetings_version=meetings_release.version if meetings_release else None,
        changes=found_changes)
