"""An organiser clones the edition into the next one (form, preview, confirmation), then opens
the comparison of the two editions' published reports; axe on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from fusionforum.events.models import Event

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from .test_editions_compare import AFTER, BEFORE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def no_axe(page, name):
    found = axe_violations(page)
    screenshot(page, name)
    assert found == [], [v["id"] for v in found]


def test_clone_then_compare(browser, live_server, event, organiser, clock):  # noqa: F811
    from django_otp.plugins.otp_static.models import StaticDevice

    from fusionforum.outcomes.models import ReportVersion
    from fusionforum.programme.models import Room

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="edit0001")
    Room.objects.create(event=event, name="Auditorium")
    ReportVersion.objects.create(event=event, version=1, published_at=clock.now(), data=BEFORE)

    page = open_page(browser)
    page.goto(f"{live_server.url}/accounts/login/?next=/manage/{event.slug}/editions/")
    page.get_by_label("E-mail address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill("edit0001")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Clone into the next edition")).to_be_visible()
    no_axe(page, "editions-home")

    # A reserved address first: refused with a message, nothing created.
    page.get_by_label("Address of the new edition").fill("admin")
    page.get_by_role("button", name="Preview the copy").click()
    expect(page.locator("#form-errors")).to_contain_text("reserved")
    no_axe(page, "editions-form-errors")

    page.get_by_label("Address of the new edition").fill("workshop-2028")
    page.get_by_label("Title of the new edition").fill("Test Fusion Workshop 2028")
    page.get_by_label("First day of the new edition").fill("2028-05-24")
    page.get_by_role("button", name="Preview the copy").click()
    expect(page.get_by_role("heading", name="Check the copy before it is created")).to_be_visible()
    expect(page.get_by_role("row", name="Programme rooms 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Not copied")).to_be_visible()
    no_axe(page, "editions-preview")
    assert not Event.objects.filter(slug="workshop-2028").exists()

    page.get_by_role("button", name="Create the new edition").click()
    expect(page.locator(".messages")).to_contain_text("was created, unpublished")
    new = Event.objects.get(slug="workshop-2028")
    assert new.start_date == dt.date(2028, 5, 24) and not new.is_published
    assert list(new.rooms.values_list("name", flat=True)) == ["Auditorium"]
    expect(page.get_by_text("Cloned from")).to_be_visible()

    # The new edition's report, once published, can be compared.
    ReportVersion.objects.create(event=new, version=1, published_at=clock.now(), data=AFTER)
    page.get_by_role("button", name="Compare the published reports").click()
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    themes = page.get_by_role("table", name="How the themes changed")
    expect(themes.locator("tr.change-grew")).to_contain_text(
        "HTS magnets and quench protection")
    expect(themes.locator("tr.change-appeared")).to_contain_text("Licensing and regulation")
    expect(themes.locator("tr.change-disappeared")).to_contain_text(
        "Neutron irradiation of materials")
    no_axe(page, "editions-compare")
    # The only console line is the refused form's deliberate 400.
    assert [p for p in page.console_problems if "status of 400" not in p] == []
