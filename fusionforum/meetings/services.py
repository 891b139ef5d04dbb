"""The meetings day's business rules: requests, hand placements (checked against every hard
constraint H1-H9 of ``fusion-matchmaking/1``), scheduler runs, later changes, check-in and notes.
Publishing lives in publishing.py. Views, the demo, the admin and tests call these functions."""

from __future__ import annotations

import logging
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.accounts.models import Organisation, User
from fusionforum.accounts.twofactor import is_verified
from fusionforum.core import audit, clock
from fusionforum.core.related import share_event
from fusionforum.core.sentences import as_sentence
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status as RegistrationStatus

from . import busy, quality
from . import instance as instance_module
from .models import (
    Expert,
    ExpertRefusal,
    Meeting,
    MeetingOutcome,
    MeetingRelease,
    MeetingRequest,
    MeetingSettings,
    ScheduleRun,
)
from .publishing import experts_of, reopening_refused
from .slots import MeetingDay
from .states import LIFE_CYCLE
from .tasks import run_scheduler

logger = logging.getLogger(__name__)


class RequestRefused(ValidationError):
    """A request cannot be made or changed; the message says why."""


class Infeasible(ValidationError):
    """A hand placement breaks a hard constraint. ``code`` is H1..H9."""


class NotAllowed(Exception):
    pass


def settings_for(event) -> MeetingSettings | None:
    return MeetingSettings.objects.filter(event=event).select_related("event").first()


def meeting_day(event) -> MeetingDay | None:
    meeting_settings = settings_for(event)
    return MeetingDay(meeting_settings) if meeting_settings else None


# People ---------------------------------------------------------------------------------------


def delegation_of(event, user) -> Registration | None:
    """The person's confirmed registration (which says their organisation), else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (Registration.objects.filter(event=event, user=user,
                                        status=RegistrationStatus.CONFIRMED)
            .select_related("organisation").first())


def delegates(event, organisation) -> list:
    """The organisation's registered (confirmed) participants."""
    return list(User.objects.filter(
        registrations__event=event, registrations__organisation=organisation,
        registrations__status=RegistrationStatus.CONFIRMED).order_by("full_name", "email"))


def expert_of(event, user) -> Expert | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Expert.objects.filter(event=event, user=user).first()


def link_invited_experts(user) -> list[Expert]:
    """Link to ``user`` the expert profiles organisers created with their address and no login
    yet (the address was just confirmed, e.g. by the organisation's identity provider). An
    event where the person already has a profile is left alone."""
    address = (user.email or "").strip()
    if not address:
        return []
    linked = []
    with transaction.atomic():
        candidates = (Expert.objects.select_for_update()
                      .filter(user__isnull=True, email__iexact=address, is_active=True)
                      .exclude(event__experts__user=user).order_by("event_id", "id"))
        seen = set()
        for expert in candidates:
            if expert.event_id in seen:
                continue
            seen.add(expert.event_id)
            expert.user = user
            expert.save(update_fields=["user"])
            audit.record("meetings.expert_linked", expert, actor=user,
                         summary=f"Expert profile linked to user {user.pk} by address",
                         user_id=user.pk)
            linked.append(expert)
    return linked


def is_organiser(user, event) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and user.has_perm("meetings.manage_meetings", event))


# Requests -------------------------------------------------------------------------------------


def _check_seat(event, meeting_settings, expert, discipline, organisation, field="target"):
    """One seat; a refusal names the form's field of that seat (``target`` or ``target2``)."""
    if bool(expert) == bool(discipline):
        raise RequestRefused({field: _("Choose either an expert or a discipline.")})
    if expert is not None:
        if expert.event_id != event.pk:
            raise RequestRefused({field: _("This expert does not take part in this event.")})
        if not expert.is_active:
            raise RequestRefused({field: _("%(name)s no longer takes meetings.")
                                  % {"name": expert.name}})
        if organisation is not None and ExpertRefusal.objects.filter(
                expert=expert, organisation=organisation).exists():
            raise RequestRefused({field: _(
                "%(name)s cannot meet your organisation (a conflict of interest). Choose "
                "another expert or a discipline.") % {"name": expert.name}})
    elif discipline not in dict(meeting_settings.discipline_choices):
        raise RequestRefused({field: _("Unknown discipline.")})


def _check_target(event, meeting_settings, expert, discipline, expert2=None, discipline2="",
                  organisation=None):
    """Each seat names an expert of the event (who takes meetings and does not refuse the
    organisation) or a known discipline; the second seat of a group request the same, and
    not the first seat's expert again."""
    _check_seat(event, meeting_settings, expert, discipline, organisation)
    if expert2 is not None or discipline2:
        _check_seat(event, meeting_settings, expert2, discipline2, organisation, "target2")
        if expert is not None and expert2 is not None and expert.pk == expert2.pk:
            raise RequestRefused({"target2": _("Choose two different experts.")})


def _seat_keys(expert, discipline, expert2, discipline2) -> list[tuple[str, object]]:
    seats = [("expert", expert.pk) if expert is not None else ("discipline", discipline)]
    if expert2 is not None or discipline2:
        seats.append(("expert", expert2.pk) if expert2 is not None
                     else ("discipline", discipline2))
    return sorted(seats, key=str)


def _check_duplicate(event, organisation, expert, discipline, expert2=None, discipline2="",
                     *, exclude=None):
    """No two active requests of an organisation with the same target, and a named expert in
    at most one of them (constraint H8: an organisation meets an expert once)."""
    others = MeetingRequest.objects.filter(event=event, organisation=organisation,
                                           status=MeetingRequest.Status.ACTIVE)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for named, field in ((expert, "target"), (expert2, "target2")):
        if named is not None and (others.filter(expert=named).exists()
                                  or others.filter(expert2=named).exists()):
            raise RequestRefused({field: _("Your organisation already asked to meet "
                                           "%(name)s; change that request instead.")
                                  % {"name": named.name}})
    wanted = _seat_keys(expert, discipline, expert2, discipline2)
    for other in others.select_related("expert", "expert2"):
        if _seat_keys(other.expert, other.discipline, other.expert2,
                      other.discipline2) == wanted:
            if len(wanted) > 1:
                raise RequestRefused({"target": _("Your organisation already asked for these "
                                                  "two seats; change that request instead.")})
            raise RequestRefused({"target": _("Your organisation already asked for someone "
                                              "in this discipline; change that request "
                                              "instead.")})


def _check_attendees(event, organisation, attendees):
    allowed = {u.pk for u in delegates(event, organisation)}
    if not attendees:
        raise RequestRefused({"attendees": _("Choose who attends (at least one person).")})
    if any(getattr(a, "pk", a) not in allowed for a in attendees):
        raise RequestRefused({"attendees": _("Only your organisation's registered "
                                             "participants can attend.")})


