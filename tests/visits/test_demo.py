import datetime as dt

import pytest
from django.db.models import Count, Q

from fusionforum.events.demo import load_demo
from fusionforum.registration import demo as registration_demo
from fusionforum.visits import demo, services
from fusionforum.visits.models import Seat, TourRun, TourType

pytestmark = pytest.mark.django_db


def test_demo_tours_runs_allocation_and_waiting_lists(clock):
    clock.set(dt.datetime(2027, 5, 26, 10, tzinfo=dt.UTC))
    event = load_demo(today=dt.date(2027, 5, 26))
    registration_demo.load(event)  # the confirmed participants who rank tours
    assert "5 tours, 9 runs" in demo.load(event)
    assert TourType.objects.filter(event=event).count() == 5
    days = {run.start.astimezone(event.tz).date() for run in
            TourRun.objects.filter(tour__event=event)}
    assert days == {dt.date(2027, 5, 26), dt.date(2027, 5, 27), dt.date(2027, 5, 28)}
    assert services.phase(event) == "allocated"
    statuses = set(Seat.objects.filter(run__tour__event=event).values_list("status", flat=True))
    assert {"held", "waitlisted", "cancelled"} <= statuses
    for run in (TourRun.objects.filter(tour__event=event)
                .annotate(n=Count("seats", filter=Q(seats__status="held")))):
        assert run.n <= run.capacity
    assert Seat.objects.filter(user__email=demo.DEMO_PARTICIPANT, status="held").exists()
    before = list(Seat.objects.order_by("id").values_list("id", "status"))
    assert "(kept)" in demo.load(event)
    assert list(Seat.objects.order_by("id").values_list("id", "status")) == before
