"""The venue map: organisers upload a floor plan (checked, re-encoded, size-limited) and mark
places with the keyboard-accessible form; each place has a page with the plan, a marker and
its name as text; the personal agenda links a talk's room to the place of the same name."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fusionforum.core.models import AuditEntry
from fusionforum.programme import agenda, public, venue
from fusionforum.programme.models import MapSpot, VenueMap
from tests.conftest import login_verified
from tests.demo_snapshot import load_full_demo

from ..cfp.conftest import make_image


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


def _plan(width=400, height=300, fmt="PNG", name="plan.png"):
    return SimpleUploadedFile(name, make_image(width, height, fmt))


@pytest.fixture
def plan(event, organiser):
    return venue.upload_map(event, by=organiser, name="Ground floor", image=_plan())


def test_organiser_uploads_a_plan_and_marks_a_place_with_the_form(organiser_client, event,
                                                                  organiser):
    maps_url = reverse("programme_manage:venue_maps", args=[event.slug])
    assert organiser_client.get(maps_url).status_code == 200
    response = organiser_client.post(maps_url, {"name": "Ground floor",
                                                "image": _plan(fmt="JPEG", name="x.jpg")})
    assert response.status_code == 302
    plan = VenueMap.objects.get(event=event)
    assert (plan.width, plan.height) == (400, 300)
    stored = plan.image.storage.open(plan.image.name).read()
    assert stored.startswith(b"\x89PNG")  # re-encoded, not the uploaded JPEG
    page = organiser_client.get(response["Location"])
    html = page.content.decode()
    assert 'data-plan-marking' in html and 'id="id_x"' in html and 'id="id_y"' in html
    marked = organiser_client.post(response["Location"], {
        "name": "Main auditorium", "kind": "room", "x": "25.5", "y": "40"})
    assert marked.status_code == 302
    spot = MapSpot.objects.get(venue_map=plan)
    assert (spot.name, spot.kind, float(spot.x), float(spot.y)) == (
        "Main auditorium", "room", 25.5, 40.0)
    assert AuditEntry.objects.filter(action="programme.map_spot_added", actor=organiser).exists()
    assert AuditEntry.objects.filter(action="programme.venue_map_uploaded").exists()
    # Removing it.
    organiser_client.post(reverse("programme_manage:spot_delete", args=[event.slug, spot.pk]))
    assert not MapSpot.objects.exists()


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("x.png", b"<svg onload=alert(1)>"), "PNG, JPEG or WebP"),
    (SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40), "damaged"),
    (SimpleUploadedFile("x.png", make_image(50, 50)), "too small"),
])
def test_bad_plans_are_refused_and_nothing_is_written(organiser_client, event, upload, message):
    response = organiser_client.post(reverse("programme_manage:venue_maps", args=[event.slug]),
                                     {"name": "Ground floor", "image": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VenueMap.objects.exists()


def test_an_image_bomb_is_refused_before_decoding(organiser, event):
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")
    with pytest.raises(venue.VenueRefused, match="too large"):
        venue.upload_map(event, by=organiser, name="Huge", image=SimpleUploadedFile(
            "h.png", buffer.getvalue()))
    oversized = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (venue.MAX_PLAN_BYTES + 1))
    with pytest.raises(venue.VenueRefused, match="larger than 8 MB"):
        venue.upload_map(event, by=organiser, name="Big", image=oversized)


@pytest.mark.parametrize("data", [
    {"name": "Hall", "kind": "room", "x": "101", "y": "5"},
    {"name": "Hall", "kind": "room", "x": "-1", "y": "5"},
    {"name": "Hall", "kind": "room", "x": "abc", "y": "5"},
    {"name": "Hall", "kind": "castle", "x": "5", "y": "5"},
    {"name": "", "kind": "room", "x": "5", "y": "5"},
    {"name": "Two\nlines", "kind": "room", "x": "5", "y": "5"},
])
def test_bad_places_are_400(organiser_client, event, plan, data):
    response = organiser_client.post(
        reverse("programme_manage:venue_map", args=[event.slug, plan.pk]), data)
    assert response.status_code == 400
    assert not MapSpot.objects.exists()


def test_the_same_name_twice_is_refused(organiser_client, event, plan, organiser):
    venue.add_spot(plan, by=organiser, name="Hall", kind="room", x=5, y=5)
    response = organiser_client.post(
        reverse("programme_manage:venue_map", args=[event.slug, plan.pk]),
        {"name": "Hall", "kind": "table", "x": "6", "y": "6"})
    assert response.status_code == 400
    assert "already has a spot" in response.content.decode()


def test_only_organisers(client, event, plan, author, other_event_organiser, make_user):
    url = reverse("programme_manage:venue_map", args=[event.slug, plan.pk])
    for person in (make_user("someone@test.invalid"), author, other_event_organiser):
        login_verified(client, person)
        assert client.post(url, {"name": "Hall", "kind": "room", "x": "5",
                                 "y": "5"}).status_code == 404
    with pytest.raises(venue.PermissionDenied):
        venue.add_spot(plan, by=author, name="Hall", kind="room", x=5, y=5)
    assert not MapSpot.objects.exists()


def test_spot_page_shows_the_plan_a_marker_and_the_name(client, event, plan, organiser):
    spot = venue.add_spot(plan, by=organiser, name="Gate A", kind="meeting_point", x=50, y=25)
    venue.add_spot(plan, by=organiser, name="Hall", kind="room", x=10, y=10)
    response = client.get(reverse("programme:spot", args=[event.slug, spot.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Gate A</h1>" in html and "Tour meeting point on the plan" in html
    assert 'viewBox="0 0 400 300"' in html
    assert 'class="plan-marker plan-marker-current" cx="200.0" cy="75.0"' in html
    assert 'aria-label="Floor plan Ground floor, with “Gate A” marked"' in html
    image = client.get(reverse("programme:venue_plan", args=[event.slug, plan.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    listing = client.get(reverse("programme:venue", args=[event.slug])).content.decode()
    assert "Gate A" in listing and "Hall" in listing
    assert client.get(reverse("programme:spot", args=[event.slug, 999999])).status_code == 404


def test_agenda_links_the_room_to_its_place(client, event, organiser, release_v1, placed_talks,
                                            make_user):
    plan = venue.upload_map(event, by=organiser, name="Ground floor", image=_plan())
    spot = venue.add_spot(plan, by=organiser, name="main  AUDITORIUM", kind="room", x=30, y=30)
    person = make_user("agenda.venue@test.invalid")
    agenda.star(person, event, placed_talks["tokamak_1"].submission.code)
    client.force_login(person)
    html = client.get(reverse("programme:agenda", args=[event.slug])).content.decode()
    assert f'href="{reverse("programme:spot", args=[event.slug, spot.pk])}"' in html
    assert "(on the venue map)" in html


def test_demo_has_a_venue_map(db, clock):
    load_full_demo(clock.now().date())  # what `load_demo` leaves
    plan = VenueMap.objects.first()
    assert plan is not None
    kinds = set(plan.spots.values_list("kind", flat=True))
    assert {"room", "meeting_point"} <= kinds
