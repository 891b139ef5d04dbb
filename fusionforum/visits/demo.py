"""The demo workshop's site visits: the five tours with runs over the three days, rankings of
the confirmed (fictional) participants, the allocation applied, a cancellation that promoted
someone from a waiting list, and waiting lists on the popular runs.

Sign-up closed before the workshop; the allocation was applied with the real optimiser.
Idempotent: loading again on the same day keeps everything; when the workshop moved to other
days the tours are rebuilt.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from fusionforum.events.demo import DEMO_VISITOR
from fusionforum.events.models import TeamMembership
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status

from . import services
from .models import Preference, Seat, TourRun, TourType, VisitSettings

DEMO_PARTICIPANT = DEMO_VISITOR  # the README's visitor: holds seats, site access approved

# name, description, min age, closed shoes, equipment, mobility, languages, lead days
TOURS = [
    ("Main tour: assembly hall and tokamak pit",
     "The assembly hall where the vacuum vessel sectors are joined, then the gallery above the "
     "tokamak pit. The tour everyone asks for (demo description, fictional site).",
     18, True, "Helmet and high-visibility vest, provided at the meeting point",
     "About 400 m of walking and one flight of stairs; a lift is available on request",
     "English, French", 12),
    ("Cryogenics plant",
     "The helium refrigerators and cold boxes that will cool the magnets to 4 K.",
     18, True, "Safety glasses, provided", "Step-free route", "English", 12),
    ("Reactive power compensation",
     "The static VAR compensators that keep the grid stable while the magnets ramp.",
     18, True, "", "Outdoor gravel paths", "English", 12),
    ("Magnet conversion buildings",
     "The converters that feed tens of kiloamperes to the superconducting coils.",
     16, True, "Hearing protection, provided", "Step-free route", "English, Italian", 12),
    ("Workshops with ongoing repairs",
     "Where components are inspected and repaired; what you see depends on the day.",
     18, True, "Helmet, safety shoes and glasses, provided in your size if you tell us",
     "Narrow aisles and ladders; not accessible in a wheelchair", "English, French", 12),
]

# tour index, day offset, hour, minute, minutes, capacity, meeting point, guide
RUNS = [
    (0, 0, 17, 30, 120, 30, "Visitor centre, coach bay 1", "Guide One (fictional)"),
    (0, 1, 17, 30, 120, 30, "Visitor centre, coach bay 1", "Guide One (fictional)"),
    (0, 2, 9, 0, 150, 30, "Visitor centre, coach bay 1", "Guide Two (fictional)"),
    (1, 1, 8, 0, 90, 12, "Visitor centre, coach bay 2", "Guide Three (fictional)"),
    (1, 2, 14, 0, 90, 12, "Visitor centre, coach bay 2", "Guide Three (fictional)"),
    (2, 2, 11, 0, 75, 10, "Visitor centre, coach bay 3", "Guide Four (fictional)"),
    (3, 2, 14, 30, 90, 10, "Visitor centre, coach bay 3", "Guide Four (fictional)"),
    (4, 0, 18, 0, 90, 6, "Workshop gate W2", "Guide Five (fictional)"),
    (4, 2, 15, 0, 90, 6, "Workshop gate W2", "Guide Five (fictional)"),
]


def _at(event, offset: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(event.start_date + dt.timedelta(days=offset),
                               dt.time(hour, minute), tzinfo=event.tz)


def _is_current(event) -> bool:
    first = TourRun.objects.filter(tour__event=event).order_by("start").first()
    return (first is not None and first.start == _at(event, 0, 17, 30)
            and VisitSettings.objects.filter(event=event, allocated_at__isnull=False).exists())


def load(event) -> str:
    if _is_current(event):
        return (f"Site visits: {TourType.objects.filter(event=event).count()} tours, "
                f"{Seat.objects.filter(run__tour__event=event, status='held').count()} seats "
                f"held (kept)")
    organiser = (TeamMembership.objects.filter(event=event, role=TeamMembership.Role.ORGANISER)
                 .select_related("user").first())
    by = organiser.user if organiser else None
    with transaction.atomic():
        TourType.objects.filter(event=event).delete()
        VisitSettings.objects.filter(event=event).delete()
        VisitSettings.objects.create(
            event=event, signup_opens_at=_at(event, -40, 9, 0),
            signup_closes_at=_at(event, -20, 18, 0))
        tours = []
        for position, (name, description, age, shoes, equipment, mobility, languages,
                       lead) in enumerate(TOURS, start=1):
            tours.append(TourType.objects.create(
                event=event, name=name, description=description, minimum_age=age,
                closed_shoes=shoes, protective_equipment=equipment, mobility_limits=mobility,
                languages=languages, clearance_lead_days=lead, position=position))
        runs = [TourRun.objects.create(tour=tours[t], start=_at(event, day, hour, minute),
                                       duration_minutes=minutes, capacity=capacity,
                                       meeting_point=point, guide=guide)
                for t, day, hour, minute, minutes, capacity, point, guide in RUNS]
        people = list(Registration.objects.filter(event=event, status=Status.CONFIRMED)
                      .select_related("user").order_by("user__email"))
        rng = random.Random(6)  # noqa: S311 (demo data, reproducible)
        ranked_at = _at(event, -25, 10, 0)
        for registration in people:
            user = registration.user
            if user.email == DEMO_PARTICIPANT:
                choice = [runs[2], runs[4], runs[8]]
            else:
                # The main tour is the most wanted; the workshops are small and popular.
                weights = [6, 4, 5, 3, 3, 2, 2, 3, 4]
                count = rng.choice([1, 2, 2, 3, 3, 4])
                choice = []
                while len(choice) < count:
                    run = rng.choices(runs, weights=weights)[0]
                    if run not in choice:
                        choice.append(run)
            for rank, run in enumerate(choice, start=1):
                Preference.objects.create(run=run, user=user, rank=rank, updated_at=ranked_at)
    result = services.apply_allocation(event, by=by)
    # One participant gave up a workshop seat afterwards: the next person who can still be
    # cleared in time (or already is) was promoted from the waiting list.
    cancelled = ""
    workshop = runs[8]
    holders = list(Seat.objects.filter(run=workshop, status="held").select_related("user")
                   .exclude(user__email=DEMO_PARTICIPANT).order_by("user__email"))
    if holders:
        services.cancel(holders[0], by=holders[0].user, note="demo: plans changed")
        cancelled = "; one cancellation"
    # Late sign-ups after the close, first come first served, until the workshop run is full
    # and has a waiting list.
    for registration in people:
        if Seat.objects.filter(run=workshop, status="waitlisted").exists():
            break
        try:
            services.take_seat(workshop, registration.user, by=registration.user)
        except services.VisitError:
            continue
    waiting = Seat.objects.filter(run__tour__event=event, status="waitlisted").count()
    return (f"Site visits: {len(TOURS)} tours, {len(RUNS)} runs, {len(people)} participants "
            f"ranked, {result.served} with a tour, {waiting} on waiting lists{cancelled}")
