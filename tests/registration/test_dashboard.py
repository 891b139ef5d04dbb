"""The registration desk's figures and to-dos on the event's dashboard (/manage/<event>/)."""


import pytest
from django.urls import reverse

from fusionforum.accounts.models import Organisation
from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard
from fusionforum.events.models import TeamMembership
from fusionforum.notifications.models import OutboundEmail
from fusionforum.registration import dashboard as registration_dashboard
from fusionforum.registration import services
from fusionforum.registration.states import Status
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def _panel(board, key):
    return next((panel for panel in board.panels if panel.key == key), None)


def _figures(panel):
    return {figure.label: (figure.value, figure.out_of) for figure in panel.figures}


def _todo(board, key):
    return next((todo for todo in board.todos if todo.key == key), None)


@pytest.fixture
def filled(open_registration, register, make_person, make_organisation, clock, organiser):
    """3 seats with approval: two confirmed (one public lab), one pending, one waitlisted."""
    open_registration(requires_approval=True)
    lab = make_organisation(kind=Organisation.Kind.PUBLIC_LAB)
    people = [make_person(organisation=lab), make_person(), make_person(), make_person(),
              make_person()]
    regs = [register(person) for person in people]
    for reg in regs[:3]:
        services.approve(reg, by=organiser)
    return regs, organiser


def test_registration_figures_count_states_kinds_seats_and_the_trend(filled, organiser, event):
    now = business_clock.now()
    board = dashboard.build(event, organiser, now)
    panel = _panel(board, "registration")
    figures = _figures(panel)
    assert figures["Seats left"] == (0, 3)
    assert figures["Confirmed"] == (3, None)
    assert figures["Check-ins today"] == (0, 3)
    by_state = dict(panel.breakdowns[0].rows)
    assert by_state == {"Pending approval": 2, "Confirmed": 3}
    by_kind = dict(panel.breakdowns[1].rows)
    assert by_kind == {"Public laboratory or agency": 1, "Private fusion developer": 4}
    trend = panel.trends[0]
    assert len(trend.days) == 14 and trend.days[-1] == (now.date(), 5) and trend.total == 5
    assert [bar["height"] for bar in trend.bars][-1] == 60


def test_pending_approvals_are_a_todo_until_decided(filled, organiser, event):
    regs, _ = filled
    todo = _todo(dashboard.build(event, organiser, business_clock.now()), "registration-pending")
    assert todo.count == 2 and "status=pending" in todo.url
    for reg in regs[3:]:
        services.reject(reg, by=organiser)
    assert _todo(dashboard.build(event, organiser, business_clock.now()),
                 "registration-pending") is None


def test_an_offer_expiring_soon_is_a_todo(filled, organiser, event, clock):
    regs, _ = filled
    services.approve(regs[3], by=organiser)  # full: waiting list
    regs[3].refresh_from_db()
    assert regs[3].status == Status.WAITLISTED
    services.cancel(regs[0], by=organiser)  # a seat frees: the first waiting gets an offer
    regs[3].refresh_from_db()
    assert regs[3].status == Status.OFFERED
    todo = _todo(dashboard.build(event, organiser, business_clock.now()), "registration-offers")
    assert todo.count == 1 and todo.urgency == 0
    assert todo.url == reverse("registration:desk_waiting_list", args=[event.slug])
    services.accept_offer(regs[3], by=regs[3].user)
    assert _todo(dashboard.build(event, organiser, business_clock.now()),
                 "registration-offers") is None


def test_failed_emails_of_this_event_are_a_todo(filled, organiser, event, make_event):
    regs, _ = filled
    email = OutboundEmail.objects.filter(related_type="registration.registration",
                                         related_id=str(regs[1].pk)).first()
    assert _todo(dashboard.build(event, organiser, business_clock.now()),
                 "registration-failed-emails") is None
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED)
    todo = _todo(dashboard.build(event, organiser, business_clock.now()),
                 "registration-failed-emails")
    assert todo.count == 1
    assert todo.url == reverse("registration:desk_registration", args=[event.slug, regs[1].pk])
    # Another event's organiser sees nothing of it.
    other = make_event(slug="other-2027")
    assert registration_dashboard.failed_emails(other).count() == 0


def test_a_reviewer_sees_no_registration_figures(filled, event, make_user):
    reviewer = make_user(email="reviewer@test.invalid")
    TeamMembership.objects.create(event=event, user=reviewer, role=TeamMembership.Role.REVIEWER)
    board = dashboard.build(event, reviewer, business_clock.now())
    assert _panel(board, "registration") is None
    assert not [todo for todo in board.todos if todo.key.startswith("registration")]


def test_the_page_shows_the_figures_and_links_the_todo(client, filled, organiser, event):
    login_verified(client, organiser)
    page = client.get(reverse("events_manage:dashboard", args=[event.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-panel="registration"' in html and 'data-todo="registration-pending"' in html
    assert reverse("registration:desk_registrations", args=[event.slug]) + "?status=pending" \
        in html
    assert "<svg" in html and "Registrations per day" in html
