"""The pages: who may see and do what (participants A and B, organiser, another event's
organiser, anonymous), bad input answered with 4xx and nothing written, and the flows."""

from __future__ import annotations

import pytest

from fusionforum.events.models import TeamMembership
from fusionforum.visits import services
from fusionforum.visits.models import Preference, Seat, TourRun, TourType, VisitSettings
from fusionforum.visits.states import SeatStatus

from ..conftest import login_verified, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(event, tours, organiser, make_participant, make_event, make_user):
    other = make_event(slug="other-2027")
    outsider = make_user("other-organiser@test.invalid")
    TeamMembership.objects.create(event=other, user=outsider,
                                  role=TeamMembership.Role.ORGANISER)
    return {"a": make_participant("Ada"), "b": make_participant("Bo"),
            "organiser": organiser, "outsider": outsider}


def as_(client, who, cast):
    if who == "anonymous":
        return client
    if who in ("organiser", "outsider"):
        return login_verified(client, cast[who])
    client.force_login(cast[who])
    return client


def manage(event, path=""):
    return f"/manage/{event.slug}/visits/{path}"


MANAGE_GETS = ["", "allocation/", "tours/new/", "tours/{tour}/", "tours/{tour}/runs/new/",
               "runs/{run}/", "runs/{run}/edit/"]


@pytest.mark.parametrize("path", MANAGE_GETS)
@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("a", 404), ("outsider", 404),
                                          ("organiser", 200)])
def test_organiser_pages_matrix(client, event, tours, cast, clock, clearances, path, who,
                                expected):
    run = tours["main_am"]
    response = as_(client, who, cast).get(manage(event, path.format(tour=run.tour_id,
                                                                    run=run.pk)))
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]
    if expected == 200:
        assert "no-store" in response["Cache-Control"]


def test_organiser_without_second_factor_is_sent_to_verify(client, event, tours, cast):
    client.force_login(cast["organiser"])
    response = client.get(manage(event))
    assert response.status_code == 302 and "verify" in response["Location"]


@pytest.mark.parametrize("who", ["anonymous", "a", "outsider"])
def test_organiser_actions_refused_and_nothing_written(client, event, tours, cast, allocated,
                                                       clearances, who):
    seat = services.take_seat(tours["main_am"], cast["b"])
    c = as_(client, who, cast)
    posts = [(manage(event), {"signup_opens_at": "2027-05-01T09:00",
                              "signup_closes_at": "2027-05-02T09:00"}),
             (manage(event, "allocation/"), {}),
             (manage(event, "tours/new/"), {"name_en": "X", "description_en": "Y",
                                            "languages": "English", "clearance_lead_days": 12,
                                            "position": 0}),
             (manage(event, f"seats/{seat.pk}/cancel/"), {}),
             (manage(event, f"seats/{seat.pk}/move/"), {"run": tours["main_pm"].pk}),
             (manage(event, f"runs/{tours['main_pm'].pk}/add/"), {"email": cast["a"].email})]
    for url, data in posts:
        assert c.post(url, data).status_code in (302, 404)
    seat.refresh_from_db()
    assert seat.status == SeatStatus.HELD and seat.run == tours["main_am"]
    assert TourType.objects.count() == 2 and Seat.objects.count() == 1
    assert VisitSettings.objects.get(event=event).signup_closes_at == paris(2027, 5, 22)


def test_participant_b_cannot_cancel_a_seat_of_a(client, event, tours, cast, allocated,
                                                 clearances):
    seat = services.take_seat(tours["main_am"], cast["a"])
    client.force_login(cast["b"])
    assert client.post(f"/{event.slug}/visits/seats/{seat.pk}/cancel/").status_code == 404
    seat.refresh_from_db()
    assert seat.status == SeatStatus.HELD
    page = client.get(f"/{event.slug}/visits/").content.decode()
    assert "Give up this seat" not in page