def window_closed_reason(meeting_settings) -> str | None:
    """Why requests cannot be added, changed or withdrawn now, or None while they can."""
    now = clock.now()
    tz = meeting_settings.event.tz
    if now < meeting_settings.requests_open_at:
        opens = timezone.localtime(meeting_settings.requests_open_at, tz)
        return _("Requests for meetings are not open yet: they open on %(moment)s.") % {
            "moment": formats.date_format(opens, "j F Y, H:i")}
    if now >= meeting_settings.requests_close_at:
        closed = timezone.localtime(meeting_settings.requests_close_at, tz)
        return _("The deadline for meeting requests has passed (%(moment)s); the organisers "
                 "now place the requests and publish the schedule.") % {
            "moment": formats.date_format(closed, "j F Y, H:i")}
    return None


def request_blocked(event, registration) -> str | None:
    """Why this confirmed participant's organisation cannot make a new request now, or None."""
    meeting_settings = settings_for(event)
    if meeting_settings is None:
        return _("This event has no meetings day.")
    if registration is None:
        return _("Only confirmed participants can ask for meetings.")
    closed = window_closed_reason(meeting_settings)
    if closed is not None:
        return closed
    active = MeetingRequest.objects.filter(event=event, organisation=registration.organisation,
                                           status=MeetingRequest.Status.ACTIVE).count()
    if active >= meeting_settings.max_requests_per_organisation:
        return _("Your organisation has made the most requests allowed (%(most)s); withdraw "
                 "one to ask for another meeting.") % {
            "most": meeting_settings.max_requests_per_organisation}
    return None


def _window(event, meeting_settings):
    reason = window_closed_reason(meeting_settings)
    if reason is not None:
        raise RequestRefused(reason)


def submit_request(event, user, *, expert=None, discipline="", topic: str, priority: int = 1,
                   attendees=(), confidential: bool = False, expert2=None,
                   discipline2="") -> MeetingRequest:
    meeting_settings = settings_for(event)
    if meeting_settings is None:
        raise RequestRefused(_("This event has no meetings day."))
    registration = delegation_of(event, user)
    if registration is None:
        raise RequestRefused(_("Only confirmed participants can ask for meetings."))
    _window(event, meeting_settings)
    organisation = registration.organisation
    discipline, discipline2 = discipline or "", discipline2 or ""
    _check_target(event, meeting_settings, expert, discipline, expert2, discipline2,
                  organisation)
    _check_attendees(event, organisation, attendees)
    with transaction.atomic():
        return _store_request(event, organisation, meeting_settings, by=user,
                              action="meetings.request_submitted", expert=expert,
                              discipline=discipline, expert2=expert2, discipline2=discipline2,
                              topic=topic, priority=priority, confidential=confidential,
                              attendees=attendees)


def _store_request(event, organisation, meeting_settings, *, by, action, expert, discipline,
                   expert2, discipline2, topic, priority, confidential, attendees):
    """Store a request inside the caller's transaction, once no other request of the
    organisation can change: the same target twice and the organisation's number of requests
    are checked under the lock of its requests (two delegates cannot both take the last
    place)."""
    list(MeetingRequest.objects.select_for_update().filter(
        event=event, organisation=organisation))
    _check_duplicate(event, organisation, expert, discipline, expert2, discipline2)
    active = MeetingRequest.objects.filter(event=event, organisation=organisation,
                                           status=MeetingRequest.Status.ACTIVE).count()
    if active >= meeting_settings.max_requests_per_organisation:
        raise RequestRefused(_("An organisation may make at most %(most)s requests.") % {
            "most": meeting_settings.max_requests_per_organisation})
    request = MeetingRequest(event=event, organisation=organisation, expert=expert,
                             discipline=discipline, expert2=expert2, discipline2=discipline2,
                             topic=topic, priority=priority, confidential=confidential,
                             created_by=by, submitted_at=clock.now())
    request.full_clean(exclude=["attendees"])
    request.save()
    request.attendees.set(attendees)
    audit.record(action, request, actor=by, summary=f"Request for {request.target_label}")
    return request


def create_request_for(event, organisation, *, by, expert=None, discipline="", topic: str,
                       priority: int = 1, confidential: bool = False, expert2=None,
                       discipline2="") -> MeetingRequest:
    """An organiser's request on behalf of an organisation (e.g. a group meeting agreed by
    e-mail): every confirmed delegate attends. Open at any time (a late request is placed by
    hand or by a repair run), within the organisation's number of requests."""
    meeting_settings = settings_for(event)
    if meeting_settings is None:
        raise RequestRefused(_("This event has no meetings day."))
    if not is_organiser(by, event):
        raise NotAllowed(_("Only organisers create requests for an organisation."))
    attendees = delegates(event, organisation)
    if not attendees:
        raise RequestRefused({"organisation": _("This organisation has no confirmed "
                                                "participant.")})
    discipline, discipline2 = discipline or "", discipline2 or ""
    _check_target(event, meeting_settings, expert, discipline, expert2, discipline2,
                  organisation)
    with transaction.atomic(durable=True):
        return _store_request(event, organisation, meeting_settings, by=by,
                              action="meetings.request_created_by_organiser", expert=expert,
                              discipline=discipline, expert2=expert2, discipline2=discipline2,
                              topic=topic, priority=priority, confidential=confidential,
                              attendees=attendees)


def may_edit_request(request, user) -> bool:
    registration = delegation_of(request.event, user)
    return registration is not None and registration.organisation_id == request.organisation_id


def update_request(request: MeetingRequest, user, *, expert=None, discipline="", topic: str,
                   priority: int, attendees=(), confidential: bool = False, expert2=None,
                   discipline2="") -> MeetingRequest:
    event = request.event
    meeting_settings = settings_for(event)
    if not may_edit_request(request, user):
        raise NotAllowed(_("Not your organisation's request."))
    if request.status != MeetingRequest.Status.ACTIVE:
        raise RequestRefused(_("This request was withdrawn."))
    _window(event, meeting_settings)
    discipline, discipline2 = discipline or "", discipline2 or ""
    _check_target(event, meeting_settings, expert, discipline, expert2, discipline2,
                  request.organisation)
    _check_attendees(event, request.organisation, attendees)
    with transaction.atomic():
        list(MeetingRequest.objects.select_for_update().filter(
            event=event, organisation=request.organisation))
        _check_duplicate(event, request.organisation, expert, discipline, expert2, discipline2,
                         exclude=request)
        request.expert, request.discipline = expert, discipline
        request.expert2, request.discipline2 = expert2, discipline2
        request.topic, request.priority, request.confidential = topic, priority, confidential
        request.full_clean(exclude=["attendees"])
        request.save()
        request.attendees.set(attendees)
        audit.record("meetings.request_changed", request, actor=user)
    return request


