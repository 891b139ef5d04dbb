"""Everything that changes tours, preferences and seats (views, admin, tests and the vault's
signal all come through here).

Capacity: every change that takes or frees a seat runs inside ``run_lock(run)``: one
transaction that first locks the run's row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the database's write lock). Counting and writing happen
under the lock, so two people can never both take the last seat.

Order with the meetings day: tours are allocated first (at the close of sign-up); the meetings
scheduler then treats tour seats as busy (see ``busy_provider``). The allocation itself avoids
the person's own released talks and any meetings already published.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from fusionforum.accounts.models import User
from fusionforum.cfp.models import SpeakerProfile
from fusionforum.core import audit, clock
from fusionforum.core.languages import speaking_to
from fusionforum.meetings.busy import Busy
from fusionforum.notifications.services import queue_email
from fusionforum.programme.models import Release
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status as RegistrationStatus
from fusionforum.vault import registry
from fusionforum.vault import services as vault_services

from . import allocation
from .models import Preference, Seat, TourRun, VisitSettings
from .states import ACTIVE, LIFE_CYCLE, SeatStatus
from .tasks import expire_waiting_places

# Switched off ONLY by the concurrency tests' negative control (monkeypatch), to show that the
# lock is what prevents an oversell.
LOCKING = True


class VisitError(Exception):
    """A refused action, with a message for the person."""


def _pause() -> None:
    """Between counting and writing a seat; the concurrency tests widen this window."""


# Reading ------------------------------------------------------------------------------------


def visit_settings(event) -> VisitSettings | None:
    return VisitSettings.objects.filter(event=event).first()


def phase(event, now=None) -> str:
    current = visit_settings(event)
    return "none" if current is None else current.phase(now or clock.now())


def confirmed_registration(event, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user,
                                       status=RegistrationStatus.CONFIRMED).first()


def runs_of(event):
    return (TourRun.objects.filter(tour__event=event).select_related("tour")
            .annotate(held=Count("seats", filter=Q(seats__status=SeatStatus.HELD)),
                      waiting=Count("seats", filter=Q(seats__status=SeatStatus.WAITLISTED)))
            .order_by("start", "tour__position", "id"))


def waiting_list(run) -> list[Seat]:
    """The run's waiting list in order (first joined first); positions are 1, 2, 3, ..."""
    return list(Seat.objects.filter(run=run, status=SeatStatus.WAITLISTED)
                .select_related("user").order_by("waitlisted_at", "id"))


def waiting_position(seat: Seat) -> int | None:
    if seat.status != SeatStatus.WAITLISTED:
        return None
    return Seat.objects.filter(run_id=seat.run_id, status=SeatStatus.WAITLISTED).filter(
        Q(waitlisted_at__lt=seat.waitlisted_at)
        | Q(waitlisted_at=seat.waitlisted_at, id__lt=seat.id)).count() + 1


def seats_of(event, user):
    return (Seat.objects.filter(run__tour__event=event, user=user, status__in=ACTIVE)
            .select_related("run__tour").order_by("run__start"))


def ranking_of(event, user) -> list[Preference]:
    return list(Preference.objects.filter(run__tour__event=event, user=user)
                .select_related("run__tour").order_by("rank"))


def busy_periods(event, user_ids=None) -> dict[int, list[tuple[dt.datetime, dt.datetime, str]]]:
    """{user id: [(start, end, why)]}: released talks the person gives (latest programme
    release) and meetings of the latest published meetings day they attend."""
    found: dict[int, list] = defaultdict(list)
    release = Release.objects.filter(event=event).order_by("-version").first()
    if release is not None:
        talks = (release.snapshot or {}).get("talks", [])
        codes = {c for talk in talks for c in talk.get("speakers", [])}
        users = dict(SpeakerProfile.objects.filter(event=event, code__in=codes,
                                                    user__isnull=False)
                     .values_list("code", "user_id"))
        for talk in talks:
            start, end = (dt.datetime.fromisoformat(talk["start"]),
                          dt.datetime.fromisoformat(talk["end"]))
            for code in talk.get("speakers", []):
                if code in users:
                    found[users[code]].append((start, end, ("talk", talk["title"])))
    try:
        from fusionforum.meetings.models import MeetingRelease
    except ImportError:  # pragma: no cover
        MeetingRelease = None
    if MeetingRelease is not None:
        published = MeetingRelease.objects.filter(event=event).order_by("-version").first()
        for meeting in (published.snapshot or {}).get("meetings", []) if published else []:
            start, end = (dt.datetime.fromisoformat(meeting["start"]),
                          dt.datetime.fromisoformat(meeting["end"]))
            people = list(meeting.get("attendees", []))
            if meeting.get("expert_user"):
                people.append(meeting["expert_user"])
            for user_id in people:
                found[user_id].append((start, end, ("meeting", "")))
    if user_ids is not None:
        wanted = set(user_ids)
        return {k: v for k, v in found.items() if k in wanted}
    return dict(found)


