"""The events API: events, days and livestreams read as the web pages show them."""

from __future__ import annotations

import pytest

from tests.conftest import paris

pytestmark = pytest.mark.django_db

SECRET = "secret-live-4711"


def test_an_event_as_the_api_gives_it(client, event):
    body = client.get(f"/api/v1/events/{event.slug}/").json()
    assert body["slug"] == event.slug and body["status"] == "published"
    assert body["venue"] == {"name": "Test Campus Headquarters",
                             "address": "1 Test Road\n13000 Testville",
                             "map_url": event.venue_map_url or None,
                             "latitude": 43.708, "longitude": 5.776}
    assert [day["label"] for day in body["days"]][0] == "Day 1: breakthroughs"
    assert body["url"] == f"http://testserver/{event.slug}/"


def test_filters_on_dates(client, make_event):
    import datetime as dt

    make_event(slug="early", start_date=dt.date(2027, 1, 5), end_date=dt.date(2027, 1, 6),
               with_days=False)
    make_event(slug="late", start_date=dt.date(2028, 1, 5), end_date=dt.date(2028, 1, 6),
               with_days=False)
    slugs = [e["slug"] for e in client.get(
        "/api/v1/events/?ends_after=2027-06-01&starts_before=2027-12-31").json()["results"]]
    assert slugs == []
    slugs = [e["slug"] for e in client.get(
        "/api/v1/events/?ends_after=2027-01-06").json()["results"]]
    assert slugs == ["early", "late"]


def test_the_list_holds_exactly_what_the_named_permission_lets_each_person_see(
        client, make_event, make_user, organiser):
    """The list's query is the permission ``events.view_public_event`` asked of every event."""
    import rules

    from fusionforum.events.models import Event

    make_event(slug="a-draft", status="draft", with_days=False)
    make_event(slug="an-archive", status="archived", with_days=False)
    make_event(slug="never-published", status="archived", with_days=False)
    Event.objects.filter(slug="an-archive").update(published_at=paris(2026, 1, 1))
    admin = make_user(is_superuser=True)
    from django.contrib.auth.models import AnonymousUser

    for person in (AnonymousUser(), make_user(), organiser, admin):
        if person.is_authenticated:
            client.force_login(person)
        else:
            client.logout()
        listed = {e["slug"] for e in client.get("/api/v1/events/").json()["results"]}
        allowed = {e.slug for e in Event.objects.all()
                   if rules.has_perm("events.view_public_event", person, e)}
        assert listed == allowed, person


def test_a_livestream_has_no_address_before_its_time(client, event, make_stream, clock):
    stream = make_stream(event)
    path = f"/api/v1/events/{event.slug}/livestreams/"
    clock.set(paris(2027, 5, 26, 8, 59))
    before = client.get(path)
    assert SECRET not in before.content.decode()
    assert before.json()["results"][0] | {"visible_from": None} == {
        "id": stream.pk, "label": "Plenary", "day": "", "state": "upcoming",
        "visible_from": None, "visible_until": "2027-05-26T18:00:00+02:00", "url": None}
    clock.set(paris(2027, 5, 26, 9, 0))
    during = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert during.status_code == 200  # the representation changed: a new ETag
    assert during.json()["results"][0]["url"] == stream.url
    clock.set(paris(2027, 5, 26, 18, 0))
    after = client.get(path).json()["results"][0]
    assert after["state"] == "ended" and after["url"] == stream.replay_url


def test_an_event_without_a_module_has_no_programme_api(client, event):
    event.modules = ["registration"]
    event.save()
    response = client.get(f"/api/v1/events/{event.slug}/programme/talks/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
