# ruff: noqa: F811  (the browser fixtures are imported to be used as arguments)
"""Browser test: an organiser on a phone imports an iCalendar file with faults (a VTIMEZONE
that disagrees with the IANA zone, a TZID without VTIMEZONE): upload → preview with located
warnings → confirm → the sessions exist at the right times."""

from __future__ import annotations

from pathlib import Path

import pytest

from fusionforum.programme.models import ProgrammeSession

from ..browser.conftest import axe_violations, browser, page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
PASSWORD = "a-long-test-password"


@pytest.fixture
def import_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="cal00001")
    return organiser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_organiser_imports_a_calendar_on_a_phone(page, live_server, event, import_organiser):
    page.set_viewport_size({"width": 390, "height": 844})
    target = f"/manage/{event.slug}/programme/import/"
    page.goto(f"{live_server.url}/accounts/login/?next={target}")
    page.get_by_label("E-mail address").click()
    page.keyboard.type(import_organiser.email)
    page.get_by_label("Password").click()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_label("Code").click()
    page.keyboard.type("cal00001")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    assert fits(page)

    # A vCard is refused with what was wrong, not a generic message.
    page.get_by_label("Programme file").set_input_files(
        files=[{"name": "contacts.vcf", "mimeType": "text/vcard",
                "buffer": b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n"}])
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_role("alert").filter(has_text="vCard file").is_visible()
    assert all("400" in problem for problem in page.console_problems)
    page.console_problems.clear()

    page.get_by_label("Programme file").set_input_files(
        str(FIXTURES / "ical-fault-adelaide-truncated.ics"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/import/preview/**")
    warnings = page.locator(".import-warnings")
    assert warnings.get_by_text("the IANA definition was used").is_visible()
    assert warnings.get_by_text("line 21").first.is_visible()
    assert page.get_by_role("cell", name="Liquid lithium walls at H-1").first.is_visible()
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, "programme-import-calendar-preview-phone")

    page.get_by_role("button", name="Import 2 sessions").click()
    page.wait_for_load_state()
    assert "/import/preview/" not in page.url
    times = sorted(s.start.astimezone(event.tz).strftime("%H:%M")
                   for s in ProgrammeSession.objects.filter(event=event))
    assert times == ["09:00", "10:30"]
    assert page.console_problems == []
