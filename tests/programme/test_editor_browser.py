"""The programme editor as an organiser clicks through it: open the editor, try to place a
talk where its speaker is already busy (refused with a readable message, nothing written),
place it elsewhere, move it, drag another talk onto a session, release version 1."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fusionforum.programme.models import Release, TalkSlot

from ..browser.conftest import axe_violations, browser, page, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def desk_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="prog0001")
    return organiser


def log_in(page, live_server, email, next_path):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill("prog0001")
    page.get_by_role("button", name="Continue").click()


def test_organiser_places_is_refused_moves_and_releases(page, live_server, event,  # noqa: F811
                                                        desk_organiser, placed_talks,
                                                        sessions, make_submission, local):
    tess = placed_talks["tokamak_1"].submission.speakers.get()
    busy = make_submission(author=tess, state="confirmed", title="Second torus talk")
    dragged = make_submission(state="accepted", title="Dragged divertor talk")
    editor_path = f"/manage/{event.slug}/programme/"
    log_in(page, live_server, desk_organiser.email, editor_path)
    expect(page.get_by_role("heading", name="Programme editor")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Tokamak panel")

    card = page.locator(f"#talk-{busy.code}")
    card.get_by_label("Session").select_option(label="Wed 26 May 09:30-11:00 Stellarator "
                                                     "session (Room B)")
    card.get_by_label("Starts at").fill("09:40")
    card.get_by_label("Minutes").fill("20")
    card.get_by_role("button", name="Place").click()
    alert = page.locator("#editor-error")
    expect(alert).to_contain_text("“Second torus talk” was not placed")
    expect(alert).to_contain_text("Tess Torus already speaks in “Compact torus results” "
                                  "(Wed 26 May 09:30-09:50")
    expect(alert).to_be_focused()
    assert not TalkSlot.objects.filter(submission=busy).exists()

    card = page.locator(f"#talk-{busy.code}")
    card.get_by_label("Starts at").fill("10:00")
    card.get_by_role("button", name="Place").click()
    expect(page.locator("#editor-messages")).to_contain_text(
        "“Second torus talk” is now at Wed 26 May 10:00-10:20 in “Stellarator session”.")
    expect(page.get_by_role("table")).to_contain_text("10:00–10:20 Second torus talk")
    assert TalkSlot.objects.get(submission=busy).start == local(1, "10:00")

    placed = page.locator(f"#talk-{busy.code}")
    placed.get_by_text("Move or change length").click()
    placed.get_by_label("Starts at").fill("10:30")
    placed.get_by_label("Minutes").fill("25")
    placed.get_by_role("button", name="Move").click()
    expect(page.locator("#editor-messages")).to_contain_text("10:30-10:55")
    slot = TalkSlot.objects.get(submission=busy)
    assert (slot.start, slot.duration_minutes) == (local(1, "10:30"), 25)

    # Drag and drop: the talk card onto the suppliers session of day 2.
    page.get_by_role("link", name="Day 2: challenges").click()
    expect(page.get_by_role("table")).to_contain_text("Suppliers")
    # Both the card and the session on screen at once, as on a large monitor.
    page.set_viewport_size({"width": 1280, "height": 3200})
    page.locator(f"article#talk-{dragged.code} h3").hover()
    page.mouse.down()
    target = page.locator(f"td#session-{sessions['suppliers'].pk}").bounding_box()
    page.mouse.move(target["x"] + 20, target["y"] + 6, steps=8)
    page.mouse.up()
    expect(page.locator("#editor-messages")).to_contain_text("“Dragged divertor talk” is now at")
    assert TalkSlot.objects.get(submission=dragged).session == sessions["suppliers"]

    page.get_by_role("link", name="Day 1: breakthroughs").click()
    expect(page.get_by_role("table")).to_contain_text("10:30–10:55 Second torus talk")
    screenshot(page, "programme-editor")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Releases").first.click()
    expect(page.get_by_role("heading", name="Version 1: what would change")).to_be_visible()
    expect(page.locator(".release-next")).to_contain_text("Added: “Second torus talk”")
    assert axe_violations(page) == []
    page.get_by_label("Public comment").fill("The first programme.")
    page.get_by_role("button", name="Release version 1").click()
    expect(page.get_by_role("heading", name="Programme version 1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("The first programme.")
    screenshot(page, "programme-release-v1")
    assert axe_violations(page) == []
    release = Release.objects.get(event=event)
    assert release.version == 1 and len(release.snapshot["talks"]) == 5
    # The refused placement is a 409 the browser reports; nothing else (no CSP violation).
    assert [p for p in page.console_problems if "status of 409" not in p] == []