def withdraw_request(request: MeetingRequest, user) -> None:
    if not may_edit_request(request, user):
        raise NotAllowed(_("Not your organisation's request."))
    _window(request.event, settings_for(request.event))
    with transaction.atomic():
        if LIFE_CYCLE.refresh(request) == MeetingRequest.Status.WITHDRAWN:
            return  # already withdrawn (the button pressed twice): nothing left to do
        LIFE_CYCLE.move(request, MeetingRequest.Status.WITHDRAWN, actor=user)
        Meeting.objects.filter(request=request).delete()
        audit.record("meetings.request_withdrawn", request, actor=user)


# Hand placements ------------------------------------------------------------------------------


def _seat_admits(seat: tuple[int | None, str], expert: Expert) -> bool:
    named, discipline = seat
    return named == expert.pk if named else discipline in (expert.disciplines or [])


def eligible(request: MeetingRequest, expert: Expert) -> bool:
    """The expert can take one of the request's seats."""
    return any(_seat_admits(seat, expert) for seat in request.seats)


def seats_filled(request: MeetingRequest, experts: list[Expert]) -> bool:
    """H2: as many distinct experts as seats, matched one to one to seats that admit them."""
    seats = request.seats
    if len(experts) != len(seats) or len({e.pk for e in experts}) != len(experts):
        return False
    if len(seats) == 1:
        return _seat_admits(seats[0], experts[0])
    first, second = experts
    return ((_seat_admits(seats[0], first) and _seat_admits(seats[1], second))
            or (_seat_admits(seats[0], second) and _seat_admits(seats[1], first)))


def _meets(queryset, expert):
    """The working meetings in ``queryset`` that ``expert`` takes part in (either seat)."""
    return queryset.filter(Q(expert=expert) | Q(expert2=expert))


def check_placement(event, request: MeetingRequest, expert, slot: int,
                    *, entries=None) -> list[tuple[str, str]]:
    """Every hard constraint a meeting (request, expert(s), slot) would break in the working
    schedule, as (code, readable reason). ``expert`` is one expert, or a list of one per seat
    (two for a group request). Empty: the placement is feasible. The request's own current
    meeting (if any) is ignored: placing it again moves it."""
    experts = list(expert) if isinstance(expert, (list, tuple)) else [expert]
    meeting_settings = settings_for(event)
    day = MeetingDay(meeting_settings)
    problems: list[tuple[str, str]] = []
    if not 0 <= slot < len(day):
        return [("H0", _("There is no such slot."))]
    label = day.slots[slot].label
    others = Meeting.objects.filter(event=event).exclude(request=request).select_related(
        "request")
    if request.status != MeetingRequest.Status.ACTIVE or request.event_id != event.pk:
        problems.append(("H1", _("This request is not active.")))
    if any(e.event_id != event.pk for e in experts):
        return [("H2", _("This expert does not take part in this event."))]
    if len(experts) != len(request.seats):
        problems.append(("H2", ngettext(
            "This request asks for %(count)s expert: %(target)s.",
            "This request asks for %(count)s experts together: %(target)s.",
            len(request.seats)) % {"count": len(request.seats),
                                   "target": request.target_label}))
    elif not seats_filled(request, experts):
        names = " / ".join(e.name for e in experts)
        problems.append(("H2", _("%(name)s cannot serve this request: it asks for "
                                 "%(target)s.") % {"name": names,
                                                   "target": request.target_label}))
    refusing = set(ExpertRefusal.objects.filter(
        expert__in=experts, organisation_id=request.organisation_id).values_list(
        "expert_id", flat=True))
    for one in experts:
        if one.pk in refusing:
            problems.append(("H10", _("%(name)s does not meet %(organisation)s (a conflict "
                                      "of interest).") % {
                "name": one.name, "organisation": request.organisation}))
    for one in experts:
        available = set(one.available_slots or range(len(day)))
        if not one.is_active:
            problems.append(("H3", _("%(name)s has cancelled.") % {"name": one.name}))
        elif slot not in available:
            problems.append(("H3", _("%(name)s is not available at %(slot)s.")
                             % {"name": one.name, "slot": label}))
        elif slot in day.lost:
            problems.append(("H3", _("The slot %(slot)s was withdrawn.") % {"slot": label}))
    members = instance_module.confirmed_members(event)
    attendees = [u for u in request.attendees.all() if members.get(u.pk) ==
                 request.organisation_id]
    if entries is None:
        entries = busy.collect(event, day)
    busy_by_user = busy.busy_slots_by_user(entries)
    for person in attendees:
        why = busy_by_user.get(person.pk, {}).get(slot)
        if why:
            problems.append(("H4", _("%(person)s is busy at %(slot)s (%(why)s).")
                             % {"person": person, "slot": label, "why": why}))
    for one in experts:
        if _meets(others, one).filter(slot=slot).exists():
            problems.append(("H5", _("%(name)s already has a meeting at %(slot)s.")
                             % {"name": one.name, "slot": label}))
    attendee_ids = {p.pk for p in attendees}
    for other in others.filter(slot=slot).prefetch_related("request__attendees"):
        clash = attendee_ids & {u.pk for u in other.request.attendees.all()}
        if clash:
            problems.append(("H6", _("An attendee already has a meeting at %(slot)s.")
                             % {"slot": label}))
            break
    for one in experts:
        if _meets(others, one).count() >= one.max_meetings:
            problems.append(("H7", ngettext(
                "%(name)s already has %(count)s meeting, their daily maximum.",
                "%(name)s already has %(count)s meetings, their daily maximum.",
                one.max_meetings) % {"name": one.name, "count": one.max_meetings}))
    for one in experts:
        if _meets(others, one).filter(request__organisation=request.organisation_id).exists():
            problems.append(("H8", _("%(organisation)s already meets %(name)s.") % {
                "organisation": request.organisation, "name": one.name}))
    tables = day.tables(slot)
    if tables is not None and others.filter(slot=slot).count() >= tables:
        problems.append(("H9", ngettext("The %(count)s table is taken at %(slot)s.",
                                        "All %(count)s tables are taken at %(slot)s.", tables)
                         % {"count": tables, "slot": label}))
    return problems


def _lock_settings(event_id: int) -> None:
    """Every change of the working schedule holds the meetings day's settings row: hand
    placements, lost slots, a changed day or expert, cancellations and departures."""
    list(MeetingSettings.objects.select_for_update().filter(event_id=event_id))


def place_meeting(event, request: MeetingRequest, expert: Expert, slot: int, *, by,
                  expert2: Expert | None = None) -> Meeting:
    """Put a request's meeting (new or moved) with ``expert`` (and ``expert2`` for a group
    request) in ``slot``, if feasible."""
    experts = [expert] + ([expert2] if expert2 is not None else [])
    with transaction.atomic(durable=True):
        _lock_settings(event.pk)
        # What a cancellation or a withdrawal committed while we waited for the lock counts.
        request.refresh_from_db()
        for one in experts:
            one.refresh_from_db()
        problems = check_placement(event, request, experts, slot)
        if problems:
            code, _reason = problems[0]
            raise Infeasible(" ".join(message for _, message in problems), code=code)
        meeting, _created = Meeting.objects.update_or_create(
            request=request, defaults={"event": event, "expert": expert, "expert2": expert2,
                                       "slot": slot, "source": Meeting.Source.HAND})
        audit.record("meetings.placed_by_hand", meeting, actor=by,
                     summary=f"{request} with {' and '.join(map(str, experts))} in slot {slot}")
    return meeting


