"""The staff home lists each role's tools; reviewers land there after logging in."""

import pytest
from django.urls import reverse

from fusionforum.events.models import TeamMembership
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_participant_gets_404(client, make_user):
    client.force_login(make_user(email="p@test.invalid"))
    response = client.get("/manage/")
    assert response.status_code == 404


def test_reviewer_must_verify_then_sees_review_link_only(client, event, make_user):
    reviewer = make_user(email="r@test.invalid")
    TeamMembership.objects.create(event=event, user=reviewer, role=TeamMembership.Role.REVIEWER)
    client.force_login(reviewer)
    response = client.get("/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    login_verified(client, reviewer)
    page = client.get("/manage/").content.decode()
    assert reverse("review:home", args=[event.slug]) in page
    assert reverse("programme_manage:editor", args=[event.slug]) not in page
    assert reverse("admin:index") not in page


def test_organiser_sees_every_tool(client, event, organiser):
    login_verified(client, organiser)
    page = client.get("/manage/").content.decode()
    for name in ("registration:desk_registrations", "cfp_manage:submissions", "cfp_decide:overview",
                 "programme_manage:editor", "meetings_manage:overview", "visits_manage:overview",
                 "outcomes_manage:editor", "editions:home"):
        assert reverse(name, args=[event.slug]) in page
    assert reverse("admin:index") in page


def test_reviewer_lands_on_staff_home_after_login(client, event, make_user):
    from fusionforum.accounts.views.public import _default_destination

    reviewer = make_user(email="r2@test.invalid")
    TeamMembership.objects.create(event=event, user=reviewer, role=TeamMembership.Role.REVIEWER)
    assert _default_destination(reviewer) == reverse("staff_home")
