"""The personal agenda: stars (stored for signed-in people, local for visitors), the agenda
page with clashes, and the secret calendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from fusionforum.programme import agenda, public, releases
from fusionforum.programme.models import AgendaFeed, StarredTalk

from .conftest import CONFIDENTIAL_PHRASE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


@pytest.fixture
def codes(placed_talks):
    return {name: slot.submission.code for name, slot in placed_talks.items()}


@pytest.fixture
def person(make_user):
    return make_user("agenda.person@test.invalid", full_name="Agnes Agenda")


@pytest.fixture
def person_client(person):
    client = Client()
    client.force_login(person)
    return client


def _star(client, event, code, **extra):
    return client.post(f"/{event.slug}/talks/{code}/star/", extra.pop("data", {}), **extra)


def test_star_and_unstar(person_client, person, event, release_v1, codes):
    response = _star(person_client, event, codes["tokamak_1"],
                     data={"next": f"/{event.slug}/programme/"})
    assert response.status_code == 302 and response["Location"] == f"/{event.slug}/programme/"
    assert response["Cache-Control"] == "private, no-store"
    assert agenda.starred_codes(person, event) == {codes["tokamak_1"]}
    # Starring again changes nothing.
    _star(person_client, event, codes["tokamak_1"])
    assert StarredTalk.objects.count() == 1
    # The programme and the talk page show it as starred, privately.
    page = person_client.get(f"/{event.slug}/talks/{codes['tokamak_1']}/")
    assert 'aria-pressed="true"' in page.content.decode()
    assert page["Cache-Control"] == "private, no-cache"
    programme = person_client.get(f"/{event.slug}/programme/").content.decode()
    assert f'data-signed-in data-starred="{codes["tokamak_1"]}"' in programme
    response = person_client.post(f"/{event.slug}/talks/{codes['tokamak_1']}/unstar/")
    assert response.status_code == 302
    assert agenda.starred_codes(person, event) == set()


def test_star_answers_json_for_scripts(person_client, person, event, release_v1, codes):
    response = _star(person_client, event, codes["tokamak_2"], HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"code": codes["tokamak_2"], "starred": True}
    response = person_client.post(f"/{event.slug}/talks/{codes['tokamak_2']}/unstar/",
                                  HTTP_ACCEPT="application/json")
    assert response.json() == {"code": codes["tokamak_2"], "starred": False}


def test_star_needs_csrf_token(person, event, release_v1, codes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert _star(client, event, codes["tokamak_1"]).status_code == 403
    assert not StarredTalk.objects.exists()


def test_star_bad_input(person_client, client, event, release_v1, codes):
    assert _star(person_client, event, "NOSUCH").status_code == 404
    assert person_client.get(f"/{event.slug}/talks/{codes['tokamak_1']}/star/").status_code \
        == 405
    # A visitor who is not signed in stars in the browser; the server stores nothing.
    response = _star(client, event, codes["tokamak_1"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = _star(client, event, codes["tokamak_1"], HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert not StarredTalk.objects.exists() and not AgendaFeed.objects.exists()


def test_star_needs_a_release_and_a_public_event(person_client, event, placed_talks, codes):
    assert _star(person_client, event, codes["tokamak_1"]).status_code == 404
    event.status = "draft"
    event.save()
    assert person_client.get(f"/{event.slug}/agenda/").status_code == 404


def test_agenda_in_time_order_with_clashes(person_client, person, event, release_v1, codes):
    for name in ("tokamak_2", "stellarator_1", "tokamak_1"):
        _star(person_client, event, codes[name])
    response = person_client.get(f"/{event.slug}/agenda/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    # tokamak_1 (09:30-09:50) and stellarator_1 (09:30-10:00) start together; the magnet talk
    # (09:50-10:10) overlaps the stellarator one only.
    positions = [html.index(f'id="agenda-{codes[n]}"')
                 for n in ("tokamak_1", "stellarator_1", "tokamak_2")]
    assert positions == sorted(positions)
    assert html.count('class="agenda-entry clash"') == 3
    entry = html[html.index(f'id="agenda-{codes["tokamak_1"]}"'):]
    entry = entry[:entry.index("</li>")]
    assert "Clash:" in entry and "Stellarator coil winding" in entry
    assert "HTS magnet campaign" not in entry
    assert "Calendar feed" in html and "Reset the link" in html


def test_clashes_computed_by_the_service(event, release_v1, codes):
    programme = public.latest(event)
    days = agenda.agenda(programme, [codes["tokamak_1"], codes["tokamak_2"]])
    assert [[e.talk.code for e in d.entries] for d in days] == [
        [codes["tokamak_1"], codes["tokamak_2"]]]
    assert all(not e.clashes for e in days[0].entries)  # back to back is not a clash


def test_another_persons_agenda_is_not_reachable(person_client, person, event, release_v1,
                                                 codes, make_user):
    _star(person_client, event, codes["tokamak_1"])
    other = Client()
    other.force_login(make_user("someone.else@test.invalid"))
    html = other.get(f"/{event.slug}/agenda/").content.decode()
    assert "Compact torus results" not in html
    assert "No talk starred yet" in html
    # Unstarring someone else's talk only touches one's own agenda.
    other.post(f"/{event.slug}/talks/{codes['tokamak_1']}/unstar/")
    assert agenda.starred_codes(person, event) == {codes["tokamak_1"]}
    # The feed token of one person is not shown to another.
    token = AgendaFeed.objects.get(user=person).token
    assert token not in html


def test_talk_dropped_by_a_release_leaves_the_agenda(person_client, person, event, organiser,
                                                     release_v1, placed_talks, codes,
                                                     django_capture_on_commit_callbacks):
    _star(person_client, event, codes["stellarator_1"])
    placed_talks["stellarator_1"].delete()
    with django_capture_on_commit_callbacks(execute=True):
        releases.release(event, by=organiser)
    html = person_client.get(f"/{event.slug}/agenda/").content.decode()
    html = html[html.index('<div class="agenda-list">'):]
    assert "Stellarator coil winding" not in html
    assert "1 starred talk is no longer in the programme" in html
    # Starring a talk that is not in the latest release is refused.
    assert _star(person_client, event, codes["stellarator_1"]).status_code == 404


def test_local_agenda_shows_codes_without_storing(client, event, release_v1, codes):
    wanted = f"{codes['tokamak_2']}, {codes['tokamak_1']},NOSUCH,<script>,"
    response = client.get(f"/{event.slug}/agenda/local/", {"codes": wanted})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Compact torus results") < html.index("HTS magnet campaign")
    assert "Stellarator coil winding" not in html
    assert "<script>" not in html
    assert 'class="star star-local"' in html
    assert not AgendaFeed.objects.exists() and not StarredTalk.objects.exists()
    # The anonymous agenda page explains where the stars live and offers to sign in.
    page = client.get(f"/{event.slug}/agenda/").content.decode()
    assert "kept in this browser only" in page and "/accounts/login/?next=" in page


def test_sync_local_stars_after_sign_in(person_client, person, event, release_v1, codes,
                                        client):
    _star(person_client, event, codes["tokamak_1"])
    response = person_client.post(f"/{event.slug}/agenda/sync/", {
        "codes": f"{codes['tokamak_1']},{codes['tokamak_2']},NOSUCH"})
    assert response.status_code == 302
    assert agenda.starred_codes(person, event) == {codes["tokamak_1"], codes["tokamak_2"]}
    assert client.post(f"/{event.slug}/agenda/sync/", {"codes": codes["tokamak_1"]}) \
        .status_code == 302
    assert StarredTalk.objects.count() == 2


# Calendar feed --------------------------------------------------------------------------------


def _feed(person_client, event):
    person_client.get(f"/{event.slug}/agenda/")
    return AgendaFeed.objects.get(event=event)


def test_calendar_feed_of_starred_talks(person_client, event, release_v1, codes, client,
                                        settings):
    for name in ("tokamak_1", "stellarator_1"):
        _star(person_client, event, codes[name])
    feed = _feed(person_client, event)
    page = person_client.get(f"/{event.slug}/agenda/").content.decode()
    assert f"/{event.slug}/agenda/{feed.token}.ics" in page
    # No login needed: calendar apps fetch it with the secret address.
    response = client.get(f"/{event.slug}/agenda/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    body = response.content
    assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    assert CONFIDENTIAL_PHRASE.encode() not in body
    calendar = Calendar.from_ical(body)
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Paris"]
    entries = calendar.walk("VEVENT")
    assert len(entries) == 2
    guids = {str(s.guid) for s in release_v1.event.submissions.all()}
    host = settings.SITE_URL.split("//")[1].split(":")[0].split("/")[0]
    for entry in entries:
        start, end = entry.decoded("DTSTART"), entry.decoded("DTEND")
        assert start.tzinfo is not None and str(entry["DTSTART"].params["TZID"]) \
            == "Europe/Paris"
        assert end > start
        uid = str(entry["UID"])
        assert uid.endswith(f"@{host}") and uid.split("@")[0] in guids
        assert entry.decoded("DTSTAMP").tzinfo is not None
    titles = {str(e["SUMMARY"]) for e in entries}
    assert titles == {"Compact torus results", "Stellarator coil winding"}
    first = min(entries, key=lambda e: e.decoded("DTSTART"))
    assert first.decoded("DTSTART") == dt.datetime(2027, 5, 26, 7, 30, tzinfo=dt.UTC)


def test_calendar_uid_stays_the_same_across_releases(person_client, event, organiser,
                                                     release_v1, placed_talks, codes, client,
                                                     sessions):
    from fusionforum.programme import services

    _star(person_client, event, codes["tokamak_2"])
    feed = _feed(person_client, event)
    before = Calendar.from_ical(client.get(f"/{event.slug}/agenda/{feed.token}.ics").content)
    services.place_talk(event, placed_talks["tokamak_2"].submission, sessions["stellarator"],
                        start="10:00", duration_minutes=20, by=organiser)
    releases.release(event, by=organiser)
    after = Calendar.from_ical(client.get(f"/{event.slug}/agenda/{feed.token}.ics").content)
    old, new = before.walk("VEVENT")[0], after.walk("VEVENT")[0]
    assert str(old["UID"]) == str(new["UID"])
    assert new.decoded("DTSTART") != old.decoded("DTSTART")
    assert str(new["LOCATION"]) == "Room B"


def test_wrong_or_reset_token_is_404(person_client, person, event, release_v1, codes, client,
                                     make_event):
    _star(person_client, event, codes["tokamak_1"])
    old = _feed(person_client, event).token
    assert client.get(f"/{event.slug}/agenda/{old}x.ics").status_code == 404
    assert client.get(f"/{event.slug}/agenda/not-a-token.ics").status_code == 404
    other_event = make_event(slug="other-event", title="Other Test Workshop", with_days=False)
    assert client.get(f"/{other_event.slug}/agenda/{old}.ics").status_code == 404
    response = person_client.post(f"/{event.slug}/agenda/feed/reset/")
    assert response.status_code == 302
    new = AgendaFeed.objects.get(user=person).token
    assert new != old
    assert client.get(f"/{event.slug}/agenda/{old}.ics").status_code == 404
    assert client.get(f"/{event.slug}/agenda/{new}.ics").status_code == 200
    # Stars survive the reset; resetting needs a signed-in person.
    assert agenda.starred_codes(person, event) == {codes["tokamak_1"]}
    assert client.post(f"/{event.slug}/agenda/feed/reset/").status_code == 302
    assert AgendaFeed.objects.get(user=person).token == new


def test_empty_feed_is_a_valid_calendar(person_client, event, release_v1, client):
    feed = _feed(person_client, event)
    calendar = Calendar.from_ical(client.get(f"/{event.slug}/agenda/{feed.token}.ics").content)
    assert calendar.walk("VEVENT") == []