def remove_meeting(meeting: Meeting, *, by) -> None:
    with transaction.atomic(durable=True):
        audit.record("meetings.removed_by_hand", meeting.request, actor=by,
                     summary=f"{meeting.request} taken out of slot {meeting.slot}")
        meeting.delete()


# Scheduler runs -------------------------------------------------------------------------------


def _enqueue(run_id: int) -> None:
    run_scheduler.enqueue(run_id)


def start_run(event, *, by, kind: str = ScheduleRun.Kind.SOLVE,
              time_limit: float | None = None, seed: int = 0) -> ScheduleRun:
    """Build the instance now (what the organiser sees is what is solved) and queue the job."""
    meeting_settings = settings_for(event)
    if meeting_settings is None:
        raise ValidationError(_("Set up the meetings day first."))
    if ScheduleRun.objects.filter(event=event, status__in=[ScheduleRun.Status.QUEUED,
                                                           ScheduleRun.Status.RUNNING]).exists():
        raise ValidationError(_("A scheduler run is already under way."))
    latest = latest_release(event)
    if kind == ScheduleRun.Kind.REPAIR and latest is None:
        raise ValidationError(_("Nothing is published yet: run the whole schedule instead."))
    data = instance_module.build(event)
    if not data["requests"]:
        raise ValidationError(_("There are no requests to schedule."))
    with transaction.atomic(durable=True):
        run = ScheduleRun.objects.create(
            event=event, kind=kind, created_by=by, created_at=clock.now(),
            time_limit=float(time_limit or meeting_settings.time_limit_seconds), seed=seed,
            instance=data, base_version=latest.version if latest else None)
        audit.record("meetings.run_started", run, actor=by, summary=run.get_kind_display())
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def published_solution(release: MeetingRelease, data: dict) -> dict:
    """The published meetings as a solution of ``data`` (meetings whose request left are
    dropped: they cannot be kept). A group meeting is written with its ``experts``."""
    known = {r["id"] for r in data["requests"]}
    experts = {e["id"] for e in data["experts"]}
    meetings = []
    for m in release.snapshot.get("meetings", []):
        ids = [instance_module.expert_id(pk) for pk in experts_of(m)]
        item = {"request": instance_module.request_id(m["request"]), "slot": m["slot"]}
        if len(ids) > 1:
            item["experts"] = ids
        else:
            item["expert"] = ids[0]
        if item["request"] in known and all(e in experts for e in ids):
            meetings.append(item)
    return {"format": instance_module.SOLUTION_FORMAT, "instance": data.get("name", ""),
            "meetings": meetings}


def execute_run(run_id: int) -> ScheduleRun:
    """The job's body: call the optimiser, record progress and the result, and make the result
    the working schedule."""
    from fusionforum import scheduling

    run = ScheduleRun.objects.select_related("event").get(pk=run_id)
    if run.status != ScheduleRun.Status.QUEUED:
        return run
    ScheduleRun.objects.filter(pk=run.pk).update(status=ScheduleRun.Status.RUNNING,
                                                 started_at=clock.now())
    began = time.monotonic()
    last_write = [0.0]

    def progress(*args, **kwargs):
        info = dict(args[0]) if args and isinstance(args[0], dict) else {}
        info.update(kwargs)
        info = _readable(info)
        info["elapsed"] = round(time.monotonic() - began, 2)
        now = time.monotonic()
        if now - last_write[0] >= 0.5:
            last_write[0] = now
            ScheduleRun.objects.filter(pk=run.pk).update(progress=info)

    try:
        if run.kind == ScheduleRun.Kind.REPAIR:
            release = MeetingRelease.objects.get(event=run.event, version=run.base_version)
            solution = scheduling.repair(run.instance, published_solution(release, run.instance),
                                         time_limit=run.time_limit, seed=run.seed,
                                         progress=progress)
        else:
            solution = scheduling.solve(run.instance, time_limit=run.time_limit, seed=run.seed,
                                        progress=progress)
    except Exception as exc:  # the organiser sees the failure; the working copy is untouched
        logger.exception("Scheduler run %s failed", run.pk)
        ScheduleRun.objects.filter(pk=run.pk).update(
            status=ScheduleRun.Status.FAILED, finished_at=clock.now(),
            error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"[:4000])
        return ScheduleRun.objects.get(pk=run.pk)
    try:
        solution = {**solution, "baseline": compute_baseline(run.instance)}
    except Exception:  # the comparison is a nicety: the run's own result stands
        logger.exception("First-come-first-served comparison of run %s failed", run.pk)
    with transaction.atomic():
        apply_solution(run.event, run.instance, solution)
        final = _readable(solution.get("meta") or {})
        final["elapsed"] = round(time.monotonic() - began, 2)
        ScheduleRun.objects.filter(pk=run.pk).update(
            status=ScheduleRun.Status.DONE, finished_at=clock.now(), solution=solution,
            progress=final)
        audit.record("meetings.run_finished", run, actor=None,
                     summary=f"{len(solution.get('meetings', []))} meetings")
    return ScheduleRun.objects.get(pk=run.pk)


def _readable(info: dict) -> dict:
    """Progress and result figures as the run page shows them: scalars kept, an objective pair
    [covered organisations, weight] written out, anything else left out."""
    result = {}
    for key, value in info.items():
        if isinstance(value, (int, float, str, bool)) or value is None:
            result[key] = value
        elif (isinstance(value, (list, tuple)) and len(value) == 2
              and all(isinstance(v, int) for v in value)):
            result[key] = _objective_words(value[0], value[1])
        elif (isinstance(value, (list, tuple)) and len(value) == 4
              and all(isinstance(v, int) for v in value)):
            result[key] = _levels_words(*value)
            for name, number in zip(LEVELS, value, strict=True):
                result[f"{key}_{name}"] = number
        elif isinstance(value, dict):
            for inner, inner_value in value.items():
                if isinstance(inner_value, (int, float, str, bool)):
                    result[f"{key}_{inner}"] = inner_value
    return result


def _objective_words(organisations, weight) -> str:
    """Shown to organisers in the language of the page (the optimiser's own words stay
    English, for operators)."""
    return ngettext("%(count)s organisation, weight %(weight)s",
                    "%(count)s organisations, weight %(weight)s",
                    organisations if isinstance(organisations, int) else 2) % {
        "count": organisations, "weight": weight}


LEVELS = ("C1", "C2", "W", "G")
# The objective's keys in the optimiser's objective and bound dicts, level by level.
LEVEL_KEYS = {"C1": "covered_orgs", "C2": "covered_orgs_twice", "W": "weight",
              "G": "idle_slots"}


def _levels_words(c1, c2, weight, idle) -> str:
    return _("%(c1)s covered, %(c2)s with two meetings, weight %(weight)s, %(idle)s idle "
             "slots") % {"c1": c1, "c2": c2, "weight": weight, "idle": idle}


def level_labels() -> dict[str, str]:
    """Each level of the objective in plain words, in the order it counts."""
    return {"C1": _("Organisations with at least one meeting"),
            "C2": _("Organisations with a second meeting (among those that asked for two or "
                    "more)"),
            "W": _("Priorities met (total weight of the requests placed)"),
            "G": _("Idle slots: people waiting between two meetings (fewer is better)")}


def _pair_text(value) -> str | None:
    """An objective or bound as words: "46 organisations, weight 890"."""
    if isinstance(value, dict) and all(k in value for k in LEVEL_KEYS.values()):
        return _levels_words(*(value[LEVEL_KEYS[name]] for name in LEVELS))
    if isinstance(value, dict) and "covered_orgs" in value and "weight" in value:
        return _objective_words(value["covered_orgs"], value["weight"])
    if (isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, int) for v in value)):
        return _objective_words(value[0], value[1])
    if isinstance(value, str) and value:
        return value
    return None


