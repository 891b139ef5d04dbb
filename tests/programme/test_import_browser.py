# ruff: noqa: F811  (the browser fixtures are imported to be used as arguments)
"""Browser test of the programme import, at phone size and on a desktop, typing with the
keyboard: an organiser signs in with the second factor, a file that is not a programme is
refused with what was wrong (a vCard; an XML file that is no frab schedule), then a real file
goes through upload → preview with located, grouped warnings → confirm, and the sessions exist
at the file's wall-clock times. On the phone, an iCalendar file with faults (a VTIMEZONE that
disagrees with the IANA zone it names, a TZID without VTIMEZONE); on the desktop, the real
frab schedule.xml of the LSWT 2019 (31 sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from fusionforum.programme.models import ProgrammeSession

from ..browser.conftest import axe_violations, browser, page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"
PASSWORD = "a-long-test-password"
VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n"


@dataclass
class Case:
    name: str
    viewport: dict
    refused: dict  # a file Playwright uploads, and the words of its refusal
    refusal: str
    sample: str
    warnings: list[str]
    cell: str
    sessions: int
    times: dict  # title -> "YYYY-MM-DD HH:MM" in the event's zone


CASES = [
    Case("phone", {"width": 390, "height": 844},
         {"name": "contacts.vcf", "mimeType": "text/vcard", "buffer": VCARD}, "vCard file",
         "ical-fault-adelaide-truncated.ics",
         ["the IANA definition was used", "line 21"], "Liquid lithium walls at H-1", 2, {}),
    Case("desktop", {"width": 1366, "height": 900},
         {"name": "schedule.xml.xsd", "mimeType": "application/xml",
          "buffer": (FORMATS / "schedule.xml.xsd").read_bytes()}, "not a frab schedule",
         "lswt2019-schedule.xml",
         ["acronym is empty", "moved onto the event's days"],
         "Knowledge Graphs for Scholarly Communication", 31,
         {"Welcome": "2027-05-26 09:00"}),
]


@pytest.fixture
def import_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="imp00001")
    return organiser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_organiser_imports_a_programme(page, live_server, event, import_organiser, case):
    page.set_viewport_size(case.viewport)
    target = f"/manage/{event.slug}/programme/import/"
    page.goto(f"{live_server.url}/accounts/login/?next={target}")
    page.get_by_label("E-mail address").click()
    page.keyboard.type(import_organiser.email)
    page.get_by_label("Password").click()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_label("Code").click()
    page.keyboard.type("imp00001")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    assert page.get_by_role("heading", name="Import a programme").is_visible()
    assert fits(page)

    # A file that is not a programme: refused with what was wrong, nothing imported.
    page.get_by_label("Programme file").set_input_files(files=[case.refused])
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_role("alert").filter(has_text=case.refusal).is_visible()
    # That refusal is a 400, which the console reports; nothing else may.
    assert all("400" in problem for problem in page.console_problems)
    page.console_problems.clear()

    page.get_by_label("Programme file").set_input_files(str(FIXTURES / case.sample))
    page.get_by_role("button", name="Check the file").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/import/preview/**")
    assert page.get_by_role("heading", name="Import preview").is_visible()
    warnings = page.locator(".import-warnings")
    for text in case.warnings:
        assert warnings.get_by_text(text).first.is_visible(), text
    assert page.get_by_role("cell", name=case.cell, exact=True).first.is_visible()
    assert not ProgrammeSession.objects.filter(event=event).exists()
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, f"programme-import-preview-{case.name}")

    page.get_by_role("button", name=f"Import {case.sessions} sessions").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/import/preview/" not in url)
    sessions = ProgrammeSession.objects.filter(event=event)
    assert sessions.count() == case.sessions
    for title, moment in case.times.items():
        session = sessions.get(title=title)
        assert session.start.astimezone(event.tz).strftime("%Y-%m-%d %H:%M") == moment
    if case.name == "phone":
        times = sorted(s.start.astimezone(event.tz).strftime("%H:%M") for s in sessions)
        assert times == ["09:00", "10:30"]
    assert page.console_problems == []
