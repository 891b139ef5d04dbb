"""The demo's meetings day is coherent: requests closed (and were made before the close)
before the schedule was published, so no page shows a published schedule next to "requests
are open until …"; a reload keeps it so."""

import datetime as dt

import pytest
from django.urls import reverse

from fusionforum.events.demo import load_demo
from fusionforum.meetings import demo, services
from fusionforum.meetings.models import MeetingRequest
from fusionforum.registration import demo as registration_demo
from tests.conftest import paris
from tests.demo_snapshot import load_full_demo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("loaded_on", ["day 1", "six days ahead"])
def test_demo_requests_close_before_publication(clock, client, loaded_on):
    if loaded_on == "day 1":  # `make demo`: day 1 is the day it is loaded
        clock.set(paris(2027, 5, 26, 10))
        event = load_full_demo(dt.date(2027, 5, 26))  # restored: made by a real load
    else:  # the clock fixture's 20 May: the demo loaded for a workshop further ahead
        event = load_demo(today=dt.date(2027, 5, 26))
        registration_demo.load(event)
        demo.load(event)
    settings = event.meeting_settings
    settings.refresh_from_db()
    release = services.latest_release(event)
    assert release is not None
    assert settings.requests_open_at < settings.requests_close_at <= release.published_at
    assert not settings.requests_open(services.clock.now())
    last = MeetingRequest.objects.filter(event=event).order_by("-submitted_at").first()
    assert last.submitted_at < settings.requests_close_at
    delegate = MeetingRequest.objects.filter(event=event).first().attendees.first()
    client.force_login(delegate)
    body = client.get(reverse("meetings:home", args=[event.slug])).content.decode()
    assert "Schedule version 1" in body and "The deadline for requests has passed" in body
    assert "Requests are open until" not in body
    assert "kept" in demo.load(event)
    settings.refresh_from_db()
    assert settings.requests_close_at <= release.published_at