def _gap_text(value) -> str | None:
    if isinstance(value, dict) and "covered_orgs_twice" in value:
        open_levels = [name for name in LEVELS if value.get(LEVEL_KEYS[name])]
        if not open_levels:
            return _("none: proven best")
        return _("still open from level %(level)s") % {"level": open_levels[0]}
    if isinstance(value, dict):
        organisations, weight = value.get("covered_orgs"), value.get("weight")
        if organisations:
            return ngettext("at most %(count)s organisation", "at most %(count)s organisations",
                            organisations) % {"count": organisations}
        if weight is not None:
            return _("none: proven best") if weight == 0 else \
                _("at most %(weight)s weight") % {"weight": weight}
        return None
    if isinstance(value, str) and value:
        return _("none: proven best") if value in ("0 weight", "0 organisation(s)") else \
            _("at most %(gap)s") % {"gap": value}
    return None


def run_figures(run: ScheduleRun) -> dict:
    """The figures of a run in words, for its page and its progress address: ``best``,
    ``bound``, ``gap`` (None when not known yet), ``covered_orgs`` and ``proven``. A finished
    run reads the optimiser's own result (``solution["meta"]``: objective, bound, gap); a run
    under way reads the latest progress report."""
    meta = (run.solution or {}).get("meta") if run.status == ScheduleRun.Status.DONE else None
    progress = run.progress or {}
    if isinstance(meta, dict) and (meta.get("objective") or meta.get("bound")):
        objective = meta.get("objective")
        figures = {"best": _pair_text(objective), "bound": _pair_text(meta.get("bound")),
                   "gap": _gap_text(meta.get("gap")),
                   "covered_orgs": objective.get("covered_orgs")
                   if isinstance(objective, dict) else None,
                   "proven": bool(meta.get("proven_optimal"))}
    else:
        figures = {"best": _pair_text(progress.get("objective", progress.get("best"))),
                   "bound": _pair_text(progress.get("bound")),
                   "gap": _gap_text(progress.get("gap")),
                   "covered_orgs": progress.get("covered_orgs",
                                                progress.get("objective_covered_orgs")),
                   "proven": bool(progress.get("proven_optimal"))}
    if figures["proven"] and figures["gap"] is None and figures["best"]:
        figures["gap"] = _("none: proven best")
    if run.status == ScheduleRun.Status.DONE and figures["covered_orgs"] is None:
        meetings = (run.solution or {}).get("meetings", [])
        requests = {r["id"]: r["org"] for r in (run.instance or {}).get("requests", [])}
        figures["covered_orgs"] = len({requests[m["request"]] for m in meetings
                                       if m.get("request") in requests})
    figures["note"] = progress.get("proof") or (meta or {}).get("proof") or ""
    figures["levels"] = _run_levels(run, meta, progress)
    return figures


def _run_levels(run: ScheduleRun, meta, progress: dict) -> list[dict]:
    """The four levels of a run (value, bound, proven) in plain words, with the
    first-come-first-served schedule of the same requests beside them once the run is done."""
    labels = level_labels()
    rows = []
    if isinstance(meta, dict) and isinstance(meta.get("levels"), list):
        for item in meta["levels"]:
            if item.get("level") in labels:
                rows.append({"level": item["level"], "label": labels[item["level"]],
                             "value": item.get("value"), "bound": item.get("bound"),
                             "proven": bool(item.get("proven"))})
    elif any(f"best_{name}" in progress for name in LEVELS):
        for name in LEVELS:
            value, bound = progress.get(f"best_{name}"), progress.get(f"bound_{name}")
            rows.append({"level": name, "label": labels[name], "value": value, "bound": bound,
                         "proven": value is not None and value == bound})
    if rows and run.status == ScheduleRun.Status.DONE:
        baseline = baseline_of(run)
        for row in rows:
            row["baseline"] = baseline.get(row["level"]) if baseline else None
    return rows


def baseline_of(run: ScheduleRun) -> dict | None:
    """C1, C2, W, G of the first-come-first-served schedule of the run's requests (stored
    with the result; computed for an older run), and ``uncovered``: the organisations it
    leaves without any meeting."""
    stored = (run.solution or {}).get("baseline")
    if isinstance(stored, dict) and "C1" in stored:
        return stored
    try:
        return compute_baseline(run.instance)
    except Exception:  # an instance the optimiser no longer reads: no comparison
        logger.warning("No first-come-first-served comparison for run %s", run.pk,
                       exc_info=True)
        return None


def run_comparison(run: ScheduleRun, figures: dict) -> dict | None:
    """How many organisations the run and first come, first served leave without a meeting."""
    if run.status != ScheduleRun.Status.DONE:
        return None
    baseline = baseline_of(run)
    if not baseline:
        return None
    requesting = baseline["requesting"]
    covered = figures.get("covered_orgs")
    if covered is None:
        return None
    return {"baseline_uncovered": baseline["uncovered"], "run_uncovered": requesting - covered}


def compute_baseline(data: dict) -> dict:
    from fusionforum import scheduling

    solution = scheduling.first_come_first_served(data)
    figures = quality.levels(data, quality.meetings_of(solution.get("meetings", [])))
    requesting = len({r["org"] for r in data.get("requests", [])})
    return {name: figures[name] for name in LEVELS} | {
        "uncovered": requesting - figures["C1"], "requesting": requesting}


def solution_expert_ids(item: dict) -> list[str]:
    """The experts of a solution's meeting: ``expert`` (1:1) or ``experts`` (any meeting)."""
    if item.get("experts"):
        return [str(e) for e in item["experts"]]
    return [str(item["expert"])] if item.get("expert") else []


