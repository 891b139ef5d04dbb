"""The meetings day as people click through it: a participant asks for a meeting (suggestions
while typing), the organiser runs the scheduler (a background job), reviews and publishes,
the participant opens the agenda and downloads the calendar; axe on every page."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from fusionforum.meetings.models import MeetingRelease, MeetingRequest, ScheduleRun

from ..browser.conftest import axe_violations, browser, open_page, page, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def desk_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="meet0001")
    return organiser


def log_in(page, live_server, email, next_path, code=None):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if code:
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()


def no_axe(page, name):  # noqa: F811
    found = axe_violations(page)
    if found:
        screenshot(page, name)
    assert found == [], [v["id"] for v in found]


def test_request_schedule_publish_agenda_ics(browser, live_server, event, people,  # noqa: F811
                                             experts, desk_organiser, tmp_path):
    slug = event.slug
    alice = people["alice"]
    participant = open_page(browser, accept_downloads=True)
    log_in(participant, live_server, alice.email, f"/{slug}/meetings/")
    expect(participant.get_by_role("heading", name="Meetings with experts")).to_be_visible()
    no_axe(participant, "meetings-home")

    participant.get_by_role("link", name="Ask for a meeting").click()
    expect(participant.get_by_role("heading", name="Ask for a meeting")).to_be_visible()
    no_axe(participant, "meetings-request-form")
    participant.get_by_role("textbox", name="Topic").fill(
        "We need HTS cable testing for our coil prototype")
    suggestion = participant.locator("#suggestions li").first
    expect(suggestion).to_contain_text("Mara Magnet")
    expect(suggestion).to_contain_text("HTS cable testing")
    suggestion.get_by_role("button").click()
    assert participant.get_by_label("Whom do you want to meet?").input_value() == \
        f"expert:{experts['mara'].pk}"
    participant.get_by_role("button", name="Send the request").click()
    expect(participant.locator(".messages")).to_contain_text("Your request was saved")
    request = MeetingRequest.objects.get()
    assert request.expert == experts["mara"] and list(request.attendees.all()) == [alice]

    participant.goto(f"{live_server.url}/{slug}/meetings/experts/?discipline=magnets")
    expect(participant.get_by_role("heading", name="Mara Magnet")).to_be_visible()
    no_axe(participant, "meetings-directory")

    organiser_page = open_page(browser)
    log_in(organiser_page, live_server, desk_organiser.email, f"/manage/{slug}/meetings/",
           code="meet0001")
    expect(organiser_page.get_by_role("heading", name="Expert meetings", exact=True)) \
        .to_be_visible()
    no_axe(organiser_page, "meetings-overview")
    organiser_page.get_by_role("button", name="Compute the whole schedule").click()
    expect(organiser_page.get_by_role("heading", name="Scheduler run")).to_be_visible()
    expect(organiser_page.get_by_text("The result is now the working schedule")).to_be_visible()
    assert ScheduleRun.objects.get().status == ScheduleRun.Status.DONE
    no_axe(organiser_page, "meetings-run")
    organiser_page.get_by_role("link", name="Adjust by hand").click()
    expect(organiser_page.get_by_role("table")).to_contain_text("Alpha Fusion (test)")
    no_axe(organiser_page, "meetings-schedule")
    organiser_page.get_by_role("link", name="Overview and publication").click()
    expect(organiser_page.get_by_text("Organisations covered")).to_be_visible()
    organiser_page.get_by_role("button", name="Publish version 1").click()
    expect(organiser_page.get_by_role("heading", name="Meetings, version 1")).to_be_visible()
    no_axe(organiser_page, "meetings-release")
    assert MeetingRelease.objects.get().version == 1

    participant.goto(f"{live_server.url}/{slug}/meetings/")
    agenda = participant.locator("table.meetings-agenda")
    expect(agenda).to_contain_text("Mara Magnet")
    expect(agenda).to_contain_text("HTS cable testing")
    no_axe(participant, "meetings-agenda")
    with participant.expect_download() as download_info:
        participant.get_by_role("link", name="Download the calendar (.ics)").click()
    path = tmp_path / "meetings.ics"
    download_info.value.save_as(path)
    calendar = Calendar.from_ical(path.read_bytes())
    entries = calendar.walk("VEVENT")
    assert len(entries) == 1
    assert "Mara Magnet" in str(entries[0]["SUMMARY"])
    assert participant.console_problems == []
    assert organiser_page.console_problems == []
