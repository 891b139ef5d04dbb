"""The site-visits app's part of a person's data download and of forgetting them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fusionforum.accounts.personal_data import Category, describe

from .models import Preference, Seat
from .states import ACTIVE

describe(Category(
    "visits", _("Site visits"),
    _("The tours you ranked, the seats and waiting places you hold on them."),
    _("To allocate tour seats and tell the site who comes."),
    _("With the event's records; deleting your account gives up your seats."),
    sections=("tour_rankings", "tour_seats"), module="visits", order=60))


def provide(user) -> dict:
    return {
        "tour_rankings": [
            {"event_slug": p.run.tour.event.slug, "tour": p.run.tour.name,
             "run_start": p.run.start.isoformat(), "rank": p.rank}
            for p in Preference.objects.filter(user=user).select_related("run__tour__event")
        ],
        "tour_seats": [
            {"event_slug": s.run.tour.event.slug, "tour": s.run.tour.name,
             "run_start": s.run.start.isoformat(), "status": s.status,
             "since": s.created_at.isoformat()}
            for s in Seat.objects.filter(user=user).select_related("run__tour__event")
        ],
    }


def anonymise(user) -> None:
    """Give up the person's seats (each freed seat goes to the waiting list) and drop their
    rankings; ended seats stay as anonymous history."""
    from . import services

    for seat in Seat.objects.filter(user=user, status__in=ACTIVE).select_related(
            "run__tour__event"):
        services.cancel(seat, note="account deleted")
    Preference.objects.filter(user=user).delete()