def test_participant_pages(client, event, tours, cast, clock, clearances):
    assert client.get(f"/{event.slug}/visits/").status_code == 302  # anonymous: log in
    client.force_login(cast["a"])
    page = client.get(f"/{event.slug}/visits/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Main tour" in text and "Closed shoes" in text and "12 days before" in text
    assert "Save my ranking" in text
    assert client.get("/other-2027/visits/").status_code == 404  # no tours there
    assert client.post(f"/{event.slug}/visits/").status_code == 405


def test_ranking_through_the_page(client, event, tours, cast, clock):
    client.force_login(cast["a"])
    response = client.post(f"/{event.slug}/visits/ranking/", {
        f"run_{tours['cryo_am'].pk}": "1", f"run_{tours['main_pm'].pk}": "2",
        f"run_{tours['main_am'].pk}": ""})
    assert response.status_code == 302
    assert [p.run for p in services.ranking_of(event, cast["a"])] == [tours["cryo_am"],
                                                                     tours["main_pm"]]


@pytest.mark.parametrize("data", [
    {"run_{cryo}": "1", "run_{pm}": "1"},  # same rank twice
    {"run_{cryo}": "0"},
    {"run_{cryo}": "abc"},
    {"run_{cryo}": "99"},
    {"run_{cryo}": "1\x00"},
])
def test_bad_rankings_are_400_and_keep_the_old_one(client, event, tours, cast, clock, data):
    services.save_ranking(event, cast["a"], [tours["main_am"].pk])
    client.force_login(cast["a"])
    body = {k.format(cryo=tours["cryo_am"].pk, pm=tours["main_pm"].pk): v
            for k, v in data.items()}
    response = client.post(f"/{event.slug}/visits/ranking/", body)
    assert response.status_code == 400
    assert "problem" in response.content.decode() or "error" in response.content.decode()
    assert list(Preference.objects.values_list("run_id", "rank")) == [(tours["main_am"].pk, 1)]


def test_ranking_refused_outside_the_window_or_without_registration(
        client, event, tours, cast, clock, make_user):
    stranger = make_user("stranger@test.invalid")
    client.force_login(stranger)
    url = f"/{event.slug}/visits/ranking/"
    assert client.post(url, {f"run_{tours['cryo_am'].pk}": "1"}).status_code == 409
    client.force_login(cast["a"])
    clock.set(paris(2027, 5, 22, 1))
    assert client.post(url, {f"run_{tours['cryo_am'].pk}": "1"}).status_code == 409
    assert not Preference.objects.exists()


def test_take_and_cancel_through_the_page(client, event, tours, cast, allocated, clearances):
    client.force_login(cast["a"])
    cryo = tours["cryo_am"]
    assert client.post(f"/{event.slug}/visits/runs/{cryo.pk}/take/").status_code == 302
    client.force_login(cast["b"])
    clearances[cast["b"].pk] = "approved"  # 5 days before: only the cleared are promoted
    assert client.post(f"/{event.slug}/visits/runs/{cryo.pk}/take/").status_code == 302
    page = client.get(f"/{event.slug}/visits/").content.decode()
    assert "Waiting list: number 1" in page
    # Another event's run id: 404.
    other = TourType.objects.create(event=__import__("fusionforum.events.models", fromlist=[
        "Event"]).Event.objects.get(slug="other-2027"), name="Other", description="x")
    other_run = TourRun.objects.create(tour=other, start=paris(2027, 5, 28, 9),
                                       meeting_point="x")
    assert client.post(f"/{event.slug}/visits/runs/{other_run.pk}/take/").status_code == 404
    client.force_login(cast["a"])
    seat = Seat.objects.get(user=cast["a"])
    assert client.post(f"/{event.slug}/visits/seats/{seat.pk}/cancel/").status_code == 302
    assert Seat.objects.get(user=cast["b"]).status == SeatStatus.HELD  # promoted
    # Taking twice is a clear 409.
    client.force_login(cast["b"])
    assert client.post(f"/{event.slug}/visits/runs/{cryo.pk}/take/").status_code == 409


def test_organiser_creates_tour_and_run_and_bad_input_is_400(client, event, window, cast,
                                                             clock):
    login_verified(client, cast["organiser"])
    response = client.post(manage(event, "tours/new/"), {
        "name_en": "Magnet conversion buildings", "description_en": "Converters",
        "minimum_age": "16", "closed_shoes": "on", "languages": "English",
        "clearance_lead_days": "12", "position": "3"})
    assert response.status_code == 302
    tour = TourType.objects.get(event=event, name="Magnet conversion buildings")
    bad = [{"name_en": "", "description_en": "x", "languages": "E", "clearance_lead_days": "12",
            "position": "0"},
           {"name_en": "magnet conversion buildings", "description_en": "x", "languages": "E",
            "clearance_lead_days": "12", "position": "0"},
           {"name_en": "Evil\u202e", "description_en": "x", "languages": "E",
            "clearance_lead_days": "12", "position": "0"},
           {"name_en": "Y", "description_en": "x", "languages": "E", "clearance_lead_days": "-1",
            "position": "0"}]
    for data in bad:
        assert client.post(manage(event, "tours/new/"), data).status_code == 400
    assert TourType.objects.filter(event=event).count() == 3  # two from the fixture
    url = manage(event, f"tours/{tour.pk}/runs/new/")
    good = {"start": "2027-05-28T14:30", "duration_minutes": "90",
            "meeting_point": "Coach bay 3", "capacity": "30", "guide": "Guide Four"}
    assert client.post(url, {**good, "capacity": "0"}).status_code == 400
    assert client.post(url, {**good, "start": "tomorrow"}).status_code == 400
    assert not TourRun.objects.filter(tour=tour).exists()
    assert client.post(url, good).status_code == 302
    run = TourRun.objects.get(tour=tour)
    assert run.start == paris(2027, 5, 28, 14, 30)  # in the event's time zone
    # Window: closing before opening is refused.
    response = client.post(manage(event), {"signup_opens_at": "2027-05-10T09:00",
                                           "signup_closes_at": "2027-05-09T09:00"})
    assert response.status_code == 400


def test_organiser_cannot_edit_another_events_tour(client, event, tours, cast, make_event):
    other_tour = TourType.objects.create(event=event.__class__.objects.get(slug="other-2027"),
                                         name="Other", description="x")
    login_verified(client, cast["organiser"])
    assert client.get(manage(event, f"tours/{other_tour.pk}/")).status_code == 404


def test_capacity_below_held_seats_is_refused(client, event, tours, cast, allocated,
                                              clearances):
    run = tours["main_am"]
    services.take_seat(run, cast["a"])
    services.take_seat(run, cast["b"])
    login_verified(client, cast["organiser"])
    response = client.post(manage(event, f"runs/{run.pk}/edit/"), {
        "start": "2027-05-28T09:00", "duration_minutes": "120", "meeting_point": "Gate A",
        "capacity": "1", "guide": ""})
    assert response.status_code == 400
    run.refresh_from_db()
    assert run.capacity == 2


def test_allocation_preview_and_apply(client, event, tours, cast, clock,
                                      django_capture_on_commit_callbacks):
    services.save_ranking(event, cast["a"], [tours["cryo_am"].pk])
    services.save_ranking(event, cast["b"], [tours["cryo_am"].pk])
    login_verified(client, cast["organiser"])
    page = client.get(manage(event, "allocation/")).content.decode()
    assert "would get at least one tour" in page
    assert client.post(manage(event, "allocation/")).status_code == 302  # still open
    assert not Seat.objects.exists()
    clock.set(paris(2027, 5, 23, 9))
    page = client.get(manage(event, "allocation/")).content.decode()
    assert "Apply this allocation" in page and "1 person gets at least one tour" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(manage(event, "allocation/")).status_code == 302
    held = Seat.objects.get(status=SeatStatus.HELD)
    page = client.get(manage(event, "allocation/")).content.decode()
    assert "Applied on" in page
    unserved = cast["b"] if held.user == cast["a"] else cast["a"]
    assert str(unserved) in page  # listed without a tour
    run_page = client.get(manage(event, f"runs/{tours['cryo_am'].pk}/")).content.decode()
    assert "missing" in run_page  # the vault's status, never its values
    assert str(unserved) in run_page  # on the waiting list


def test_manual_add_move_cancel(client, event, tours, cast, allocated, clearances):
    login_verified(client, cast["organiser"])
    cryo, am, pm = tours["cryo_am"], tours["main_am"], tours["main_pm"]
    assert client.post(manage(event, f"runs/{cryo.pk}/add/"),
                       {"email": cast["a"].email}).status_code == 302
    # Full run: a clear 400, nothing written.
    response = client.post(manage(event, f"runs/{cryo.pk}/add/"), {"email": cast["b"].email})
    assert response.status_code == 400 and "full" in response.content.decode()
    assert client.post(manage(event, f"runs/{cryo.pk}/add/"),
                       {"email": "nobody@test.invalid"}).status_code == 400
    assert client.post(manage(event, f"runs/{cryo.pk}/add/"), {"email": "x"}).status_code == 400
    assert Seat.objects.count() == 1
    seat = Seat.objects.get()
    assert client.post(manage(event, f"seats/{seat.pk}/move/"),
                       {"run": "abc"}).status_code == 302
    assert client.post(manage(event, f"seats/{seat.pk}/move/"), {"run": am.pk}).status_code \
        == 302  # overlaps nothing else: moved
    moved = Seat.objects.get(status=SeatStatus.HELD)
    assert moved.run == am
    assert client.post(manage(event, f"seats/{moved.pk}/move/"),
                       {"run": pm.pk}).status_code == 302
    assert Seat.objects.get(status=SeatStatus.HELD).run == pm
    final = Seat.objects.get(status=SeatStatus.HELD)
    assert client.post(manage(event, f"seats/{final.pk}/cancel/")).status_code == 302
    assert not Seat.objects.filter(status=SeatStatus.HELD).exists()


def test_giving_up_a_seat_asks_first(client, event, tours, cast, allocated, clearances):
    """The participant's "Give up this seat" and the organiser's "Cancel" open a confirmation
    page (works without JavaScript); only its form changes anything."""
    from tests.conftest import login_verified as verified

    client.force_login(cast["a"])
    cryo = tours["cryo_am"]
    assert client.post(f"/{event.slug}/visits/runs/{cryo.pk}/take/").status_code == 302
    seat = Seat.objects.get(user=cast["a"], run=cryo)
    url = f"/{event.slug}/visits/seats/{seat.pk}/cancel/"
    home = client.get(f"/{event.slug}/visits/").content.decode()
    assert f'href="{url}"' in home
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "Give up this seat?" in body
    assert f'<form method="post" action="{url}">' in body
    assert f'href="/{event.slug}/visits/"' in body  # keep it
    seat.refresh_from_db()
    assert seat.status == SeatStatus.HELD
    verified(client, cast["organiser"])
    url = manage(event, f"seats/{seat.pk}/cancel/")
    assert f'href="{url}"' in client.get(manage(event, f"runs/{cryo.pk}/")).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Cancel Ada" in page.content.decode()
    seat.refresh_from_db()
    assert seat.status == SeatStatus.HELD
    assert client.post(url).status_code == 302
    seat.refresh_from_db()
    assert seat.status == SeatStatus.CANCELLED
    assert client.get(url).status_code == 404  # nothing left to confirm


def test_the_page_offers_no_run_the_person_cannot_take(client, event, tours, cast, allocated,
                                                       clearances):
    """A run of a tour the person already has a seat on, or overlapping their seat, shows why
    instead of a button that the service would refuse."""
    services.take_seat(tours["main_am"], cast["a"])
    client.force_login(cast["a"])
    page = client.get(f"/{event.slug}/visits/").content.decode()
    assert f"/visits/runs/{tours['main_pm'].pk}/take/" not in page
    assert f"/visits/runs/{tours['cryo_am'].pk}/take/" not in page
    assert "You already have a seat on “Main tour”." in page
    assert "It overlaps your seat on “Main tour”." in page
    client.force_login(cast["b"])
    page = client.get(f"/{event.slug}/visits/").content.decode()
    assert f"/visits/runs/{tours['main_pm'].pk}/take/" in page
