"""The event's dashboard (/manage/<event>/): who may open it, the registry, and the staff
home's order (the current edition first)."""

import datetime as dt

import pytest
from django.urls import reverse

from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard
from fusionforum.events.models import TeamMembership
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def test_the_dashboard_is_the_events_manage_address(event):
    assert reverse("events_manage:dashboard", args=[event.slug]) == f"/manage/{event.slug}/"


def test_team_members_open_it_others_get_404(client, event, make_user, make_event, organiser):
    url = reverse("events_manage:dashboard", args=[event.slug])
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    participant = make_user(email="p@test.invalid")
    client.force_login(participant)
    assert client.get(url).status_code == 404
    other = make_event(slug="other-2027", title="Other")
    stranger = make_user(email="other-organiser@test.invalid")
    TeamMembership.objects.create(event=other, user=stranger, role=TeamMembership.Role.ORGANISER)
    login_verified(client, stranger)
    assert client.get(url).status_code == 404
    reviewer = make_user(email="r@test.invalid")
    TeamMembership.objects.create(event=event, user=reviewer, role=TeamMembership.Role.REVIEWER)
    client.force_login(reviewer)
    assert client.get(url)["Location"].startswith(reverse("accounts:two_factor_verify"))
    login_verified(client, reviewer)
    page = client.get(url).content.decode()
    assert "Nothing needs you now." in page
    assert reverse("events_manage:settings", args=[event.slug]) not in page
    login_verified(client, organiser)
    page = client.get(url).content.decode()
    assert reverse("events_manage:settings", args=[event.slug]) in page


def test_a_registered_source_shows_and_is_asked_with_the_person(event, organiser, make_user):
    seen = []

    def figures(ev, user, now):
        seen.append(user)
        return dashboard.Panel(key="test", title="Test", order=99,
                               figures=[dashboard.Figure("Things", 7)])

    def todos(ev, user, now):
        return [dashboard.Todo("Later", "/b/", urgency=2), dashboard.Todo("Now", "/a/", urgency=0)]

    dashboard.register_figures(figures)
    dashboard.register_todos(todos)
    try:
        board = dashboard.build(event, organiser, business_clock.now())
    finally:
        dashboard.unregister(figures)
        dashboard.unregister(todos)
    assert seen == [organiser]
    assert board.panels[-1].figures[0].value == 7
    assert [todo.text for todo in board.todos][:2] == ["Now", "Later"]
    assert "test" not in {p.key for p in dashboard.build(event, organiser,
                                                         business_clock.now()).panels}


def test_trend_bars_and_days():
    today = dt.date(2027, 5, 20)
    days = dashboard.last_days(today, {today: 4, today - dt.timedelta(days=1): 1}, 3)
    assert days == [(dt.date(2027, 5, 18), 0), (dt.date(2027, 5, 19), 1), (today, 4)]
    bars = dashboard.Trend("t", days).bars
    assert [bar["height"] for bar in bars] == [0, 15, 60]
    assert [bar["y"] for bar in bars] == [66, 51, 6]


def test_current_edition_first(make_event, organiser, client, event, clock):
    # The clock stands on 20 May 2027; ``event`` runs 26-28 May 2027.
    past = make_event(slug="edition-2025", title="Edition 2025",
                      start_date=dt.date(2025, 5, 26), end_date=dt.date(2025, 5, 28))
    later = make_event(slug="edition-2028", title="Edition 2028",
                       start_date=dt.date(2028, 5, 26), end_date=dt.date(2028, 5, 28))
    running = make_event(slug="edition-now", title="Edition now",
                         start_date=dt.date(2027, 5, 19), end_date=dt.date(2027, 5, 21))
    ordered = dashboard.current_first([past, later, event, running], dt.date(2027, 5, 20))
    assert ordered == [running, event, later, past]
    for other in (past, later, running):
        TeamMembership.objects.create(event=other, user=organiser,
                                      role=TeamMembership.Role.ORGANISER)
    login_verified(client, organiser)
    page = client.get(reverse("staff_home")).content.decode()
    places = [page.index(f'id="event-{e.pk}"') for e in (running, event, later, past)]
    assert places == sorted(places)
