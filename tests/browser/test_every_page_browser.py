"""Every page of every role, in Chromium, at phone size (390x844) and at desktop size
(1366x900): no page may be wider than the screen, and axe (WCAG 2.1 AA) finds nothing at either
size. Colour contrast, three quarters of axe's time, is checked on the whole page at phone size
and, at desktop size, on what only the desktop shows: ``test_width_css.py`` proves that no
stylesheet lets a contrast verdict depend on the width otherwise.

The pages come from ``page_catalogue``: every URL pattern of the project is either catalogued
(a concrete address in the demo and the roles that use it) or excluded with its reason, and
``test_catalogue_covers_every_url_pattern`` fails for a pattern that is neither, so a page added
later is swept too.

The demo is loaded once per test run into a SQLite file of its own and served by gunicorn on a
free port (``demo_site`` in conftest.py, the same code as ``make demo``); one Chromium for the
module, one browser context per role and size (axe is part of each of its documents), one
visit per page and role, and one call into the page per visit (fit measure and axe together).
``SWEEP_TIMINGS=<file>`` appends each page's in-page times there.
"""

from __future__ import annotations

import json
import os

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from . import page_catalogue as catalogue
from . import width_css
from .conftest import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (used by helpers)

# The sweep drives the demo server of its own SQLite file (demo_site), not the test database.
pytestmark = [pytest.mark.browser, pytest.mark.own_sqlite]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The document is wider than the window, or an element sticks out to the right of it without
# a scrolling container that holds it (those are the ones that make a phone scroll sideways).
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  // Clipped by a scrolling (or clipping) box that is in its chain of containing blocks: an
  // absolutely positioned element escapes every box between it and its positioned ancestor.
  const clipped = (el) => {
    if (getComputedStyle(el).position === 'fixed') return true;
    let positionedOnly = getComputedStyle(el).position === 'absolute';
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (positionedOnly && style.position === 'static' && style.transform === 'none') continue;
      if (style.overflowX !== 'visible' || style.position === 'fixed') return true;
      positionedOnly = style.position === 'absolute';
    }
    return false;
  };
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (el.classList.length) text += '.' + [...el.classList].join('.');
    const parent = el.parentElement;
    if (parent && parent !== document.body) {
      text = describe(parent).split(' > ').pop() + ' > ' + text;
    }
    return text + ' (right edge ' + Math.round(el.getBoundingClientRect().right) + ' px)';
  };
  const sticking = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1
        && !clipped(el.parentElement) && el.parentElement !== document.body) continue;
    if (clipped(el)) continue;
    sticking.push(describe(el));
    if (sticking.length >= 5) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, sticking};
}
"""


def log_in(page, site, role, check=lambda page, name: None):
    """Log in through the login page as a person does (second factor for staff); the login
    and second-factor pages are checked on the way."""
    page.goto(f"{site['url']}/accounts/login/")
    page.get_by_label("E-mail address").fill(site["accounts"][role])
    page.get_by_label("Password").fill(catalogue.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if role in catalogue.STAFF:
        page.get_by_label("Code").wait_for()
        check(page, "accounts:two_factor_verify")
        page.get_by_label("Code").fill(catalogue.backup_code(site, role))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{role} could not log in"


# One call per page: the fit measure and axe, in the page. At phone size every WCAG 2.1 AA
# rule runs; at desktop size every rule but colour contrast, which runs only on what the
# desktop shows and the phone does not (width_css.CONTRAST_AT_DESKTOP): test_width_css.py
# proves that no stylesheet lets a contrast verdict depend on the window's width otherwise.
CHECK_JS = """
async ({tags, fullAxe, contrastOnly}) => {
  const started = performance.now();
  const fit = (__FIT__)();
  const measured = performance.now();
  if (!fullAxe) {  // this document's axe checks contrast only within these elements
    axe.configure({rules: [contrastOnly.length
      ? {id: 'color-contrast', selector: contrastOnly.map((s) => `${s}, ${s} *`).join(', ')}
      : {id: 'color-contrast', enabled: false}]});
  }
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return {fit, violations: result.violations, fitMs: measured - started,
          axeMs: performance.now() - measured};
}
""".replace("__FIT__", OVERFLOW_JS.strip())


def _sweep(chromium, site, role, viewport, full_axe):
    problems = []
    context = chromium.new_context(viewport=viewport, locale="en-GB")
    # axe is part of every document the context loads (the page never sees it: axe only
    # defines window.axe), instead of being sent over and compiled again for each check.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(15000)
    size = f"{viewport['width']}x{viewport['height']}"
    contrast_only = sorted(set(width_css.CONTRAST_AT_DESKTOP.values()))
    timings = []

    def check(page, name):
        found = []
        result = page.evaluate(CHECK_JS, {"tags": WCAG_AA, "fullAxe": full_axe,
                                          "contrastOnly": contrast_only})
        measure = result["fit"]
        timings.append((name, result["fitMs"], result["axeMs"]))
        if measure["scrollWidth"] > measure["width"] or measure["sticking"]:
            found.append(f"{measure['scrollWidth']} px wide in a {measure['width']} px window; "
                         f"sticking out: {'; '.join(measure['sticking']) or 'nothing visible'}")
        # Every page's footer links to the privacy notice, the legal notice and the
        # accessibility statement (the event's on an event's pages, else the platform's).
        notices = page.evaluate(
            "() => Array.from(document.querySelectorAll('footer a'))"
            ".map(a => new URL(a.href).pathname)")
        missing = [kind for kind in ("privacy", "legal", "accessibility")
                   if not any(path.endswith(f"/about/{kind}/") for path in notices)]
        if missing:
            found.append(f"the footer does not link to: {', '.join(missing)}")
        found.extend(f"axe {v['id']} ({v['impact']}): {v['help']} at "
                     + ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
                     for v in result["violations"])
        if found:
            shot = ARTIFACTS / "page-sweep" / f"{size}-{role}-{name}.png".replace(" ", "-") \
                .replace(":", "-")
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            problems.extend(f"{role} {page.url} ({name}): {text}" for text in found)

    try:
        if role != catalogue.ANONYMOUS:
            log_in(page, site, role, check)
        for name, visit_role, path, status in site["visits"]:
            if visit_role != role:
                continue
            try:
                response = page.goto(site["url"] + path)
            except PlaywrightError as error:  # e.g. an error status with an empty body
                problems.append(f"{role} {path} ({name}): {error.message.splitlines()[0]}")
                page.goto("about:blank")
                continue
            if response is None or response.status != status:
                problems.append(f"{role} {path} ({name}): HTTP "
                                f"{response.status if response else 'no response'}")
                continue
            check(page, name)
    finally:
        context.close()
        _record_timings(size, role, timings)
    return problems


def _record_timings(size, role, timings):
    """With SWEEP_TIMINGS=<file>, append each page's in-page time (fit measure, axe) there as
    JSON lines, to see where the sweep spends."""
    target = os.environ.get("SWEEP_TIMINGS")
    if target:
        with open(target, "a") as out:
            for name, fit_ms, axe_ms in timings:
                out.write(json.dumps({"size": size, "role": role, "page": name,
                                      "fit_ms": round(fit_ms), "axe_ms": round(axe_ms)}) + "\n")


def test_catalogue_covers_every_url_pattern():
    missing = catalogue.uncovered_patterns()
    assert missing == [], (
        "URL patterns with neither a page in tests/browser/page_catalogue.py nor an exclusion "
        f"with its reason: {missing}")
    stale = sorted((catalogue.catalogued_names() | set(catalogue.EXCLUDED))
                   - catalogue.url_pattern_names())
    assert stale == [], f"catalogue entries for URL patterns that no longer exist: {stale}"


@pytest.mark.parametrize("role", catalogue.ROLES)
def test_every_page_fits_a_phone(chromium, demo_site, role):
    problems = _sweep(chromium, demo_site, role, PHONE, full_axe=True)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("role", catalogue.ROLES)
def test_every_page_fits_a_desktop(chromium, demo_site, role):
    problems = _sweep(chromium, demo_site, role, DESKTOP, full_axe=False)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_header_menu_on_a_phone(chromium, demo_site, javascript):
    """The header is one short row on a phone; the Menu button opens and closes the menus with
    the keyboard, with or without JavaScript; on a desktop the menus show without a button."""
    context = chromium.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(f"{demo_site['url']}/{catalogue.EVENT}/")
        header = page.locator(".site-header").bounding_box()
        assert header["height"] < PHONE["height"] / 8, header
        programme = page.get_by_role("navigation", name="Event").get_by_role("link",
                                                                            name="Programme")
        assert not programme.is_visible()
        button = page.locator(".menu-button")
        for _ in range(10):  # Tab from the top of the page to the Menu button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('menu-button')"):
                break
        else:
            pytest.fail("the Menu button is not reachable with Tab")
        # The <details> toggle event (which site.js turns into aria-expanded) is queued as a
        # task after the key press: wait for the state instead of reading it at once.
        if javascript:
            expect(button).to_have_attribute("aria-expanded", "false")
        page.keyboard.press("Enter")
        expect(programme).to_be_visible()
        if javascript:
            expect(button).to_have_attribute("aria-expanded", "true")
            page.keyboard.press("Escape")
        else:
            page.keyboard.press("Enter")
        expect(programme).to_be_hidden()
        assert page.evaluate("document.activeElement.classList.contains('menu-button')")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.set_viewport_size(DESKTOP)
        assert programme.is_visible() and not button.is_visible()
        assert page.get_by_role("link", name="Log in").is_visible()
    finally:
        context.close()


def test_day_three_tables_are_cards_on_a_phone(chromium, demo_site):
    """The expert's agenda reads as one card per meeting on a phone: every cell says its
    column, the check-in buttons are within reach (no sideways scrolling), and the table keeps
    its table roles for screen readers."""
    context = chromium.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, demo_site, catalogue.EXPERT)
        page.goto(f"{demo_site['url']}/{catalogue.EVENT}/expert/")
        table = page.locator("table.table-cards")
        assert table.get_attribute("role") == "table"
        first = table.locator("tbody tr").first
        assert first.evaluate("row => getComputedStyle(row).display") == "block"
        assert first.locator("td[data-label='Topic']").count() == 1
        buttons = first.get_by_role("button").all()  # the check-in actions
        assert buttons
        for button in buttons:
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        region = page.locator(".table-scroll").first
        assert region.get_attribute("tabindex") == "-1"  # nothing to scroll: no tab stop
        assert table.get_by_role("columnheader", name="Topic").count() == 1
    finally:
        context.close()


def test_desktop_check_sees_contrast_only_the_desktop_shows(chromium):
    """The desktop's check finds poor contrast in what only the desktop shows (the header's
    menus) and, like the phone's, everything else axe finds; contrast elsewhere is the phone's
    to check (test_width_css.py proves it cannot differ there)."""
    page_html = """<!doctype html><html lang="en"><head><title>Contrast</title></head><body>
      <main><h1>Contrast</h1><p style="color:#aaa">Pale text in the page.</p>
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      <nav class="site-menu-panel" aria-label="Menu"><a href="#x" style="color:#bbb">Pale
      link in the menu</a></nav></main></body></html>"""
    found = {}
    for size, viewport, full_axe in (("phone", PHONE, True), ("desktop", DESKTOP, False)):
        context = chromium.new_context(viewport=viewport)
        context.add_init_script(path=str(AXE))
        context.route("http://sweep.test/", lambda route: route.fulfill(
            body=page_html, content_type="text/html"))
        page = context.new_page()
        try:
            page.goto("http://sweep.test/")
            result = page.evaluate(CHECK_JS, {
                "tags": WCAG_AA, "fullAxe": full_axe,
                "contrastOnly": sorted(set(width_css.CONTRAST_AT_DESKTOP.values()))})
        finally:
            context.close()
        found[size] = {(v["id"], " ".join(n["target"][0] for n in v["nodes"]))
                       for v in result["violations"]}
    assert found["phone"] == {("color-contrast", "p a"), ("image-alt", "img")}, found
    assert found["desktop"] == {("color-contrast", "a"), ("image-alt", "img")}, found
