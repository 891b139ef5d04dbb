"""The meetings day as people click through it: a participant asks for a meeting (suggestions
while typing), the organiser runs the scheduler (a background job), reviews and publishes,
the participant opens the agenda and downloads the calendar; axe on every page."""

from __future__ import annotations

import re

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
    for figure in ("#run-best", "#run-bound", "#run-gap"):
        expect(organiser_page.locator(figure)).not_to_have_text("—")
    expect(organiser_page.locator("#run-best")).to_contain_text(
        re.compile(r"\d+ covered, \d+ with two meetings, weight \d+"))
    no_axe(organiser_page, "meetings-run")
    organiser_page.get_by_role("link", name="Adjust by hand").click()
    expect(organiser_page.get_by_role("table")).to_contain_text("Alpha Fusion (test)")
    no_axe(organiser_page, "meetings-schedule")
    organiser_page.get_by_role("link", name="Overview and publication").click()
    expect(organiser_page.get_by_text("Organisations covered")).to_be_visible()
    # Requests are still open: publishing needs them closed, by an explicit choice.
    expect(organiser_page.get_by_text("A schedule is published once they are closed")) \
        .to_be_visible()
    organiser_page.get_by_label("Close requests now").check()
    organiser_page.get_by_role("button", name="Publish version 1").click()
    expect(organiser_page.get_by_role("heading", name="Meetings, version 1")).to_be_visible()
    no_axe(organiser_page, "meetings-release")
    assert MeetingRelease.objects.get().version == 1

    participant.goto(f"{live_server.url}/{slug}/meetings/")
    expect(participant.get_by_text("The deadline for requests has passed")).to_be_visible()
    expect(participant.get_by_text("Requests are open until")).to_have_count(0)
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


def test_menu_directory_confirmation_and_check_in(browser, live_server, event, people,  # noqa: F811
                                                 orgs, make_delegate, experts, desk_organiser,
                                                 fake_solver, django_capture_on_commit_callbacks):
    """From the menu as a person whose registration is pending; the directory as an expert;
    the organiser removes a meeting through its confirmation with the keyboard; check-in."""
    from fusionforum.meetings import publishing, services
    from fusionforum.meetings.models import Meeting

    from .test_menu_and_lifecycle import registration_open

    slug = event.slug
    registration_open(event)
    pending = make_delegate(orgs[0], "pending@alpha.invalid", "Pat Pending", status="pending")
    pending.set_password(PASSWORD)
    pending.save()
    services.submit_request(event, people["alice"], expert=experts["mara"], topic="Quench",
                            priority=1, attendees=[people["alice"]])
    services.submit_request(event, people["bea"], discipline="cryogenics", topic="Cold box",
                            priority=1, attendees=[people["bea"]])
    with django_capture_on_commit_callbacks(execute=True):
        services.start_run(event, by=desk_organiser)
    publishing.publish(event, by=desk_organiser, close_requests=True)

    person = open_page(browser, viewport={"width": 390, "height": 844})
    log_in(person, live_server, pending.email, f"/{slug}/")
    person.locator(".menu-button").click()  # on a phone the menu opens from its button
    person.get_by_role("navigation", name="Event").get_by_role("link", name="Meetings").click()
    expect(person.get_by_role("heading", name="Meetings with experts")).to_be_visible()
    expect(person.get_by_text("yours is pending approval")).to_be_visible()
    assert person.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    no_axe(person, "meetings-not-yet")
    person.get_by_role("link", name="See your registration").click()
    expect(person.get_by_role("heading", name="Your registration")).to_be_visible()
    person.context.close()

    expert_page = open_page(browser)
    mara = experts["mara"].user
    mara.set_password(PASSWORD)
    mara.save()
    log_in(expert_page, live_server, mara.email, f"/{slug}/meetings/experts/")
    expect(expert_page.get_by_text("You are one of these experts")).to_be_visible()
    expect(expert_page.get_by_role("link", name="Ask to meet")).to_have_count(0)
    expert_page.goto(f"{live_server.url}/{slug}/expert/")
    row = expert_page.locator("table.meetings-agenda tbody tr").first
    expect(row).to_contain_text("Not checked in yet")
    row.get_by_role("button", name="Mark as held").click()
    row = expert_page.locator("table.meetings-agenda tbody tr").first
    expect(row.locator(".checkin-state")).to_have_text("Held")
    expect(row.get_by_role("button", name="Change to no-show")).to_be_visible()
    expect(row.get_by_role("button", name="Mark as held")).to_have_count(0)
    no_axe(expert_page, "meetings-expert-checkin")
    expert_page.context.close()

    organiser_page = open_page(browser)
    log_in(organiser_page, live_server, desk_organiser.email, f"/manage/{slug}/meetings/schedule/",
           code="meet0001")
    before = Meeting.objects.count()
    remove = organiser_page.get_by_role("link", name="remove").first
    remove.focus()
    organiser_page.keyboard.press("Enter")
    expect(organiser_page.get_by_role("heading", name="Remove this meeting?")).to_be_visible()
    no_axe(organiser_page, "meetings-remove-confirm")
    assert Meeting.objects.count() == before  # nothing happened yet
    organiser_page.get_by_role("link", name="Cancel, keep it as it is").click()
    expect(organiser_page.get_by_role("heading", name="Working schedule")).to_be_visible()
    assert Meeting.objects.count() == before
    organiser_page.get_by_role("link", name="remove").first.click()
    organiser_page.get_by_role("button", name="Remove the meeting").focus()
    organiser_page.keyboard.press("Enter")
    expect(organiser_page.locator(".messages")).to_contain_text("taken out of the working")
    assert Meeting.objects.count() == before - 1
    organiser_page.goto(f"{live_server.url}/manage/{slug}/meetings/day/")
    expect(organiser_page.get_by_text("Not checked in yet").first).to_be_visible()
    no_axe(organiser_page, "meetings-day-checkin")
    assert organiser_page.console_problems == []
