"""The whole site-visit path in one walk: a participant ranks tours, the organiser allocates,
the participant fills in the site-access data, the security officer approves, and the
participant sees the approved clearance next to the seat."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from playwright.sync_api import expect

from fusionforum.events.models import TeamMembership
from fusionforum.vault.models import AccessLogEntry, AccessRecord
from fusionforum.visits.models import TourType

from ..browser.conftest import axe_violations, browser, open_page  # noqa: F401
from ..conftest import paris
from .test_browser import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_code(user, code):
    user.set_password(PASSWORD)
    user.save()
    StaticDevice.objects.create(user=user, name="backup", confirmed=True).token_set.create(
        token=code)
    return user


def test_rank_allocate_fill_in_approve_status_shown(browser, live_server, event, tours,  # noqa: F811
                                                    clock, make_participant, organiser,
                                                    make_user):
    slug = event.slug
    # Clearance takes two days here, so the data can still be sent after the allocation.
    TourType.objects.filter(event=event).update(clearance_lead_days=2)
    _with_code(organiser, "tour0001")
    officer = _with_code(make_user("officer@test.invalid", full_name="Sara Security"),
                         "gate0001")
    TeamMembership.objects.create(event=event, user=officer,
                                  role=TeamMembership.Role.SECURITY_OFFICER)
    ada = make_participant("Ada Visitor")

    participant = open_page(browser)
    log_in(participant, live_server, ada.email, f"/{slug}/visits/")
    participant.get_by_label("Cryogenics plant, Fri 28 May 10:00–11:00").fill("1")
    participant.get_by_role("button", name="Save my ranking").click()
    expect(participant.locator(".messages")).to_contain_text("Your ranking is saved (1 run)")

    clock.set(paris(2027, 5, 23, 9))  # sign-up closed
    desk = open_page(browser)
    log_in(desk, live_server, organiser.email, f"/manage/{slug}/visits/allocation/",
           code="tour0001")
    desk.get_by_role("button", name="Apply this allocation").click()
    expect(desk.locator(".messages")).to_contain_text("Allocation applied")

    participant.goto(f"{live_server.url}/{slug}/visits/")
    expect(participant.locator(".visits-mine")).to_contain_text("Seat held")
    expect(participant.get_by_text("Site access clearance: identity data missing")).to_be_visible()
    participant.goto(f"{live_server.url}/{slug}/site-access/")
    expect(participant.locator("#clearance-status")).to_have_text("Missing")
    participant.get_by_label("Given names (as on the document)").fill("Ada")
    participant.get_by_label("Surname (as on the document)").fill("Visitor")
    participant.get_by_label("Nationality").select_option("FR")
    participant.get_by_label("Date of birth").fill("1990-01-02")
    participant.get_by_label("Place of birth").fill("Testville")
    participant.get_by_label("Document type").select_option("passport")
    participant.get_by_label("Document number").fill("WP-5512-CANARY")
    participant.get_by_label("Document expiry date").fill("2034-12-31")
    participant.get_by_role("button", name="Send to the security office").click()
    expect(participant.locator("#clearance-status")).to_have_text("Submitted")
    assert axe_violations(participant) == []
    assert "WP-5512-CANARY" not in AccessRecord.objects.get(user=ada).sealed

    # The organiser sees the status on the run, never the values.
    desk.goto(f"{live_server.url}/manage/{slug}/visits/runs/{tours['cryo_am'].pk}/")
    expect(desk.get_by_role("row", name="Ada Visitor")).to_contain_text("submitted")
    assert "WP-5512-CANARY" not in desk.content()

    office = open_page(browser)
    log_in(office, live_server, officer.email, f"/security/{slug}/", code="gate0001")
    office.get_by_role("link", name="Open record of Ada Visitor").click()
    expect(office.get_by_text("WP-5512-CANARY")).to_be_visible()
    office.get_by_label("Approve").check()
    office.get_by_role("button", name="Record the decision").click()
    expect(office.get_by_text("Decision recorded")).to_be_visible()
    assert AccessLogEntry.objects.filter(action="view", subject=ada).exists()

    participant.goto(f"{live_server.url}/{slug}/visits/")
    expect(participant.get_by_text("Site access clearance: approved")).to_be_visible()
    participant.goto(f"{live_server.url}/{slug}/site-access/")
    expect(participant.locator("#clearance-status")).to_have_text("Approved")
    assert axe_violations(participant) == []
    for page in (participant, desk, office):
        assert page.console_problems == []