def apply_solution(event, data: dict, solution: dict) -> int:
    """Replace the working schedule with ``solution`` (meetings of unknown or inactive requests
    or experts are ignored). A group meeting keeps its experts in the seats' order when one
    seat names an expert, so the named expert is the first."""
    requests = {r.pk: r for r in MeetingRequest.objects.filter(
        event=event, status=MeetingRequest.Status.ACTIVE)}
    experts = {e.pk: e for e in Expert.objects.filter(event=event)}
    Meeting.objects.filter(event=event).delete()
    rows = []
    for item in solution.get("meetings", []):
        request = requests.get(instance_module.parse_id(item["request"]))
        chosen = [experts.get(instance_module.parse_id(e)) for e in solution_expert_ids(item)]
        if request is None or not chosen or None in chosen or len(chosen) > 2:
            continue
        if len(chosen) == 2 and request.expert2_id and chosen[0].pk == request.expert2_id:
            chosen.reverse()
        if len(chosen) == 2 and request.expert_id and chosen[1].pk == request.expert_id:
            chosen.reverse()
        rows.append(Meeting(event=event, request=request, expert=chosen[0],
                            expert2=chosen[1] if len(chosen) > 1 else None,
                            slot=int(item["slot"]), source=Meeting.Source.SCHEDULER))
    Meeting.objects.bulk_create(rows)
    return len(rows)


def current_run(event) -> ScheduleRun | None:
    return ScheduleRun.objects.filter(event=event).order_by("-created_at", "-id").first()


# Review of the working schedule ---------------------------------------------------------------


def review(event) -> dict:
    """Figures of the working schedule: coverage, unmet requests by discipline, load per
    expert, disciplines short of experts."""
    meeting_settings = settings_for(event)
    data = instance_module.build(event)
    by_id = {r["id"]: r for r in data["requests"]}
    meetings = list(Meeting.objects.filter(event=event).select_related("expert", "expert2",
                                                                        "request"))
    met = {instance_module.request_id(m.request_id) for m in meetings}
    requesting = {r["org"] for r in data["requests"]}
    covered = {by_id[r]["org"] for r in met if r in by_id}
    weight = sum(by_id[r]["weight"] for r in met if r in by_id)
    experts = list(Expert.objects.filter(event=event))
    expert_by_id = {instance_module.expert_id(e.pk): e for e in experts}
    unmet_by_discipline: dict[str, int] = defaultdict(int)
    demand: dict[str, int] = defaultdict(int)
    for request in data["requests"]:
        target = request["target"]
        keys = []
        for seat in target.get("group", [target]):
            if "discipline" in seat:
                keys.append(seat["discipline"])
            else:
                expert = expert_by_id.get(seat["expert"])
                keys.extend(expert.disciplines[:1] if expert else [])
        for key in dict.fromkeys(keys):
            demand[key] += 1
            if request["id"] not in met:
                unmet_by_discipline[key] += 1
    load = defaultdict(int)
    for m in meetings:
        for one in m.experts:
            load[one.pk] += 1
    supply: dict[str, int] = defaultdict(int)
    for expert in experts:
        if expert.is_active:
            places = min(expert.max_meetings,
                         len(expert.available_slots or data["slots"]))
            for key in expert.disciplines:
                supply[key] += places
    label = meeting_settings.discipline_label
    disciplines = []
    for key in sorted(set(demand) | set(unmet_by_discipline)):
        disciplines.append({"key": key, "label": label(key), "requests": demand[key],
                            "unmet": unmet_by_discipline[key], "capacity": supply[key],
                            "needs_experts": unmet_by_discipline[key] > 0})
    disciplines.sort(key=lambda d: (-d["unmet"], d["label"]))
    unmet_requests = share_event(list(MeetingRequest.objects.filter(
        pk__in=[instance_module.parse_id(r) for r in by_id if r not in met])
        .select_related("organisation", "expert", "expert2")
        .order_by("organisation__name", "priority")), meeting_settings.event)
    working = [{"request": instance_module.request_id(m.request_id),
                "experts": [instance_module.expert_id(e.pk) for e in m.experts],
                "slot": m.slot} for m in meetings]
    figures = quality.levels(data, working)
    names = _people_names(event, data, expert_by_id)
    idle_people = sorted(
        ({"name": names.get(person, person), "expert": person.startswith("E"), "idle": count}
         for person, count in figures.pop("idle").items()),
        key=lambda row: (-row["idle"], row["name"]))
    org_names = {o["id"]: o["name"] for o in data["organisations"]}
    unmet_by_id = {instance_module.request_id(r.pk): r for r in unmet_requests}
    shortfalls = []
    for item in quality.shortfalls(data, working):
        shortfalls.append({
            "organisation": org_names.get(item.organisation, item.organisation),
            "asked": item.asked, "got": item.got,
            "unmet": [{"request": unmet_by_id.get(request_id),
                       "reason": _shortfall_words(code, [names.get(e, e) for e in experts])}
                      for request_id, code, experts in item.unmet]})
    shortfalls.sort(key=lambda row: (row["got"], row["organisation"]))
    return {
        "levels": figures, "idle_people": idle_people, "shortfalls": shortfalls,
        "requests": len(data["requests"]),
        "meetings": len(meetings),
        "requesting_orgs": len(requesting),
        "covered_orgs": len(covered),
        "uncovered_orgs": sorted(o["name"] for o in data["organisations"]
                                 if o["id"] in requesting - covered),
        "weight": weight,
        "disciplines": disciplines,
        "short_disciplines": [d for d in disciplines if d["needs_experts"]],
        "load": [{"expert": e, "meetings": load[e.pk], "max": e.max_meetings} for e in experts],
        "unmet_requests": unmet_requests,
    }


def _people_names(event, data: dict, expert_by_id: dict) -> dict[str, str]:
    """Instance ids of people (``P<user>``, ``E<expert>``) to names for pages."""
    user_ids = [instance_module.parse_id(p["id"]) for o in data["organisations"]
                for p in o["participants"]]
    names = {f"P{pk}": (full_name or email) for pk, full_name, email in
             User.objects.filter(pk__in=user_ids).values_list("pk", "full_name", "email")}
    names.update({key: e.name for key, e in expert_by_id.items()})
    return names


def _shortfall_words(code: str, experts: list[str]) -> str:
    who = ", ".join(experts)
    if code == quality.REFUSES:
        return _("the expert asked for does not meet this organisation (conflict of "
                 "interest): %(experts)s") % {"experts": who}
    if code == quality.NO_EXPERT:
        return _("no active expert can take this request")
    if code == quality.BUSY:
        return _("the attendees are busy (site visits, talks) whenever an eligible expert "
                 "is available")
    if code == quality.AT_CAP:
        return _("every eligible expert is at their daily maximum: %(experts)s") % {
            "experts": who}
    if code == quality.FREE_PLACE:
        return _("a place is free now: place it by hand or run the scheduler again")
    return _("no eligible expert was free when the attendees were (other meetings, or every "
             "table taken)")


