"""The stream address must be unobtainable before go-live: by any public route, in any
format, from any cached copy, for any visitor without an organiser role."""

import datetime as dt
import pickle

import pytest
from django.core.cache import caches
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import paris

SECRET = "secret-live-4711"
REPLAY = "replay-4711"


def _all_paths(event):
    """Every URL the project serves, with the event's slug filled in where one is asked for."""
    paths = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if "(?P" in route or "^" in route:
                    continue  # admin regex routes are covered by the admin pages below
                route = route.replace("<slug:slug>", event.slug)
                if "<" in route:
                    continue
                paths.append("/" + route)

    walk(get_resolver().url_patterns)
    return sorted(set(paths)) + [
        "/admin/",
        "/admin/events/streamlink/",
        f"/admin/events/event/{event.pk}/change/",
        "/does-not-exist/",
        f"/{event.slug}/livestream/?format=json",
    ]


def _cached_values():
    """Everything currently stored in the cache, as bytes."""
    backend = caches["default"]
    module = type(backend).__module__
    if "locmem" in module:
        return [bytes(value) for value in backend._cache.values()]
    if "django_redis" in module:
        return [pickle.dumps(backend.get(key)) for key in backend.keys("*")]
    pytest.skip(f"cannot inspect {backend}")


@pytest.fixture
def stream(event, make_stream):
    return make_stream(event)


def _fetch_everything(client, event):
    seen = {}
    for path in _all_paths(event):
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        seen[path] = (response.status_code, body.decode("utf-8", "replace") + headers)
    return seen


@pytest.mark.parametrize("visitor", ["anonymous", "participant"])
def test_no_route_reveals_the_address_before_go_live(client, event, stream, clock, make_user,
                                                     visitor):
    if visitor == "participant":
        client.force_login(make_user())
    clock.set(paris(2027, 5, 26, 8, 59))
    seen = _fetch_everything(client, event)
    assert any(path.endswith("/livestream/") for path in seen)
    assert any(path.endswith("event.json") for path in seen)
    assert any(path.endswith("event.ics") for path in seen)
    for path, (status, text) in seen.items():
        assert SECRET not in text, f"{path} ({status}) reveals the stream address"
        assert REPLAY not in text, f"{path} ({status}) reveals the replay address"
    for value in _cached_values():
        assert SECRET.encode() not in value
    # The countdown is there instead.
    livestream = client.get(reverse("events:livestream", args=[event.slug])).content.decode()
    assert 'data-countdown-to="2027-05-26T09:00:00+02:00"' in livestream


def test_address_appears_at_go_live_even_after_a_cached_countdown(client, event, stream, clock):
    url = reverse("events:livestream", args=[event.slug])
    clock.set(paris(2027, 5, 26, 8, 59))
    before = client.get(url)
    assert SECRET not in before.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    clock.set(paris(2027, 5, 26, 9, 0))
    during = client.get(url)
    assert during["X-Page-Cache"] == "miss"  # the countdown copy expired at go-live
    assert f'href="{stream.url}"' in during.content.decode()
    home = client.get(event.get_absolute_url()).content.decode()
    assert "Live now" in home
    data = client.get(reverse("events:event_json", args=[event.slug])).json()
    assert data["streams"][0]["url"] == stream.url
    assert data["streams"][0]["state"] == "live"


def test_replay_after_the_window(client, event, stream, clock):
    clock.set(paris(2027, 5, 26, 18, 0))
    html = client.get(reverse("events:livestream", args=[event.slug])).content.decode()
    assert SECRET not in html
    assert stream.replay_url in html
    assert "Watch the replay" in html


def test_postponing_a_live_stream_hides_it_again_at_once(client, event, stream, clock):
    url = reverse("events:livestream", args=[event.slug])
    clock.set(paris(2027, 5, 26, 10, 0))
    assert SECRET in client.get(url).content.decode()
    stream.visible_from = paris(2027, 5, 26, 14, 0)
    stream.save()
    after = client.get(url)
    assert after["X-Page-Cache"] == "miss"
    assert SECRET not in after.content.decode()
    # The old copy may still sit in the cache, but under a dead version token: never served.
    again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert SECRET not in again.content.decode()


def test_livestream_page_must_be_revalidated_by_downstream_caches(client, event, stream, clock):
    clock.set(paris(2027, 5, 26, 8, 0))
    for name in ("livestream", "event_json", "event_ics"):
        response = client.get(reverse(f"events:{name}", args=[event.slug]))
        assert response["Cache-Control"] == "no-cache", name