# Clearance (the vault sits below: we ask it, it never asks us) --------------------------------


CLEARANCE_LABELS = {
    "not_required": pgettext_lazy("site access clearance", "not required"),
    "missing": pgettext_lazy("site access clearance", "identity data missing"),
    "submitted": pgettext_lazy("site access clearance",
                               "submitted, awaiting the security office"),
    "approved": pgettext_lazy("site access clearance", "approved"),
    "refused": pgettext_lazy("site access clearance", "refused"),
}

SOURCE_LABELS = {
    "allocation": pgettext_lazy("seat source", "allocation"),
    "first-come": pgettext_lazy("seat source", "first come"),
    "waiting list": pgettext_lazy("seat source", "waiting list"),
    "organiser": pgettext_lazy("seat source", "organiser"),
}


def clearance_label(status: str) -> str:
    """A clearance status (``clearance_status``) in words for a page, in its language."""
    return str(CLEARANCE_LABELS.get(status, status)) if status else ""


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def _already_on(organiser: bool) -> str:
    if organiser:
        return _("The person is already on that run or its waiting list.")
    return _("You are already on this run or its waiting list.")


def clearance_status(event, user) -> str:
    """``not_required``, ``missing``, ``submitted``, ``approved`` or ``refused``."""
    return vault_services.clearance_status(event, user)


def clearance_statuses(event) -> dict[int, str]:
    """{user id: status} for the organisers' lists (never any identity value)."""
    return vault_services.statuses(event)


def clearance_possible(run: TourRun, user, now=None) -> bool:
    """Approved, or not refused and still early enough for the security office."""
    status = clearance_status(run.tour.event, user)
    if status == "approved":
        return True
    return status != "refused" and (now or clock.now()) + run.tour.clearance_lead <= run.start


# The seat state machine ---------------------------------------------------------------------


def _move(seat: Seat, target: str, *, by=None, note: str = "") -> Seat:
    """The one place a seat changes state: through its life cycle (checked, written, logged,
    announced after commit), with the audit entry."""
    now = clock.now()
    changes = {"updated_at": now}
    if target == SeatStatus.WAITLISTED:
        changes["waitlisted_at"] = seat.waitlisted_at or now
    current = LIFE_CYCLE.move(seat, target, actor=by, note=note, at=now,
                              changes=changes).from_state
    audit.record(f"visits.seat_{target}", seat, actor=by,
                 summary=f"{seat.run}: {current or 'new'} → {target}", user_id=seat.user_id,
                 run_id=seat.run_id)
    return seat


def _new_seat(run, user, target, *, by=None, source="", note="", waitlisted_at=None) -> Seat:
    now = clock.now()
    # A new seat's status is "" until its first move.
    seat = Seat(run=run, user=user, source=source, created_at=now, updated_at=now,
                waitlisted_at=waitlisted_at)
    _move(seat, target, by=by, note=note)
    if target == SeatStatus.WAITLISTED:
        _schedule_expiry(run)
    return seat


def _schedule_expiry(run: TourRun) -> None:
    def enqueue():
        backend = expire_waiting_places.get_backend()
        if backend.supports_defer:
            expire_waiting_places.using(run_after=run.start).enqueue(run.pk)
        # Backends that cannot defer rely on the `expire_tour_waiting_lists` command (cron).

    transaction.on_commit(enqueue)


