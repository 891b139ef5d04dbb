# ruff: noqa: F811  (fixtures imported from tests/cfp and tests/browser are used as arguments)
"""The whole path of a talk as people click through it in Chromium: a registered participant
submits a presentation, a reviewer (second factor by backup code) reviews it, the organiser
accepts it on the ranking page, the speaker confirms from the link in the acceptance e-mail,
the organiser places it in a session with the editor's place form and releases version 1,
and an anonymous visitor finds it on the public programme and downloads the calendars."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from icalendar import Calendar
from playwright.sync_api import expect

from fusionforum.cfp import review
from fusionforum.cfp.models import Submission
from fusionforum.notifications.models import OutboundEmail
from fusionforum.programme import public
from fusionforum.programme.models import ProgrammeSession, Release, Room, TalkSlot
from tests.browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from tests.cfp.conftest import (  # noqa: F401  (fixtures)
    author,
    call,
    make_cfp_organisation,
    make_participant,
    make_reviewer,
    make_submission,
    org_a,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TITLE = "Whole-path pulses on a fictional spherical tokamak"
SECRET = "Omicron-secret-divertor-tungsten-9182"
PUBLIC_BREAKTHROUGH = "Twelve-second pulses at forty million degrees."
PUBLIC_HELP = "Share qualified tungsten suppliers with us."


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


def _backup_code(user, code):
    user.set_password(PASSWORD)
    user.save()
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    device.token_set.create(token=code)
    return user


def _log_in(page, live_server, email, next_path, code=None):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if code:
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()


def _describe(violations):
    return "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in violations)


def _talk_event(calendar_bytes):
    calendar = Calendar.from_ical(calendar_bytes)
    events = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == TITLE]
    assert len(events) == 1, [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    return calendar, events[0]


def _download(page, link, path):
    with page.expect_download() as info:
        link.click()
    info.value.save_as(path)
    return path.read_bytes()


def test_whole_path_from_submission_to_public_calendar(browser, live_server, event, call,  # noqa: F811
                                                       author, organiser, make_reviewer,
                                                       tmp_path):
    # Set-up that is nobody's click: rooms, a session, the reviewer, the score categories.
    main = Room.objects.create(event=event, name="Main auditorium", position=0, capacity=300)
    session = ProgrammeSession.objects.create(
        event=event, kind="talks", title="Spherical tokamaks", room=main,
        start=dt.datetime(2027, 5, 26, 9, 30, tzinfo=PARIS),
        end=dt.datetime(2027, 5, 26, 11, 0, tzinfo=PARIS))
    categories = review.install_default_score_categories(event)
    rhea = _backup_code(make_reviewer(full_name="Rhea Reviewer", email="rhea@test.invalid"),
                        "rhea0001")
    _backup_code(organiser, "olga0001")

    # 1. The participant writes and submits.
    page = open_page(browser)
    _log_in(page, live_server, author.email, f"/{event.slug}/call/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Call for presentations")
    page.get_by_role("link", name="Start a submission").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Short abstract").fill("Long pulses, a tungsten divertor and ITER.")
    page.get_by_label("1. What fusion breakthroughs").fill(PUBLIC_BREAKTHROUGH)
    page.get_by_label("At what scale were these").select_option("prototype_device")
    page.get_by_label("2. What challenges remain").fill(f"Our divertor recipe: {SECRET}.")
    page.locator("#id_challenges_visibility_2").check()  # confidential
    page.get_by_label("3. How can ITER help?").fill(PUBLIC_HELP)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft is saved")).to_be_visible()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Your presentation is submitted")).to_be_visible()
    screenshot(page, "whole-path-1-submitted")
    assert page.console_problems == []
    page.context.close()
    submission = Submission.objects.get(title=TITLE)
    assert submission.state == "submitted"
    assert submission.challenges_visibility == "confidential"
    review.assign(submission, rhea, by=organiser)

    # 2. The reviewer confirms the second factor with a backup code, scores and submits.
    page = open_page(browser)
    _log_in(page, live_server, rhea.email, f"/review/{event.slug}/", code="rhea0001")
    expect(page.get_by_role("heading", name="Submissions to review")).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text(SECRET, exact=False)).to_be_visible()  # reviewers read it
    for category in categories:
        page.get_by_label(category.name).fill(str(category.max_score))
    page.get_by_label("Comment to the organisers").fill("Strong pulse data.")
    page.get_by_label("Comment to the speakers (optional)").fill("Show the heat-flux budget.")
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("Review submitted")).to_be_visible()
    screenshot(page, "whole-path-2-reviewed")
    assert page.console_problems == []
    page.context.close()
    assert submission.reviews.get().submitted_at is not None

    # 3. The organiser accepts it on the ranking page.
    desk = open_page(browser)
    _log_in(desk, live_server, organiser.email, f"/manage/{event.slug}/call/review/",
            code="olga0001")
    expect(desk.get_by_role("heading", name="Ranking and decisions")).to_be_visible()
    desk.get_by_label(f"Select {TITLE}").check()
    desk.get_by_label("Decision", exact=True).select_option("accepted")
    desk.get_by_label("Include the reviewers' comments").check()
    desk.get_by_role("button", name="Decide and e-mail the speakers").click()
    expect(desk.get_by_text("1 submission accepted")).to_be_visible()
    screenshot(desk, "whole-path-3-accepted")
    submission.refresh_from_db()
    assert submission.state == "accepted"

    # 4. The speaker confirms from the link in the acceptance e-mail.
    email = OutboundEmail.objects.get(purpose="cfp-accepted", to=[author.email])
    assert "Show the heat-flux budget." in email.body
    confirm_path = re.search(rf"/{event.slug}/call/{submission.code}/confirm/",
                             email.body).group(0)
    speaker = open_page(browser)
    # Signed out, the link answers 404 (see test_confirm_link_signed_out below): the speaker
    # signs in with the link as the next page.
    _log_in(speaker, live_server, author.email, confirm_path)
    expect(speaker.get_by_role("heading", level=1)).to_have_text(TITLE)
    speaker.get_by_role("button", name="I confirm I will present").click()
    expect(speaker.get_by_text("your talk is confirmed")).to_be_visible()
    screenshot(speaker, "whole-path-4-confirmed")
    assert speaker.console_problems == []
    speaker.context.close()
    submission.refresh_from_db()
    assert submission.state == "confirmed"

    # 5. The organiser places it with the plain place form and releases version 1.
    desk.goto(f"{live_server.url}/manage/{event.slug}/programme/")
    expect(desk.get_by_role("heading", name="Programme editor")).to_be_visible()
    card = desk.locator(f"#talk-{submission.code}")
    card.get_by_label("Session").select_option(
        label="Wed 26 May 09:30-11:00 Spherical tokamaks (Main auditorium)")
    card.get_by_label("Starts at").fill("10:10")
    card.get_by_label("Minutes").fill("25")
    card.get_by_role("button", name="Place").click()
    expect(desk.locator("#editor-messages")).to_contain_text(
        f"“{TITLE}” is now at Wed 26 May 10:10-10:35 in “Spherical tokamaks”.")
    slot = TalkSlot.objects.get(submission=submission)
    assert (slot.session, slot.start, slot.duration_minutes) == (
        session, dt.datetime(2027, 5, 26, 10, 10, tzinfo=PARIS), 25)
    screenshot(desk, "whole-path-5-placed")
    desk.get_by_role("link", name="Releases").first.click()
    expect(desk.locator(".release-next")).to_contain_text(f"Added: “{TITLE}”")
    desk.get_by_label("Public comment").fill("The first programme.")
    desk.get_by_role("button", name="Release version 1").click()
    expect(desk.get_by_role("heading", name="Programme version 1")).to_be_visible()
    assert Release.objects.get(event=event).version == 1
    assert desk.console_problems == []
    desk.context.close()

    # 6. An anonymous visitor reads the programme and the talk, and downloads calendars.
    visitor = open_page(browser)
    visitor.goto(f"{live_server.url}/{event.slug}/programme/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Programme")
    expect(visitor.get_by_text(re.compile(r"Version 1, released"))).to_be_visible()
    expect(visitor.get_by_role("link", name=TITLE)).to_be_visible()
    assert SECRET not in visitor.content()
    screenshot(visitor, "whole-path-6-programme")
    violations = axe_violations(visitor)
    assert violations == [], _describe(violations)
    programme_ics = _download(visitor, visitor.get_by_role("link", name="a calendar (iCalendar)"),
                              tmp_path / "programme.ics")

    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.get_by_text(PUBLIC_BREAKTHROUGH)).to_be_visible()
    expect(visitor.get_by_text(PUBLIC_HELP)).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("Ada Author")
    assert SECRET not in visitor.content()
    screenshot(visitor, "whole-path-7-talk")
    violations = axe_violations(visitor)
    assert violations == [], _describe(violations)

    visitor.locator("main").get_by_role("link", name="Ada Author").first.click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Ada Author")
    assert SECRET not in visitor.content()
    violations = axe_violations(visitor)
    assert violations == [], _describe(violations)
    speaker_ics = _download(visitor, visitor.get_by_role("link", name="iCalendar"),
                            tmp_path / "speaker.ics")
    assert visitor.console_problems == []
    visitor.context.close()

    start = dt.datetime(2027, 5, 26, 10, 10, tzinfo=PARIS)
    for body in (programme_ics, speaker_ics):
        assert SECRET.encode() not in body
        calendar, vevent = _talk_event(body)
        assert vevent["DTSTART"].params.get("TZID") == "Europe/Paris"
        assert vevent["DTSTART"].dt == start
        assert vevent["DTSTART"].dt.utcoffset() == dt.timedelta(hours=2)
        assert vevent["DTEND"].dt == start + dt.timedelta(minutes=25)
        assert any(str(tz["TZID"]) == "Europe/Paris" for tz in calendar.walk("VTIMEZONE"))


def test_confirm_link_signed_out(browser, live_server, event, call, author,  # noqa: F811
                                 make_submission):
    """A speaker who opens the acceptance e-mail's confirm link while signed out is asked to
    log in, then lands on the confirm page (as pretalx does), instead of a 404."""
    submission = make_submission(author=author, state="accepted", title="Signed-out confirm")
    page = open_page(browser)
    response = page.goto(f"{live_server.url}/{event.slug}/call/{submission.code}/confirm/")
    assert response.status == 200
    page.get_by_label("E-mail address").fill(author.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="I confirm I will present")).to_be_visible()
    page.context.close()
