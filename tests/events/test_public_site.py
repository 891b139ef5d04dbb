import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_shows_the_workshop(client, event, clock):
    response = client.get(reverse("events:home", args=[event.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Test Fusion Workshop 2027" in html
    assert "26 May" in html and "28 May 2027" in html
    assert "Europe/Paris" in html
    assert "Test Campus Headquarters" in html
    assert "https://www.openstreetmap.org/?mlat=43.708000" in html
    assert "What fusion breakthroughs have you achieved" in html
    assert "What challenges remain" in html
    assert "How can ITER help?" in html
    assert "Day 3: open doors" in html
    assert reverse("events:contact", args=[event.slug]) in html
    assert "<strong>synthetic</strong>" in html
    # Landmarks and skip link for keyboard and screen-reader users.
    assert 'href="#main"' in html and '<main id="main"' in html and "<nav" in html
    # No asset from elsewhere.
    assert 'src="http' not in html and 'rel="stylesheet" href="http' not in html


def test_organiser_contact_addresses_stay_private(client, event, clock):
    html = client.get(reverse("events:home", args=[event.slug])).content.decode()
    assert "organisers@test.invalid" not in html
    assert "workshop@test.invalid" in html


def test_dates_and_times_are_shown_in_the_event_time_zone(client, make_event, make_stream,
                                                          clock):
    from tests.conftest import paris

    event = make_event(time_zone="Asia/Tokyo")
    make_stream(event, visible_from=paris(2027, 5, 26, 9, 0))  # 16:00 in Tokyo
    html = client.get(reverse("events:livestream", args=[event.slug])).content.decode()
    assert "16:00" in html
    assert "Asia/Tokyo" in html


def test_front_door_lists_upcoming_and_past_events_with_series_together(client, make_event,
                                                                       clock):
    import datetime as dt

    from fusionforum.events.models import Event, EventSeries

    clock.set(dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC))
    series = EventSeries.objects.create(name="Fusion Workshop")
    old = make_event(slug="edition-2026", title="Edition 2026", start_date=dt.date(2026, 5, 26),
                     end_date=dt.date(2026, 5, 28))
    current = make_event(slug="edition-2027")
    Event.objects.filter(pk__in=[old.pk, current.pk]).update(series=series)
    other = make_event(slug="other-2025", title="Other meeting 2025",
                       start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 3, 2))
    draft = make_event(slug="draft-2027", title="Secret draft", status="draft")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    upcoming, past = html.split('id="past-heading"')
    assert current.get_absolute_url() in upcoming and old.get_absolute_url() not in upcoming
    assert old.get_absolute_url() in past and other.get_absolute_url() in past
    # Past events latest first; the series is named above its editions.
    assert past.index("Edition 2026") < past.index("Other meeting 2025")
    assert "Series: Fusion Workshop" in upcoming and "Series: Fusion Workshop" in past
    assert draft.title not in html and draft.get_absolute_url() not in html
    # Each event keeps its own address.
    assert client.get(current.get_absolute_url()).status_code == 200
    # Cached for anonymous visitors like the other public pages.
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_front_door_without_any_event(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"No workshop has been published yet" in response.content


def test_unknown_event_is_404(client, db):
    response = client.get("/no-such-event/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_unpublished_event_is_hidden_from_the_public(client, make_event, make_user, clock):
    event = make_event(status="draft")
    for name in ("home", "livestream", "contact", "event_json", "event_ics"):
        assert client.get(reverse(f"events:{name}", args=[event.slug])).status_code == 404
    client.force_login(make_user())
    assert client.get(event.get_absolute_url()).status_code == 404


def test_organiser_previews_unpublished_event_without_caching(client, make_event, make_user,
                                                             clock):
    from fusionforum.events.models import TeamMembership

    event = make_event(status="draft")
    user = make_user()
    TeamMembership.objects.create(event=event, user=user)
    client.force_login(user)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-Page-Cache" not in response  # never went through the page cache
    client.logout()
    assert client.get(event.get_absolute_url()).status_code == 404


def test_public_pages_are_cached_and_invalidated_on_change(client, event, clock):
    url = event.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    assert first["Cache-Control"] == "public, max-age=60"
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    event.title = "Renamed Workshop"
    event.save()
    third = client.get(url)
    assert third["X-Page-Cache"] == "miss"
    assert b"Renamed Workshop" in third.content


def test_changing_a_day_invalidates_the_cache(client, event, clock):
    url = event.get_absolute_url()
    client.get(url)
    day = event.days.last()
    day.label = "Day 3: expert meetings and tours"
    day.save()
    assert b"Day 3: expert meetings and tours" in client.get(url).content


def test_head_requests_are_answered(client, event, clock):
    assert client.head(event.get_absolute_url()).status_code == 200


def test_event_json(client, event, clock):
    data = client.get(reverse("events:event_json", args=[event.slug])).json()
    assert data["time_zone"] == "Europe/Paris"
    assert [day["label"] for day in data["days"]][2] == "Day 3: open doors"
    assert len(data["questions"]) == 3
    assert data["venue"]["latitude"] == pytest.approx(43.708)


def test_calendar_feed_lists_the_days(client, event, clock):
    response = client.get(reverse("events:event_ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 3
    assert "DTSTART;VALUE=DATE:20270526" in body


def test_health_check(client, db):
    assert client.get("/healthz").content == b"ok"


def test_security_headers(client, event, clock):
    response = client.get(event.get_absolute_url())
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_static_assets_are_served_by_the_app(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("fusionforum/site.css")
    assert finders.find("fusionforum/countdown.js")


def test_signed_in_pages_name_the_person_and_are_never_shared(client, event, make_user, clock):
    anonymous = client.get(event.get_absolute_url())
    assert "Log in" in anonymous.content.decode()
    client.force_login(make_user(full_name="Signed In Person"))
    response = client.get(event.get_absolute_url())
    html = response.content.decode()
    assert "Your account" in html and "Log out" in html
    assert response["Cache-Control"] == "private, no-cache"
    # The anonymous copy in the page cache is not what a signed-in person gets, nor the reverse.
    client.logout()
    assert "Your account" not in client.get(event.get_absolute_url()).content.decode()
