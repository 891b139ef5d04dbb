""""My workshop" in Chromium, at phone size (390x844) and on a desktop: the demo person signs
in with the keyboard, opens their page from the event's menu, sees a talk, a meeting, a site
visit, a deadline and a clash, downloads the calendar; then the browser goes offline and a
reload shows the saved copy, marked as such (the page's service worker); logging out deletes
that copy."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from fusionforum.personal.demo import DEMO_SCHEDULE_PERSON

from ..browser import page_catalogue as catalogue
from ..browser.conftest import axe_violations, chromium, demo_site, open_page  # noqa: F401

pytestmark = [pytest.mark.browser]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _type_log_in(page, site):
    page.goto(f"{site['url']}/accounts/login/?next=/{catalogue.EVENT}/")
    page.get_by_label("E-mail address").click()
    page.keyboard.type(DEMO_SCHEDULE_PERSON)
    page.keyboard.press("Tab")
    page.keyboard.type(catalogue.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{catalogue.EVENT}/")


def _open_from_menu(page, size):
    if size == "phone":  # the menu is closed behind its button on a phone
        page.get_by_text("Menu", exact=True).click()
    page.get_by_role("navigation", name="Event").get_by_role("link", name="My workshop").click()
    expect(page.get_by_role("heading", name="My workshop", level=1)).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_my_workshop_on_phone_and_desktop_and_offline(chromium, demo_site, size,  # noqa: F811
                                                      tmp_path):
    page = open_page(chromium, viewport=SIZES[size], accept_downloads=True)
    try:
        _type_log_in(page, demo_site)
        _open_from_menu(page, size)
        items = page.locator(".mine-item")
        for kind in ("talk", "meeting", "tour", "deadline"):
            expect(page.locator(f".mine-item.mine-{kind}").first).to_be_visible()
        expect(page.locator(".mine-item.clash").first).to_contain_text("Clash:")
        assert items.count() >= 5
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"], f"the page is {width} px wide"
        found = axe_violations(page)
        assert found == [], [v["id"] for v in found]

        with page.expect_download() as download:
            page.get_by_role("link", name="Download the calendar (.ics)").click()
        calendar = Calendar.from_ical(download.value.path().read_bytes())
        entries = calendar.walk("VEVENT")
        assert len(entries) == items.count()

        # Offline once loaded: the service worker kept the page and its assets.
        expect(page.locator(".mine-page[data-offline-ready]")).to_have_count(1, timeout=20000)
        expect(page.locator("[data-saved-copy]")).to_be_hidden()
        page.context.set_offline(True)
        page.reload()
        expect(page.get_by_role("heading", name="My workshop", level=1)).to_be_visible()
        # Served by the service worker from its cache (not merely the page noticing offline).
        expect(page.locator("[data-saved-copy][data-from-worker]")).to_be_visible()
        expect(page.locator("[data-saved-copy]")).to_contain_text("this is the copy saved")
        expect(page.locator(".mine-item.mine-meeting").first).to_be_visible()
        # The saved copy keeps its style sheet (the items are laid out, not raw).
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.mine-items')).listStyleType") == "none"
        page.context.set_offline(False)
        page.reload()
        expect(page.locator("[data-saved-copy]")).to_be_hidden()

        # Logging out deletes the offline copy kept on this device.
        if size == "phone":
            page.get_by_text("Menu", exact=True).click()
        page.get_by_role("button", name="Log out").click()
        # The log-out page has loaded (the click first lets site.js delete the copy, then
        # submits: waiting for "load" alone could return before the navigation starts).
        expect(page.locator("form[data-logout]")).to_have_count(0)
        assert page.evaluate("caches.keys().then((names) => names.filter("
                             "(name) => name.startsWith('ff-mine')).length)") == 0
    finally:
        page.context.close()
