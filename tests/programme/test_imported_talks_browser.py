# ruff: noqa: F811  (the browser fixtures are imported to be used as arguments)
"""Browser test: the talks of an imported programme (the real pretalx DemoCon schedule) are
talks a visitor can star, at phone size and on a desktop, with the keyboard: the programme
page shows each imported entry as a talk with its star, the star keeps it in the browser, the
talk page names its speakers, and the personal agenda lists it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fusionforum.programme import public, releases
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.apply import apply_preview

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_visitor_stars_an_imported_talk(browser, live_server, event, organiser, size):
    public.clear_cache()
    data = (FIXTURES / "voc-pretalx-democon.schedule.json").read_bytes()
    apply_preview(event, previews.prepare(event, previews.read_upload(data)), by=organiser,
                  extend_dates=True)
    release = releases.release(event, by=organiser, comment="Imported from pretalx.")
    talk = next(t for t in release.snapshot["talks"] if t["speakers"])
    speakers = {p["code"]: p["name"] for p in release.snapshot["speakers"]}
    names = [speakers[c] for c in talk["speakers"]]

    page = open_page(browser, viewport=VIEWPORTS[size])
    page.goto(f"{live_server.url}/{event.slug}/programme/")
    card = page.locator(f'article.session-talk[data-code="{talk["code"]}"]')
    expect(card.get_by_role("link", name=talk["title"], exact=True)).to_be_visible()
    for name in names:
        expect(card.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, f"programme-imported-{size}")

    star = card.locator(".star-local")
    expect(star).to_be_visible()
    star.focus()
    page.keyboard.press("Enter")
    expect(star).to_have_attribute("aria-pressed", "true")
    stored = page.evaluate(f"localStorage.getItem('fusionforum-agenda:{event.slug}')")
    assert talk["code"] in json.loads(stored)

    # The talk's own page: its speakers, the star already pressed, no call answers.
    card.get_by_role("link", name=talk["title"], exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(talk["title"])
    for name in names:
        expect(page.locator(".talk-facts").get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Starred"))).to_have_attribute(
        "aria-pressed", "true")
    expect(page.get_by_text("The three questions")).to_have_count(0)
    assert fits(page)
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/{event.slug}/agenda/")
    expect(page.locator("#local-agenda").get_by_role("link", name=talk["title"])).to_be_visible()
    assert fits(page)
    assert page.console_problems == []
    page.context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_an_indico_session_slot_shows_its_contributions(browser, live_server, event,
                                                         organiser, size):
    """The real PWI timetable: a session slot is one block of the programme, its convener
    and its contributions inside it with their times; a contribution is starred with the
    keyboard, and its page names the slot as its session."""
    public.clear_cache()
    data = (FIXTURES / "indico-timetable-pwi2025.json").read_bytes()
    apply_preview(event, previews.prepare(event, previews.read_upload(data)), by=organiser,
                  extend_dates=True)
    release = releases.release(event, by=organiser, comment="Imported from Indico.")
    sessions = {s["id"]: s for s in release.snapshot["sessions"]}
    [slot] = [s for s in sessions.values()
              if s["title"] == "Plasma-facing components: Tungsten under load"]
    parts = [sessions[i] for i in slot["children"]]
    talk = next(t for t in release.snapshot["talks"] if t["session"] == parts[0]["id"])

    page = open_page(browser, viewport=VIEWPORTS[size])
    page.goto(f"{live_server.url}/{event.slug}/programme/")
    block = page.locator(f"article#session-{slot['id']}")
    expect(block.get_by_role("heading", name=slot["title"])).to_be_visible()
    expect(block.get_by_text("Marie-Line Mayoral")).to_be_visible()
    contributions = block.get_by_role("list", name=f"Contributions of {slot['title']}")
    for part in parts:
        expect(contributions.locator(f"#session-{part['id']}")).to_contain_text(part["title"])
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, f"programme-indico-slot-{size}")

    item = contributions.locator(f'li.talk[data-code="{talk["code"]}"]')
    star = item.locator(".star-local")
    expect(star).to_be_visible()
    star.focus()
    page.keyboard.press("Enter")
    expect(star).to_have_attribute("aria-pressed", "true")
    item.get_by_role("link", name=talk["title"], exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(talk["title"])
    expect(page.locator(".talk-facts").get_by_role("link", name=slot["title"])).to_be_visible()
    assert fits(page)
    assert axe_violations(page) == []
    assert page.console_problems == []
    page.context.close()
