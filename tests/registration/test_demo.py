import datetime as dt

import pytest

from fusionforum.accounts.models import Organisation
from fusionforum.registration import demo
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status
from tests.conftest import paris
from tests.demo_snapshot import load_full_demo

pytestmark = pytest.mark.django_db


def test_demo_registration_has_every_state_and_kind(clock):
    # The demo as `load_demo` leaves it (restored: the snapshot was made by a real load).
    clock.set(paris(2027, 5, 26, 10))
    event = load_full_demo(dt.date(2027, 5, 26))
    statuses = set(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert {Status.CONFIRMED, Status.PENDING, Status.WAITLISTED, Status.OFFERED,
            Status.CANCELLED} <= statuses
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == set(Organisation.Kind.values)
    assert all("(fictional)" in name for name in Organisation.objects.values_list("name",
                                                                                  flat=True))
    held = Registration.objects.filter(event=event, status__in=["confirmed", "offered"]).count()
    assert held <= event.registration_settings.capacity
    # Loading again changes nothing.
    before = list(Registration.objects.order_by("id").values_list("id", "status"))
    summary = demo.load(event)
    assert list(Registration.objects.order_by("id").values_list("id", "status")) == before
    assert demo.load(event) == summary
    assert list(Registration.objects.order_by("id").values_list("id", "status")) == before