def latest_release(event) -> MeetingRelease | None:
    return MeetingRelease.objects.filter(event=event).order_by("-version").first()


# Later changes --------------------------------------------------------------------------------


def cancel_expert(expert: Expert, *, by) -> int:
    """The expert can no longer come: their working meetings are dropped (a repair run then
    places those requests elsewhere if it can). Returns the number of meetings dropped."""
    with transaction.atomic(durable=True):
        _lock_settings(expert.event_id)
        expert.is_active = False
        expert.save(update_fields=["is_active"])
        dropped, _by_model = _meets(Meeting.objects.all(), expert).delete()
        audit.record("meetings.expert_cancelled", expert, actor=by)
    return dropped


def refusals_of(expert: Expert) -> list[ExpertRefusal]:
    return list(ExpertRefusal.objects.filter(expert=expert).select_related("organisation"))


def refusable_organisations(event):
    """The organisations an expert may refuse: those with a confirmed registration."""
    return Organisation.objects.filter(
        registrations__event=event,
        registrations__status=RegistrationStatus.CONFIRMED).distinct().order_by("name")


def save_refusal(expert: Expert, organisation, *, reason: str = "", share_reason: bool = False,
                 by) -> tuple[ExpertRefusal, int]:
    """The expert will not meet ``organisation`` (a conflict of interest, H10): recorded (or
    its reason changed), and the expert's working meetings with that organisation dropped
    (a repair run places those requests elsewhere). Only the expert themselves (by their
    login) or an organiser may do it. Returns the refusal and the meetings dropped."""
    event = expert.event
    if not (is_organiser(by, event) or (expert.user_id and expert.user_id == by.pk)):
        raise NotAllowed(_("Not your expert profile."))
    if not refusable_organisations(event).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("This organisation does not take part in "
                                                 "the event.")})
    reason = (reason or "").strip()
    if not reason:
        share_reason = False
    with transaction.atomic(durable=True):
        _lock_settings(event.pk)
        refusal, created = ExpertRefusal.objects.get_or_create(
            expert=expert, organisation=organisation,
            defaults={"reason": reason, "share_reason": share_reason})
        if not created:
            refusal.reason, refusal.share_reason = reason, share_reason
        refusal.full_clean()
        refusal.save()
        dropped, _by_model = _meets(Meeting.objects.filter(
            event=event, request__organisation=organisation), expert).delete()
        audit.record("meetings.refusal_saved", refusal, actor=by,
                     summary=f"{expert} does not meet organisation {organisation.pk}",
                     dropped=dropped)
    return refusal, dropped


def withdraw_refusal(refusal: ExpertRefusal, *, by) -> None:
    expert = refusal.expert
    if not (is_organiser(by, expert.event) or (expert.user_id and expert.user_id == by.pk)):
        raise NotAllowed(_("Not your expert profile."))
    with transaction.atomic(durable=True):
        _lock_settings(expert.event_id)
        audit.record("meetings.refusal_withdrawn", expert, actor=by,
                     summary=f"{expert} may meet organisation {refusal.organisation_id} again")
        refusal.delete()


def conflicts_by_expert(event) -> dict[int, list[dict]]:
    """What organisers see of experts' refusals: {expert pk: [{"organisation", "reason"}]},
    the reason only when the expert shared it."""
    result: dict[int, list[dict]] = defaultdict(list)
    for refusal in (ExpertRefusal.objects.filter(expert__event=event)
                    .select_related("organisation")):
        result[refusal.expert_id].append({"organisation": refusal.organisation,
                                          "reason": refusal.reason_for_organisers})
    return dict(result)


def conflicted_requests(event) -> set[int]:
    """Active requests naming an expert who refuses the organisation (the refusal came after
    the request): the scheduler cannot place them."""
    refused = set(ExpertRefusal.objects.filter(expert__event=event)
                  .values_list("expert_id", "organisation_id"))
    return {r.pk for r in MeetingRequest.objects.filter(event=event,
                                                        status=MeetingRequest.Status.ACTIVE)
            if any((pk, r.organisation_id) in refused for pk in r.named_expert_ids)}


def participant_leaves(event, user, *, by) -> int:
    """Take a person out of every request of theirs; a request left without attendees is
    withdrawn and loses its working meeting. Returns the number of requests withdrawn."""
    withdrawn = 0
    with transaction.atomic():
        _lock_settings(event.pk)
        for request in MeetingRequest.objects.filter(event=event, attendees=user,
                                                     status=MeetingRequest.Status.ACTIVE):
            request.attendees.remove(user)
            if not request.attendees.exists():
                LIFE_CYCLE.move(request, MeetingRequest.Status.WITHDRAWN, actor=by)
                Meeting.objects.filter(request=request).delete()
                withdrawn += 1
        audit.record("meetings.participant_left", None, actor=by, event=event.pk)
    return withdrawn


def lose_slot(event, slot: int, *, by) -> int:
    """A slot can no longer be used (room lost, fire drill): its working meetings are dropped."""
    with transaction.atomic(durable=True):
        meeting_settings = MeetingSettings.objects.select_for_update().get(event=event)
        day = MeetingDay(meeting_settings)
        if not 0 <= slot < len(day):
            raise ValidationError(_("There is no such slot."))
        lost = set(meeting_settings.lost_slots or [])
        lost.add(slot)
        meeting_settings.lost_slots = sorted(lost)
        meeting_settings.save(update_fields=["lost_slots"])
        dropped, _by_model = Meeting.objects.filter(event=event, slot=slot).delete()
        audit.record("meetings.slot_lost", meeting_settings, actor=by, slot=slot)
    return dropped


# Changes of the day's set-up and of experts ----------------------------------------------------


@dataclass(frozen=True)
class Refit:
    """What a change of the set-up did to the working schedule: ``dropped`` meetings no
    longer fit (as ``lose_slot`` drops them: out of the working schedule, for a repair run to
    place again); ``moved`` meetings kept their slot number but it is now at another time.
    One readable sentence each."""

    dropped: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()


def save_settings(meeting_settings: MeetingSettings, *, by) -> Refit:
    """Save the meetings day (validated by the organisers' form) and re-check the working
    schedule against it, under the settings row's lock (the lock of ``lose_slot``,
    ``place_meeting`` and ``publish``) in one transaction: meetings in a slot that no longer
    exists or was withdrawn, whose attendees are now busy at the slot's new time, or beyond
    the tables of their slot are dropped, the least important request first (highest
    priority number, then the latest). Refuses (``ValidationError``) a close of requests that
    would reopen them after publication, decided under the same lock as ``publish``."""
    with transaction.atomic(durable=True):
        before = None
        if meeting_settings.pk is not None:
            stored = (MeetingSettings.objects.select_for_update().select_related("event")
                      .get(pk=meeting_settings.pk))
            if meeting_settings.requests_close_at != stored.requests_close_at:
                reason = reopening_refused(stored.event, meeting_settings.requests_close_at)
                if reason:
                    raise ValidationError({"requests_close_at": reason})
            # Withdrawn slots are lose_slot's: keep what is stored, not what the form read.
            meeting_settings.lost_slots = stored.lost_slots
            before = MeetingDay(stored)
        meeting_settings.save()
        refit = _refit(meeting_settings.event, MeetingDay(meeting_settings), before)
        audit.record("meetings.settings_changed", meeting_settings, actor=by,
                     dropped=list(refit.dropped), moved=list(refit.moved))
    return refit