@contextmanager
def run_lock(*runs: TourRun, durable: bool = False) -> Iterator[None]:
    """One transaction holding the rows of ``runs`` (locked in id order: no deadlock).

    The capacity and start of each given run are re-read from the locked row, so a change an
    organiser saved while the caller waited is what the caller counts against. ``durable``:
    the caller is a top-level service that no other transaction may wrap."""
    ids = sorted({run.pk for run in runs})
    if not LOCKING:
        _refresh(runs, TourRun.objects.filter(pk__in=ids))
        yield
        return
    with transaction.atomic(durable=durable):
        _refresh(runs, TourRun.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        yield


def _refresh(runs, rows) -> None:
    current = {row.pk: row for row in rows}
    for run in runs:
        if run.pk in current:
            run.capacity, run.start = current[run.pk].capacity, current[run.pk].start


def _held(run_id: int) -> int:
    return Seat.objects.filter(run_id=run_id, status=SeatStatus.HELD).count()


def _overlap_reason(why: tuple[str, str], *, organiser: bool = False) -> str:
    """A busy period (``("talk", title)`` or ``("meeting", "")``) as a sentence, in the
    language of the moment; ``organiser``: said of the person rather than to them."""
    kind, title = why
    if kind == "talk":
        if organiser:
            return _("It overlaps the person's talk “%(title)s”.") % {"title": title}
        return _("It overlaps your talk “%(title)s”.") % {"title": title}
    return _("It overlaps a published expert meeting.")


def _same_tour(tour_name: str, *, organiser: bool = False) -> str:
    if organiser:
        return _("The person already has a seat on “%(tour)s”.") % {"tour": tour_name}
    return _("You already have a seat on “%(tour)s”.") % {"tour": tour_name}


def _overlaps_seat(tour_name: str, *, organiser: bool = False) -> str:
    if organiser:
        return _("It overlaps the person's seat on “%(tour)s”.") % {"tour": tour_name}
    return _("It overlaps your seat on “%(tour)s”.") % {"tour": tour_name}


def _conflict(run: TourRun, user, *, ignore_seat=None, organiser: bool = False) -> str | None:
    """Why the person cannot hold ``run`` besides their other seats and busy periods."""
    others = Seat.objects.filter(run__tour__event_id=run.tour.event_id, user=user,
                                 status=SeatStatus.HELD).select_related("run__tour")
    if ignore_seat is not None:
        others = others.exclude(pk=ignore_seat.pk)
    for seat in others:
        if seat.run.tour_id == run.tour_id:
            return _same_tour(run.tour.name, organiser=organiser)
        if run.overlaps(seat.run.start, seat.run.end):
            return _overlaps_seat(seat.run.tour.name, organiser=organiser)
    for start, end, why in busy_periods(run.tour.event, [user.pk]).get(user.pk, []):
        if run.overlaps(start, end):
            return _overlap_reason(why, organiser=organiser)
    return None


def unavailable_runs(event, user, runs) -> dict[int, str]:
    """For the participants' page: run id -> why ``take_seat`` would refuse the person that
    run (a seat on the same tour, an overlap with another seat, a talk or a published
    meeting), so that the page offers no button the service refuses. The same rules as
    ``_conflict``, with the person's seats and busy periods read once."""
    held = list(Seat.objects.filter(run__tour__event_id=event.pk, user=user,
                                    status=SeatStatus.HELD).select_related("run__tour"))
    busy = busy_periods(event, [user.pk]).get(user.pk, [])
    reasons = {}
    for run in runs:
        if any(seat.run_id == run.pk for seat in held):
            continue
        for seat in held:
            if seat.run.tour_id == run.tour_id:
                reasons[run.pk] = _same_tour(run.tour.name)
                break
            if run.overlaps(seat.run.start, seat.run.end):
                reasons[run.pk] = _overlaps_seat(seat.run.tour.name)
                break
        else:
            for start, end, why in busy:
                if run.overlaps(start, end):
                    reasons[run.pk] = _overlap_reason(why)
                    break
    return reasons


def take_seat(run: TourRun, user, *, by=None, source="first-come",
              allow_waitlist=True, organiser: bool = False) -> Seat:
    """After the allocation: a free seat first come, first served, else the waiting list."""
    event = run.tour.event
    now = clock.now()
    if phase(event, now) != "allocated":
        raise VisitError(_("Free seats open once the organisers have allocated the tours."))
    if confirmed_registration(event, user) is None:
        raise VisitError(_("Only participants with a confirmed registration can join a tour."))
    if run.start <= now:
        raise VisitError(_("This run has already started."))
    with run_lock(run, durable=True):
        if Seat.objects.filter(run=run, user=user, status__in=ACTIVE).exists():
            raise VisitError(_already_on(organiser))
        reason = _conflict(run, user, organiser=organiser)
        if reason:
            raise VisitError(reason)
        free = _held(run.pk) < run.capacity
        _pause()
        if not free and not allow_waitlist:
            raise VisitError(_("This run is full."))
        target = SeatStatus.HELD if free else SeatStatus.WAITLISTED
        try:
            with transaction.atomic():
                seat = _new_seat(run, user, target, by=by, source=source)
        except IntegrityError as exc:
            raise VisitError(_already_on(organiser)) from exc
    if target == SeatStatus.HELD:
        _mail_seat(seat, gettext_lazy("You have a seat"))
    return seat


def cancel(seat: Seat, *, by=None, note: str = "") -> Seat:
    with run_lock(seat.run):
        seat.refresh_from_db()
        was_held = seat.status == SeatStatus.HELD
        _move(seat, SeatStatus.CANCELLED, by=by, note=note or "cancelled")
        if was_held:
            promote(seat.run)
    return seat


def promote(run: TourRun, *, now=None) -> list[Seat]:
    """Fill the run's free seats from its waiting list, in order, skipping people whose
    clearance can no longer be approved before the run. Call under ``run_lock(run)``."""
    now = now or clock.now()
    if run.start <= now:
        return []
    free = run.capacity - _held(run.pk)
    promoted: list[Seat] = []
    for seat in waiting_list(run):
        if free <= 0:
            break
        if (confirmed_registration(run.tour.event, seat.user) is None
                or not clearance_possible(run, seat.user, now) or _conflict(run, seat.user)):
            continue
        _move(seat, SeatStatus.HELD, note="promoted from the waiting list")
        _mail_seat(seat, "A seat has become free for you")
        promoted.append(seat)
        free -= 1
    return promoted


def expire_waiting(now=None) -> int:
    """Waiting places on runs that have started can no longer become seats: they expire."""
    now = now or clock.now()
    expired = 0
    for seat in (Seat.objects.filter(status=SeatStatus.WAITLISTED, run__start__lte=now)
                 .select_related("run__tour")):
        with transaction.atomic():
            _move(seat, SeatStatus.EXPIRED, note="the run started")
        expired += 1
    return expired


def refuse_clearance(event, user, *, by=None) -> list[Seat]:
    """The security office refused: every seat and waiting place of the person at the event
    ends, each freed seat goes to the waiting list, and the person is told."""
    ended = []
    seats = list(Seat.objects.filter(run__tour__event=event, user=user, status__in=ACTIVE)
                 .select_related("run__tour__event"))
    for seat in seats:
        with run_lock(seat.run):
            seat.refresh_from_db()
            if seat.status not in ACTIVE:
                continue
            was_held = seat.status == SeatStatus.HELD
            _move(seat, SeatStatus.REFUSED_CLEARANCE, by=by, note="site access refused")
            ended.append(seat)
            if was_held:
                promote(seat.run)
    if ended:
        with speaking_to(user, event):
            lines = "\n".join(f"- {s.run.tour.name}, {_when(s.run)}" for s in ended)
            queue_email(
                to=[user.email],
                subject=_("%(event)s: site visits cancelled") % {"event": event.title},
                body=_("Hello,\n\nThe site's security office could not grant you access, so "
                       "your places on these tours have been released:\n\n%(lines)s\n\n"
                       "Please contact the organisers if you have questions.\n")
                % {"lines": lines},
                purpose="visits.refused")
    return ended


def move(seat: Seat, target: TourRun, *, by) -> Seat:
    """Organiser: move a held seat to another run, within that run's capacity."""
    if seat.status != SeatStatus.HELD:
        raise VisitError(_("Only a held seat can be moved."))
    if target.pk == seat.run_id:
        raise VisitError(_("The seat is already on that run."))
    with run_lock(seat.run, target, durable=True):
        seat.refresh_from_db()
        if seat.status != SeatStatus.HELD:
            raise VisitError(_("Only a held seat can be moved."))
        if _held(target.pk) >= target.capacity:
            raise VisitError(ngettext("“%(run)s” is full (%(count)s seat).",
                                      "“%(run)s” is full (%(count)s seats).", target.capacity)
                             % {"run": target, "count": target.capacity})
        if Seat.objects.filter(run=target, user=seat.user, status__in=ACTIVE).exists():
            raise VisitError(_already_on(True))
        reason = _conflict(target, seat.user, ignore_seat=seat, organiser=True)
        if reason:
            raise VisitError(reason)
        _move(seat, SeatStatus.CANCELLED, by=by, note=f"moved to run {target.pk}")
        new = _new_seat(target, seat.user, SeatStatus.HELD, by=by, source="organiser",
                        note=f"moved from run {seat.run_id}")
        promote(seat.run)
    _mail_seat(new, gettext_lazy("Your tour has changed"))
    return new


# The organisers' set-up ----------------------------------------------------------------------


class CapacityBelowHeld(VisitError):
    """A run's new capacity is smaller than the seats already held on it."""


def save_window(window: VisitSettings, *, by) -> VisitSettings:
    """Save the event's sign-up window (validated by the organisers' form)."""
    with transaction.atomic(durable=True):
        window.save()
        audit.record("visits.window_saved", window, actor=by, summary="tour sign-up window saved")
    return window


def save_tour(tour, *, by):
    """Save a tour type (validated by the organisers' form)."""
    with transaction.atomic(durable=True):
        tour.save()
        audit.record("visits.tour_saved", tour, actor=by, summary=tour.name)
    return tour


def save_run(run: TourRun, *, by) -> tuple[TourRun, list[Seat]]:
    """Save a new or changed run; returns it and the people promoted from its waiting list.

    A changed run is checked and saved under its own ``run_lock``: the seats held are counted
    under the lock, so nobody can take a seat between the count and the save and leave more
    seats held than the new capacity; a larger capacity then fills from the waiting list in
    the same transaction. Raises ``CapacityBelowHeld`` (nothing saved) when the new capacity
    is below the seats held."""
    if run.pk is None:
        with transaction.atomic(durable=True):
            run.save()
            audit.record("visits.run_saved", run, actor=by, summary=str(run))
        return run, []
    stored = TourRun.objects.select_related("tour__event").get(pk=run.pk)
    with run_lock(stored, durable=True):
        held = _held(run.pk)
        _pause()
        if run.capacity < held:
            raise CapacityBelowHeld(ngettext(
                "%(count)s seat is already held; move or cancel it first.",
                "%(count)s seats are already held; move or cancel some first.", held)
                % {"count": held})
        run.save()
        audit.record("visits.run_saved", run, actor=by, summary=str(run))
        promoted = promote(run)  # a larger coach frees seats for the waiting list
    return run, promoted


# Sign-up and allocation ---------------------------------------------------------------------


def save_ranking(event, user, run_ids: list[int]) -> list[Preference]:
    """Replace the person's ranking (most wanted first) while sign-up is open."""
    now = clock.now()
    if phase(event, now) != "open":
        raise VisitError(_("Tour sign-up is not open."))
    if confirmed_registration(event, user) is None:
        raise VisitError(_("Only participants with a confirmed registration can sign up."))
    if len(set(run_ids)) != len(run_ids):
        raise VisitError(_("Each run can be ranked only once."))
    runs = {r.pk: r for r in TourRun.objects.filter(tour__event=event, pk__in=run_ids)}
    if len(runs) != len(run_ids):
        raise VisitError(_("Unknown tour run."))
    with transaction.atomic(durable=True):
        Preference.objects.filter(run__tour__event=event, user=user).delete()
        prefs = [Preference.objects.create(run=runs[run_id], user=user, rank=rank,
                                           updated_at=now)
                 for rank, run_id in enumerate(run_ids, start=1)]
        audit.record("visits.ranking_saved", event, actor=user,
                     summary=f"{len(prefs)} tour run(s) ranked", runs=run_ids)
    return prefs


def instance(event) -> tuple[list[allocation.Run], list[allocation.Person]]:
    """The allocation's input from the database: runs, and confirmed participants' rankings
    with their busy periods."""
    runs = [allocation.Run(r.pk, r.tour_id, r.start, r.end, r.capacity)
            for r in TourRun.objects.filter(tour__event=event).order_by("pk")]
    confirmed = set(Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
                    .values_list("user_id", flat=True))
    rankings: dict[int, list[int]] = defaultdict(list)
    for user_id, run_id in (Preference.objects.filter(run__tour__event=event,
                                                      user_id__in=confirmed)
                            .order_by("user_id", "rank").values_list("user_id", "run_id")):
        rankings[user_id].append(run_id)
    busy = busy_periods(event, rankings.keys())
    people = [allocation.Person(user_id, tuple(ranking),
                                tuple((s, e) for s, e, _why in busy.get(user_id, [])))
              for user_id, ranking in sorted(rankings.items())]
    return runs, people


def preview(event) -> tuple[allocation.Result, list, list]:
    runs, people = instance(event)
    return allocation.allocate(runs, people), runs, people


def apply_allocation(event, *, by) -> allocation.Result:
    """At the close: compute the allocation and give the seats; wishes not granted join the
    waiting lists (people left without any tour ahead of the others); everyone is told."""
    now = clock.now()
    with transaction.atomic(durable=True):
        current = VisitSettings.objects.select_for_update().get(event=event)
        if current.phase(now) != "closed":
            raise VisitError(_("The allocation runs once, after sign-up has closed."))
        # The runs too, as run_lock would: a capacity changed now waits for the seats below.
        list(TourRun.objects.select_for_update(of=("self",)).filter(tour__event=event)
             .order_by("pk"))
        result, runs, people = preview(event)
        run_objects = {r.pk: r for r in TourRun.objects.filter(tour__event=event)
                       .select_related("tour")}
        for person in people:
            granted = result.assignment.get(person.id, [])
            for run_id in granted:
                _new_seat(run_objects[run_id], _user(person.id), SeatStatus.HELD, by=by,
                          source="allocation", note="allocation")
            # People left without any tour go ahead of the others on the waiting lists.
            joined = now if not granted else now + dt.timedelta(seconds=1)
            blocked = set(result.blocked.get(person.id, []))
            held = [run_objects[r] for r in granted]
            for run_id in dict.fromkeys(person.ranking):
                run = run_objects.get(run_id)
                if run is None or run_id in granted or run_id in blocked:
                    continue
                if any(allocation.conflicting(
                        allocation.Run(h.pk, h.tour_id, h.start, h.end, 0),
                        allocation.Run(run.pk, run.tour_id, run.start, run.end, 0))
                       for h in held):
                    continue
                _new_seat(run, _user(person.id), SeatStatus.WAITLISTED, by=by,
                          source="allocation", note="wish not granted at the allocation",
                          waitlisted_at=joined)
        current.allocated_at = now
        current.allocated_by = by
        current.save(update_fields=["allocated_at", "allocated_by"])
        audit.record("visits.allocated", event, actor=by,
                     summary=f"{result.served} people served, satisfaction "
                             f"{result.satisfaction}", served=result.served)
        _mail_allocation(event, people, result, run_objects)
    return result


def _user(user_id):
    return User(pk=user_id)


# E-mails ------------------------------------------------------------------------------------


def _when(run: TourRun) -> str:
    from django.utils import timezone

    local = timezone.localtime(run.start, run.tour.event.tz)
    return _("%(when)s (%(minutes)s min), meet at %(place)s") % {
        "when": formats.date_format(local, "l j F, H:i"), "minutes": run.duration_minutes,
        "place": run.meeting_point}


def _page(event) -> str:
    return django_settings.SITE_URL + reverse("visits:home", args=[event.slug])


def _mail_seat(seat: Seat, subject) -> None:
    """``subject``: a lazy string, rendered in the recipient's language."""
    run = seat.run
    event = run.tour.event
    user = seat.user
    with speaking_to(user, event):
        body = _("Hello,\n\nYou have a seat on the tour “%(tour)s”:\n%(when)s.\n\n") % {
            "tour": run.tour.name, "when": _when(run)}
        body += ngettext(
            "The site needs your identity data for access at least %(days)s day before the "
            "tour.", "The site needs your identity data for access at least %(days)s days "
            "before the tour.", run.tour.clearance_lead_days) % {
            "days": run.tour.clearance_lead_days}
        body += " " + _("Your tours and requirements: %(url)s") % {"url": _page(event)} + "\n"
        queue_email(to=[user.email],
                    subject=_("%(event)s: %(subject)s – %(tour)s") % {
                        "event": event.title, "subject": subject, "tour": run.tour.name},
                    body=body, purpose="visits.seat")


def _mail_allocation(event, people, result, run_objects) -> None:
    emails = dict(User.objects.filter(pk__in=[p.id for p in people])
                  .values_list("pk", "email"))
    users = {u.pk: u for u in User.objects.filter(pk__in=[p.id for p in people])}
    for person in people:
        granted = result.assignment.get(person.id, [])
        with speaking_to(users.get(person.id), event):
            if granted:
                lines = "\n".join(f"- {run_objects[r].tour.name}: {_when(run_objects[r])}"
                                  for r in granted)
                body = _("Hello,\n\nThe tours have been allocated. You have a seat on:\n\n"
                         "%(lines)s\n\nWishes we could not grant are on the waiting lists; you "
                         "will hear from us if a seat frees up. Details: %(url)s\n") % {
                    "lines": lines, "url": _page(event)}
            else:
                body = _("Hello,\n\nThe tours have been allocated. We are sorry: there was no "
                         "seat left on the runs you asked for. You are on their waiting lists, "
                         "ahead of people who already have a tour. Details: %(url)s\n") % {
                    "url": _page(event)}
            queue_email(to=[emails[person.id]],
                        subject=_("%(event)s: your site visits") % {"event": event.title},
                        body=body, purpose="visits.allocation")


# Providers for the apps below (registered in apps.py) ------------------------------------------


def seat_holders(event):
    """For the vault: everyone holding at least one seat, with their first start, last end
    and the date their clearance is due."""
    people: dict[int, list] = {}
    for seat in (Seat.objects.filter(run__tour__event=event, status=SeatStatus.HELD)
                 .select_related("user", "run__tour")):
        people.setdefault(seat.user_id, [seat.user, []])[1].append(seat.run)
    for user, runs in people.values():
        yield registry.SeatHolder(user, min(r.start for r in runs), max(r.end for r in runs),
                                  min(r.clearance_due for r in runs))


def busy_provider(event, day):
    """For the meetings scheduler: each run overlapping the meetings day with its seats."""
    if not day.slots:
        return []
    found = []
    for run in (TourRun.objects.filter(tour__event=event).select_related("tour__event")
                .prefetch_related("seats").order_by("start", "pk")):
        slots = day.overlapping(run.start, run.end)
        if not slots:
            continue
        users = sorted(s.user_id for s in run.seats.all() if s.status == SeatStatus.HELD)
        found.append(Busy(key=f"visit-{run.pk}", label=f"{run.tour.name} ({_when(run)})",
                          user_ids=users, slots=slots, site_visit=True, capacity=run.capacity))
    return found


# A registration in one of these states no longer brings its holder to the workshop.
REGISTRATION_ENDED = frozenset({RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED,
                                RegistrationStatus.EXPIRED})


def release_after_registration_ended(event, user) -> list[Seat]:
    """Someone whose registration ended (cancelled, rejected, offer expired) keeps no tour seat
    or waiting place: each freed seat goes to the waiting list, and the vault stops asking them
    for identity data (they are no longer a seat holder)."""
    if confirmed_registration(event, user) is not None:
        return []
    ended = []
    for seat in (Seat.objects.filter(run__tour__event=event, user=user, status__in=ACTIVE)
                 .select_related("run__tour__event")):
        with run_lock(seat.run):
            seat.refresh_from_db()
            if seat.status not in ACTIVE:
                continue
            was_held = seat.status == SeatStatus.HELD
            _move(seat, SeatStatus.CANCELLED, note="registration ended")
            ended.append(seat)
            if was_held:
                promote(seat.run)
    return ended


def on_registration_moved(sender, instance, from_state, to_state, **kwargs):
    # ``core.lifecycle.moved`` comes after the registration's transaction (and its seat lock)
    # has committed; a save that does not end the registration sends nothing.
    if to_state in REGISTRATION_ENDED:
        release_after_registration_ended(instance.event, instance.user)


def on_clearance_decided(sender, event, user, status, by=None, **kwargs):
    if status == "refused":
        refuse_clearance(event, user, by=by)
