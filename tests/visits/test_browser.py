"""Site visits as people click through them: a participant ranks tours while sign-up is open,
the organiser previews and applies the allocation after the close, the participant sees the
seat (the access-data part of the flow is the vault's browser test); axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fusionforum.visits.models import Seat

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from ..conftest import paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def desk_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="tour0001")
    return organiser


def log_in(page, live_server, email, next_path, code=None):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if code:
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()


def no_axe(page, name):
    found = axe_violations(page)
    if found:
        screenshot(page, name)
    assert found == [], [v["id"] for v in found]


def test_rank_allocate_see_the_seat(browser, live_server, event, tours, clock,  # noqa: F811
                                    make_participant, desk_organiser):
    slug = event.slug
    ada = make_participant("Ada Visitor")
    participant = open_page(browser)
    log_in(participant, live_server, ada.email, f"/{slug}/visits/")
    expect(participant.get_by_role("heading", name="Site visits")).to_be_visible()
    expect(participant.get_by_text("Tour sign-up is open")).to_be_visible()
    no_axe(participant, "visits-home-open")
    participant.get_by_label("Cryogenics plant, Fri 28 May 10:00–11:00").fill("1")
    participant.get_by_label("Main tour, Fri 28 May 14:00–16:00").fill("2")
    participant.get_by_role("button", name="Save my ranking").click()
    expect(participant.locator(".messages")).to_contain_text("Your ranking is saved (2 runs)")
    # A duplicate rank is refused with a message next to the field.
    participant.get_by_label("Main tour, Fri 28 May 09:00–11:00").fill("1")
    participant.get_by_role("button", name="Save my ranking").click()
    expect(participant.get_by_text("Each rank can be used only once.", exact=True)).to_be_visible()
    no_axe(participant, "visits-home-error")

    clock.set(paris(2027, 5, 23, 9))
    organiser_page = open_page(browser)
    log_in(organiser_page, live_server, desk_organiser.email, f"/manage/{slug}/visits/",
           code="tour0001")
    expect(organiser_page.get_by_role("heading", name="Site visits", exact=True)) \
        .to_be_visible()
    no_axe(organiser_page, "visits-manage-overview")
    organiser_page.get_by_role("link", name="Allocation", exact=True).click()
    expect(organiser_page.get_by_text("1 person gets at least one tour")).to_be_visible()
    no_axe(organiser_page, "visits-manage-preview")
    organiser_page.get_by_role("button", name="Apply this allocation").click()
    expect(organiser_page.locator(".messages")).to_contain_text("Allocation applied")
    no_axe(organiser_page, "visits-manage-applied")
    organiser_page.get_by_role("link", name="Cryogenics plant, Fri 28 May 10:00").click()
    expect(organiser_page.get_by_role("row", name="Ada Visitor")).to_contain_text("missing")
    no_axe(organiser_page, "visits-manage-run")
    assert {s.run for s in Seat.objects.filter(user=ada, status="held")} == {
        tours["cryo_am"], tours["main_pm"]}

    participant.goto(f"{live_server.url}/{slug}/visits/")
    mine = participant.locator(".visits-mine")
    expect(mine).to_contain_text("Cryogenics plant")
    expect(mine).to_contain_text("Seat held")
    expect(participant.get_by_text("Site access clearance: identity data missing")).to_be_visible()
    no_axe(participant, "visits-home-allocated")
    # The refused duplicate rank was answered 400 on purpose; nothing else went wrong.
    assert [p for p in participant.console_problems if "400 (Bad Request)" not in p] == []
    assert organiser_page.console_problems == []