def save_expert(expert: Expert, *, by) -> Refit:
    """Save an expert (validated by the organisers' form) and drop the working meetings of
    theirs that no longer fit: a discipline they no longer cover, a slot they are no longer
    available in, beyond a lower daily maximum (the latest slots go first). Under the
    settings row's lock, as every change of the working schedule."""
    with transaction.atomic(durable=True):
        meeting_settings = (MeetingSettings.objects.select_for_update().select_related("event")
                            .get(event_id=expert.event_id))
        expert.save()
        refit = _refit(meeting_settings.event, MeetingDay(meeting_settings), None,
                       expert=expert)
        audit.record("meetings.expert_saved", expert, actor=by, dropped=list(refit.dropped))
    return refit


def _refit(event, day: MeetingDay, before: MeetingDay | None, *, expert=None) -> Refit:
    """Drop the working meetings that break a hard rule the change can affect: the slot
    (exists, not withdrawn), attendees busy at its time and the tables (a change of the
    day), or the expert's disciplines, availability and daily maximum (a change of the
    expert, ``expert`` given). Call under the settings row's lock."""
    meetings = (Meeting.objects.filter(event=event)
                .select_related("request__organisation", "expert", "expert2")
                .prefetch_related("request__attendees")
                .order_by("request__priority", "request__submitted_at", "pk"))
    if expert is not None:
        meetings = _meets(meetings, expert).order_by("slot", "pk")
    busy_by_user = (busy.busy_slots_by_user(busy.collect(event, day)) if expert is None
                    else {})
    members = instance_module.confirmed_members(event) if expert is None else {}
    kept_per_slot: dict[int, int] = defaultdict(int)
    dropped, moved = [], []
    for meeting in meetings:
        reason = _misfit(meeting, day, busy_by_user, members, kept_per_slot, expert)
        label = _meeting_words(before or day, meeting.slot, meeting.request.organisation,
                               meeting.expert_names)
        if reason:
            dropped.append(as_sentence(_("%(meeting)s: %(reason)s") % {"meeting": label,
                                                                       "reason": reason}))
            meeting.delete()
            continue
        kept_per_slot[meeting.slot] += 1
        if before is not None and meeting.slot < len(before) and (
                before.slots[meeting.slot].start != day.slots[meeting.slot].start
                or before.slots[meeting.slot].end != day.slots[meeting.slot].end):
            moved.append(as_sentence(_("%(meeting)s is now at %(slot)s") % {
                "meeting": label, "slot": day.slots[meeting.slot].label}))
    return Refit(tuple(dropped), tuple(moved))


def _meeting_words(day: MeetingDay, slot: int, organisation, expert: str) -> str:
    names = {"organisation": organisation, "expert": expert}
    if 0 <= slot < len(day):
        return _("%(organisation)s with %(expert)s at %(slot)s") % {
            **names, "slot": day.slots[slot].label}
    return _("%(organisation)s with %(expert)s in slot %(slot)s") % {**names, "slot": slot}


def _misfit(meeting, day, busy_by_user, members, kept_per_slot, expert) -> str | None:
    slot = meeting.slot
    if expert is not None:
        if not seats_filled(meeting.request, [expert if e.pk == expert.pk else e
                                              for e in meeting.experts]):
            return _("%(name)s no longer serves %(target)s") % {
                "name": expert.name, "target": meeting.request.target_label}
        if not expert.is_active:
            return _("%(name)s has cancelled") % {"name": expert.name}
        if expert.available_slots and slot not in expert.available_slots:
            return _("%(name)s is no longer available then") % {"name": expert.name}
        if sum(kept_per_slot.values()) >= expert.max_meetings:
            return _("beyond %(name)s's daily maximum of %(most)s") % {
                "name": expert.name, "most": expert.max_meetings}
        return None
    if not 0 <= slot < len(day):
        return _("the slot no longer exists")
    if slot in day.lost:
        return _("the slot was withdrawn")
    request = meeting.request
    for person in request.attendees.all():
        why = busy_by_user.get(person.pk, {}).get(slot)
        if why and members.get(person.pk) == request.organisation_id:
            return _("%(person)s is busy at %(slot)s (%(why)s)") % {
                "person": person, "slot": day.slots[slot].label, "why": why}
    tables = day.tables(slot)
    if tables is not None and kept_per_slot[slot] >= tables:
        return ngettext("the %(count)s table of the slot is taken",
                        "all %(count)s tables of the slot are taken", tables) % {"count": tables}
    return None


# On the day -----------------------------------------------------------------------------------


def published_meeting(event, request_pk: int) -> dict | None:
    release = latest_release(event)
    if release is None:
        return None
    return next((m for m in release.snapshot.get("meetings", []) if m["request"] == request_pk),
                None)


def may_record(event, user, meeting: dict) -> bool:
    """The meeting's expert (by their login) or an organiser."""
    if is_organiser(user, event):
        return is_verified(user)
    expert = expert_of(event, user)
    return expert is not None and expert.pk in experts_of(meeting)


def check_in(event, request_pk: int, attendance: str, *, by) -> MeetingOutcome:
    meeting = published_meeting(event, request_pk)
    if meeting is None or not may_record(event, by, meeting):
        raise NotAllowed(_("No such meeting."))
    if attendance not in MeetingOutcome.Attendance.values:
        raise ValidationError(_("Say whether the meeting was held or a no-show."))
    with transaction.atomic(durable=True):
        outcome, _created = MeetingOutcome.objects.get_or_create(request_id=request_pk)
        outcome.attendance = attendance
        outcome.checked_in_at = clock.now()
        outcome.checked_in_by = by
        outcome.save()
        audit.record("meetings.checked_in", outcome, actor=by, attendance=attendance)
    return outcome


def save_notes(event, request_pk: int, *, by, notes_topic: str, follow_up_requested: bool,
               follow_up: str, category: str) -> MeetingOutcome:
    meeting = published_meeting(event, request_pk)
    if meeting is None or not may_record(event, by, meeting):
        raise NotAllowed(_("No such meeting."))
    with transaction.atomic(durable=True):
        outcome, _created = MeetingOutcome.objects.get_or_create(request_id=request_pk)
        outcome.notes_topic, outcome.follow_up_requested = notes_topic, follow_up_requested
        outcome.follow_up, outcome.category = follow_up, category
        outcome.notes_at, outcome.notes_by = clock.now(), by
        outcome.full_clean()
        outcome.save()
        audit.record("meetings.notes_saved", outcome, actor=by)
    return outcome
