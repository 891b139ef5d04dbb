"""Printing the programme, a talk page and one's agenda gives a clean printed programme: days,
times, rooms, titles and speakers; no menu, star buttons, filters, footer or calendar feed.

Checked twice on the loaded demo (``demo_site``): with print media emulated (what is visible),
and in the PDF Chromium prints, read back with pypdf.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from . import page_catalogue as catalogue
from .test_every_page_browser import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.own_sqlite]  # drives demo_site's SQLite file

# What a printed programme must never show (screen-only controls and chrome).
NOT_PRINTED = (".site-menu", ".skip-link", ".site-footer", ".star", ".star-form",
               ".programme-nav", ".programme-tools", ".exports", ".agenda-feed", "button")
NOT_IN_PDF = re.compile(r"\b(Menu|Log in|Log out|Your account|Star|Starred|Runs on Fusion Forum|"
                        r"Watch the livestream|Watch the replay|schedule\.xml|Calendar feed|"
                        r"Reset the link|Show every room)\b|https?://")


def _text(value):
    """Text to compare: ligatures the PDF uses (ﬁ, ﬀ) spelt out, white space collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip()


def _screen_facts(page):
    """What the printed programme must contain, read from the page as shown on screen (text
    for screen readers only, such as "(on the venue map)", is neither shown nor printed)."""
    return page.evaluate("""() => {
      const unread = [...document.querySelectorAll('.visually-hidden')];
      unread.forEach(e => { e.style.display = 'none'; });
      const text = selector => [...document.querySelectorAll(selector)].map(e => e.innerText);
      const facts = {
        days: text('.programme-day > h2, .agenda-day > h2, h1'),
        titles: text('.talk-title, .session h3'),
        people: text('.talk-people, .chairs'),
        times: text('.talk-time, .session-meta'),
      };
      unread.forEach(e => { e.style.display = ''; });
      return facts;
    }""")


def _printed(page, name):
    """Switch to print media; check that nothing screen-only is visible; return the PDF text."""
    page.emulate_media(media="print")
    for selector in NOT_PRINTED:
        shown = [e for e in page.locator(selector).all() if e.is_visible()]
        assert shown == [], f"{name}: {selector} is printed"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = _text(" ".join(p.extract_text() for p in pdf.pages))
    found = NOT_IN_PDF.search(text)
    assert found is None, f"{name}: the printed page says {found and found.group(0)!r}"
    return text, len(pdf.pages)


def _check(page, name):
    facts = _screen_facts(page)
    assert facts["titles"], f"{name}: nothing to print"
    text, pages = _printed(page, name)
    for kind in ("days", "titles", "people", "times"):
        for value in facts[kind]:
            assert _text(value) in text, f"{name}: the printed page lacks {kind[:-1]} {value!r}"
    return text, pages


def test_printed_programme_talk_and_agenda(chromium, demo_site):
    context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{demo_site['url']}/{catalogue.EVENT}/programme/")
        text, pages = _check(page, "programme")
        days = page.locator(".programme-day").count()
        assert days >= 2 and pages >= days  # each day starts a new page
        assert "Main auditorium" in text  # rooms are printed
        # Breaks are part of the printed programme, with their times.
        breaks = page.locator(".kind-break").all()
        assert breaks, "the demo programme has breaks"
        for block in breaks:
            assert block.is_visible()
            assert _text(block.locator("h3").inner_text()) in text
            assert _text(block.locator(".session-meta").inner_text()) in text

        # A talk page prints its time, room and speakers, without the star.
        page.emulate_media(media="screen")
        page.goto(demo_site["url"] + page.locator(".talk-title a").first.get_attribute("href"))
        title = page.locator("h1").inner_text()
        facts = page.locator(".talk-facts").inner_text()
        text, _ = _printed(page, "talk")
        assert _text(title) in text
        for line in facts.splitlines():
            assert _text(line) in text, f"talk: the printed page lacks {line!r}"

        # A participant stars a talk as a person does, then prints the agenda.
        page.emulate_media(media="screen")
        log_in(page, demo_site, catalogue.PARTICIPANT)
        page.goto(f"{demo_site['url']}/{catalogue.EVENT}/programme/")
        star = page.get_by_role("button", name=re.compile(r"^Star\b")).first
        star.click()
        expect(page.locator(".star[aria-pressed='true']").first).to_be_visible()
        page.goto(f"{demo_site['url']}/{catalogue.EVENT}/agenda/")
        assert page.locator(".agenda-entry").count() >= 1
        _check(page, "agenda")
    finally:
        context.close()