def test_status_endpoint_gives_states_and_server_time_only(client, event, stream, clock):
    clock.set(paris(2027, 5, 26, 9, 30))
    response = client.get(reverse("events:livestream_status", args=[event.slug]))
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["streams"] == [{"id": stream.pk, "state": "live"}]
    assert dt.datetime.fromisoformat(data["now"]) == paris(2027, 5, 26, 9, 30)
    assert SECRET not in response.content.decode()


def test_calendar_entry_carries_the_address_only_when_live(client, event, stream, clock):
    url = reverse("events:event_ics", args=[event.slug])
    clock.set(paris(2027, 5, 26, 8, 0))
    assert SECRET not in client.get(url).content.decode()
    clock.set(paris(2027, 5, 26, 9, 1))
    body = client.get(url).content.decode().replace("\r\n ", "")
    assert SECRET in body


def test_calendar_feed_has_the_vtimezone_its_tzid_needs_and_a_sequence(client, event, stream,
                                                                      clock):
    """RFC 5545 3.2.19: every TZID the feed uses has its VTIMEZONE. A stream's entry changes
    by itself at go-live (its address appears), so its SEQUENCE grows then."""
    from icalendar import Calendar

    url = reverse("events:event_ics", args=[event.slug])

    def entries():
        calendar = Calendar.from_ical(client.get(url).content)
        zones = {str(z["tzid"]) for z in calendar.walk("VTIMEZONE")}
        for entry in calendar.walk("VEVENT"):
            tzid = entry["dtstart"].params.get("TZID")
            assert tzid is None or tzid in zones, tzid
            assert isinstance(entry["sequence"], int)
        [zone] = calendar.walk("VTIMEZONE")
        assert str(zone["tzid"]) == "Europe/Paris"
        # The zone's summer time of the event's year, from the IANA definition.
        assert [str(o["tzoffsetto"].to_ical()) for o in zone.walk("DAYLIGHT")] == ["+0200"]
        return {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}

    clock.set(paris(2027, 5, 26, 8, 0))
    before = entries()[f"stream-{stream.pk}"]
    assert before["dtstart"].params["TZID"] == "Europe/Paris"
    assert before.decoded("dtstart") == paris(2027, 5, 26, 9, 0)
    assert before["sequence"] == 0
    clock.set(paris(2027, 5, 26, 9, 1))
    assert entries()[f"stream-{stream.pk}"]["sequence"] == 1
    clock.set(paris(2027, 5, 26, 19, 0))
    assert entries()[f"stream-{stream.pk}"]["sequence"] == 2


def test_every_calendar_entry_counts_its_own_revisions(client, event, stream, make_stream,
                                                       clock):
    """Each VEVENT of event.ics (days and livestream windows) carries a SEQUENCE that grows
    when what it shows changes between two versions of the feed, and only then."""
    from icalendar import Calendar

    url = reverse("events:event_ics", args=[event.slug])
    other = make_stream(event, label="Second stream")
    days = list(event.days.order_by("date"))
    assert len(days) >= 2

    def sequences(query=""):
        calendar = Calendar.from_ical(client.get(url + query).content)
        return {str(e["uid"]).split("@")[0]: int(e["sequence"]) for e in calendar.walk("VEVENT")}

    clock.set(paris(2027, 5, 20, 8, 0))  # before any stream goes live
    first = sequences()
    assert set(first) == {f"day-{d.pk}" for d in days} | {f"stream-{stream.pk}",
                                                           f"stream-{other.pk}"}
    assert set(first.values()) == {0}
    assert sequences() == first  # unchanged: unchanged numbers

    # A second version: one day relabelled, one stream's window moved.
    days[0].label = "Opening day"
    days[0].save()
    stream.visible_until = stream.visible_from + dt.timedelta(hours=5)
    stream.save()
    second = sequences()
    assert second[f"day-{days[0].pk}"] == 1 and second[f"stream-{stream.pk}"] == 1
    assert second[f"day-{days[1].pk}"] == 0 and second[f"stream-{other.pk}"] == 0

    # A change every day shows (the event's title): every day moves on, the streams do not.
    event.title = f"{event.title} (renamed)"
    event.save()
    third = sequences()
    assert third[f"day-{days[0].pk}"] == 2 and third[f"day-{days[1].pk}"] == 1
    assert third[f"stream-{stream.pk}"] == 1 and third[f"stream-{other.pk}"] == 0
    # Each language's feed is its own document, numbered from its first version.
    assert set(sequences("?lang=fr").values()) == {0}
    assert sequences() == third
