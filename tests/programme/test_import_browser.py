# ruff: noqa: F811  (the browser fixtures are imported to be used as arguments)
"""Browser test: an organiser imports a frab schedule.xml: upload → preview with warnings →
confirm → the sessions exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from fusionforum.programme.models import ProgrammeSession

from ..browser.conftest import axe_violations, browser, page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "formats" / "samples"
PASSWORD = "a-long-test-password"


@pytest.fixture
def import_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="imp00001")
    return organiser


def test_organiser_imports_a_frab_schedule(page, live_server, event, import_organiser):
    target = f"/manage/{event.slug}/programme/import/"
    page.goto(f"{live_server.url}/accounts/login/?next={target}")
    page.get_by_label("E-mail address").fill(import_organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill("imp00001")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**{target}")
    assert page.get_by_role("heading", name="Import a programme").is_visible()

    # A hostile file first: refused with a reason, nothing imported.
    evil = SAMPLES.parent / "schedule.xml.xsd"  # XML, but not a schedule
    page.get_by_label("Programme file").set_input_files(str(evil))
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_role("alert").filter(has_text="not a frab schedule").is_visible()
    # That refusal is a 400, which the console reports; nothing else may.
    assert all("400" in problem for problem in page.console_problems)
    page.console_problems.clear()

    page.get_by_label("Programme file").set_input_files(str(SAMPLES / "lswt2019-schedule.xml"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/import/preview/**")
    assert page.get_by_role("heading", name="Import preview").is_visible()
    warnings = page.locator(".import-warnings")
    assert warnings.get_by_text("acronym is empty").is_visible()
    assert warnings.get_by_text("moved onto the event's days").is_visible()
    assert page.get_by_role("cell", name="Knowledge Graphs for Scholarly Communication",
                            exact=True).is_visible()
    assert page.get_by_role("cell", name="09:10–09:30").first.is_visible()
    assert not ProgrammeSession.objects.filter(event=event).exists()
    assert axe_violations(page) == []
    screenshot(page, "programme-import-preview")

    page.get_by_role("button", name="Import 31 sessions").click()
    page.wait_for_load_state()
    assert "/import/preview/" not in page.url
    assert ProgrammeSession.objects.filter(event=event).count() == 31
    welcome = ProgrammeSession.objects.get(event=event, title="Welcome")
    assert welcome.room.name == "Vorträge"
    assert welcome.start.astimezone(event.tz).strftime("%Y-%m-%d %H:%M") == "2027-05-26 09:00"
    assert page.console_problems == []
