"""After logging in, each person lands where their work is: participants on their page for the
current event, experts on their agenda, every staff role (after the second factor) on /manage/;
a safe ``next`` still wins."""

import datetime as dt
import urllib.parse

import pytest
from django.test import Client

from fusionforum.events.models import TeamMembership
from fusionforum.meetings.models import Expert
from fusionforum.registration.models import Registration, RegistrationSettings

from ..conftest import paris

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def login(email, next_url=None):
    url = "/accounts/login/" + (f"?next={urllib.parse.quote(next_url)}" if next_url else "")
    response = Client().post(url, {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def registered(user, event, status="confirmed"):
    from fusionforum.accounts.models import Organisation

    organisation = user.organisation or Organisation.objects.get_or_create(
        name=f"Fictional {user.pk}", defaults={"kind": "supplier", "country": "FR"})[0]
    return Registration.objects.create(event=event, user=user, organisation=organisation,
                                       status=status, submitted_at=paris(2027, 4, 2),
                                       seat_pool="general" if status == "confirmed" else "")


@pytest.fixture
def events(make_event, clock):
    clock.set(paris(2027, 5, 27, 8))  # day 2 of this year's workshop
    past = make_event(slug="workshop-2026", start_date=dt.date(2026, 5, 26),
                      end_date=dt.date(2026, 5, 28))
    current = make_event(slug="workshop-2027")
    following = make_event(slug="workshop-2028", start_date=dt.date(2028, 5, 26),
                           end_date=dt.date(2028, 5, 28))
    for event in (past, current, following):
        RegistrationSettings.objects.create(
            event=event, opens_at=paris(2026, 1, 1), closes_at=paris(2028, 5, 20), capacity=10)
    return past, current, following


def test_a_participant_lands_on_their_page_for_the_current_event(events, make_user):
    past, current, following = events
    ada = make_user("ada@test.invalid")
    for event in events:
        registered(ada, event)
    assert login(ada.email) == "/workshop-2027/registration/"
    # Registered only for last year's and next year's: the next one.
    Registration.objects.filter(user=ada, event=current).update(status="cancelled")
    assert login(ada.email) == "/workshop-2028/registration/"
    # Registered for none still running: the latest they were registered for.
    Registration.objects.filter(user=ada, event=following).update(status="cancelled")
    assert login(ada.email) == "/workshop-2026/registration/"


def test_someone_not_registered_lands_on_the_next_registration(events, make_user):
    bo = make_user("bo@test.invalid")
    assert login(bo.email) == "/workshop-2027/registration/"


def test_without_any_event_the_account_page_remains(make_user):
    assert login(make_user("cleo@test.invalid").email) == "/accounts/profile/"


def test_an_expert_lands_on_their_agenda(events, make_user):
    _, current, _ = events
    mara = make_user("mara@host.invalid")
    Expert.objects.create(event=current, user=mara, name="Mara Magnet", disciplines=["magnets"],
                          max_meetings=4)
    assert login(mara.email) == "/workshop-2027/expert/"


@pytest.mark.parametrize("role", [TeamMembership.Role.ORGANISER, TeamMembership.Role.REVIEWER,
                                  TeamMembership.Role.SECURITY_OFFICER, "platform_admin"])
def test_staff_land_on_the_staff_home_after_the_second_factor(events, make_user, role):
    _, current, _ = events
    if role == "platform_admin":
        person = make_user("admin@test.invalid", is_superuser=True, is_staff=True)
    else:
        person = make_user(f"{role}@test.invalid")
        TeamMembership.objects.create(event=current, user=person, role=role)
        registered(person, current)  # also a participant: the staff role wins
    location = urllib.parse.urlsplit(login(person.email))
    assert location.path.startswith("/accounts/two-factor/")
    assert urllib.parse.parse_qs(location.query)["next"] == ["/manage/"]


def test_a_safe_next_wins_and_an_unsafe_one_is_ignored(events, make_user):
    _, current, _ = events
    ada = make_user("ada@test.invalid")
    registered(ada, current)
    assert login(ada.email, "/workshop-2027/programme/") == "/workshop-2027/programme/"
    assert login(ada.email, "https://evil.example/") == "/workshop-2027/registration/"
