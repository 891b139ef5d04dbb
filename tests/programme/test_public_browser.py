"""The public programme as visitors click through it: a phone-size visitor who is not signed
in stars a talk in the browser; a signed-in participant stars two talks, opens the agenda and
downloads its calendar. Hostile texts never run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from fusionforum.cfp.models import SpeakerProfile, Submission
from fusionforum.programme import public, releases
from fusionforum.programme.models import StarredTalk

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from .conftest import CONFIDENTIAL_PHRASE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _fresh_programme_index():
    public.clear_cache()
    yield
    public.clear_cache()


def _describe(violations):
    return "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in violations)


def _watch_for_scripts(page):
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    return page


def _check_page(page, name):
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], _describe(violations)
    assert page.console_problems == []
    assert page.dialogs == []


@pytest.fixture
def released(event, organiser, placed_talks, sessions, clock):
    # Hostile text in every field the public pages show: it must render inert.
    slot = placed_talks["stellarator_1"]
    Submission.objects.filter(pk=slot.submission.pk).update(
        abstract=f"Abstract {XSS}", iter_help=f"Answer {XSS}")
    user = slot.submission.speakers.first()
    profile, _ = SpeakerProfile.objects.get_or_create(event=event, user=user)
    profile.bio = f"Bio {XSS}"
    profile.save()
    sessions["stellarator"].title = f"Stellarator session {XSS}"
    sessions["stellarator"].save()
    return releases.release(event, by=organiser, comment=f"First programme {XSS}")


def test_visitor_on_a_phone_browses_and_stars_locally(browser, live_server, event,  # noqa: F811
                                                      released, placed_talks):
    page = _watch_for_scripts(open_page(browser, viewport=PHONE, is_mobile=True,
                                        has_touch=True))
    page.goto(f"{live_server.url}/{event.slug}/")
    page.locator(".menu-button").click()  # on a phone the menu opens from its button
    page.get_by_role("navigation", name="Event").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    expect(page.get_by_text(re.compile(r"Version 1, released"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Day 1: breakthroughs"))).to_be_visible()
    # A list on a phone: sessions that run at once stack, nothing overflows sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    boxes = [page.locator(f"#session-{s.pk}").bounding_box()
             for s in (placed_talks["tokamak_1"].session, placed_talks["stellarator_1"].session)]
    assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"] - 1
    assert "<script>alert" not in page.content()
    _check_page(page, "programme-phone")

    page.get_by_role("link", name="HTS magnet campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("HTS magnet campaign")
    star = page.get_by_role("button", name=re.compile(r"^Star\b"))
    expect(star).to_be_visible()
    expect(page.get_by_text("kept in this browser only")).to_be_visible()
    star.click()
    expect(page.get_by_role("button", name=re.compile("Starred"))).to_have_attribute(
        "aria-pressed", "true")
    code = placed_talks["tokamak_2"].submission.code
    stored = page.evaluate(f"localStorage.getItem('fusionforum-agenda:{event.slug}')")
    assert code in stored
    assert not StarredTalk.objects.exists()
    _check_page(page, "talk-phone")

    page.goto(f"{live_server.url}/{event.slug}/agenda/")
    agenda = page.locator("#local-agenda")
    expect(agenda.get_by_role("link", name="HTS magnet campaign")).to_be_visible()
    _check_page(page, "agenda-local-phone")
    # Unstarring from the local agenda empties it.
    agenda.get_by_role("button", name=re.compile("Starred")).click()
    expect(agenda.get_by_text("No talk starred in this browser yet")).to_be_visible()

    # The stellarator talk with hostile texts: the page shows them as text.
    page.goto(f"{live_server.url}/{event.slug}/talks/"
              f"{placed_talks['stellarator_1'].submission.code}/")
    expect(page.get_by_text("Answer <script>", exact=False)).to_be_visible()
    _check_page(page, "talk-hostile")
    page.get_by_role("link", name="Stella Coil").click()
    expect(page.get_by_text("Bio <script>", exact=False)).to_be_visible()
    _check_page(page, "speaker-hostile")
    page.goto(f"{live_server.url}/{event.slug}/programme/changes/")
    _check_page(page, "changes")
    page.goto(f"{live_server.url}/{event.slug}/speakers/")
    _check_page(page, "speakers")
    page.context.close()


def test_participant_stars_two_talks_and_downloads_the_calendar(
        browser, live_server, event, released, placed_talks, author, tmp_path):  # noqa: F811
    page = _watch_for_scripts(open_page(browser))
    page.goto(f"{live_server.url}/{event.slug}/programme/")
    # Stars set before signing in wait in the browser.
    page.locator(f'.star-local[data-code="{placed_talks["tokamak_1"].submission.code}"]').click()
    page.goto(f"{live_server.url}/accounts/login/?next=/{event.slug}/programme/")
    page.get_by_label("E-mail address").fill(author.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    screenshot(page, "programme-wide")

    for title in ("HTS magnet campaign", "Stellarator coil winding"):
        item = page.locator(".talk", has=page.get_by_role("link", name=title, exact=True))
        button = item.get_by_role("button", name=re.compile("Star"))
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
    assert StarredTalk.objects.filter(agenda__user=author).count() == 2
    _check_page(page, "programme-signed-in")

    page.get_by_role("navigation", name="Programme").get_by_role("link", name="My agenda") \
        .click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My agenda")
    entries = page.locator(".agenda-entry")
    expect(entries).to_have_count(2)
    expect(page.locator(".agenda-entry.clash")).to_have_count(2)  # 09:30-10:00 and 09:50-10:10
    # The star kept in the browser before signing in can be added to the account.
    sync = page.get_by_role("button", name="Add them to my agenda")
    expect(sync).to_be_visible()
    _check_page(page, "agenda-signed-in")
    sync.click()
    expect(page.locator(".agenda-entry")).to_have_count(3)
    expect(page.get_by_role("button", name="Add them to my agenda")).to_be_hidden()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the calendar (.ics)").click()
    path = tmp_path / "agenda.ics"
    download_info.value.save_as(path)
    body = Path(path).read_bytes()
    assert b"\r\n" in body and CONFIDENTIAL_PHRASE.encode() not in body
    calendar = Calendar.from_ical(body)
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {
        "Compact torus results", "HTS magnet campaign", "Stellarator coil winding"}
    assert calendar.walk("VTIMEZONE")
    page.context.close()
