"""An event creator starts an event from blank with the keyboard, sees it as a draft nobody
else can see, and publishes it; on a phone and on a desktop, every page fitting the screen and
passing axe."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from fusionforum.events import services
from fusionforum.events.models import Event, EventStatus

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from ..browser.steps import SIZES, type_into
from ..browser.steps import check_layout as check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def type_date(page, label, day: dt.date):
    """Type a date into a date input with the keyboard, from its first part whichever part
    the focus lands on; the parts' order follows the browser's locale (day first in en-GB,
    month first where Chromium keeps en-US), so the order that gives the date is kept."""
    field = page.get_by_label(label)
    for digits in (day.strftime("%d%m%Y"), day.strftime("%m%d%Y")):
        field.focus()
        for _ in range(3):
            page.keyboard.press("ArrowLeft")
        page.keyboard.type(digits)
        if field.input_value() == day.isoformat():
            return
    raise AssertionError(f"{label}: typed {day}, reads {field.input_value()}")


@pytest.mark.parametrize("size", SIZES)
def test_a_creator_starts_an_event_from_blank_and_publishes_it(browser, live_server, make_user,  # noqa: F811
                                                                clock, size):
    from django_otp.plugins.otp_static.models import StaticDevice

    clock.set(dt.datetime(2027, 9, 1, 10, tzinfo=dt.UTC))
    admin = make_user("platform@test.invalid", is_superuser=True, is_staff=True)
    creator = make_user("creator@test.invalid", full_name="Cora Creator")
    creator.set_password(PASSWORD)
    creator.save()
    services.name_creator(creator.email, by=admin)
    device = StaticDevice.objects.create(user=creator, name="backup", confirmed=True)
    device.token_set.create(token="make0001")

    page = open_page(browser, viewport=SIZES[size])
    page.goto(f"{live_server.url}/accounts/login/?next=/manage/")
    type_into(page, "E-mail address", creator.email)
    type_into(page, "Password", PASSWORD)
    page.keyboard.press("Enter")
    type_into(page, "Code", "make0001")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Start an event").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Start an event")).to_be_visible()
    check(page, f"new-event-{size}")

    type_into(page, "Title (required)", "Tritium Breeding Workshop 2028")
    type_into(page, "Address (required)", "tritium-2028")
    # Dates typed as the en-GB date input reads them (day, month, year).
    type_date(page, "First day (required)", dt.date(2028, 3, 6))
    type_date(page, "Last day (required)", dt.date(2028, 3, 1))  # before the first day: refused
    page.get_by_label("Time zone (required)").select_option("Europe/Berlin")
    type_into(page, "Venue (required)", "Test Hall (fictional)")
    page.get_by_label("Expert meetings").focus()
    page.keyboard.press("Space")  # off
    page.get_by_label("Site visits").focus()
    page.keyboard.press("Space")  # off
    page.get_by_role("button", name="Create the draft").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#form-errors")).to_contain_text("cannot end before it starts")
    check(page, f"new-event-errors-{size}")
    assert not Event.objects.filter(slug="tritium-2028").exists()

    type_date(page, "Last day (required)", dt.date(2028, 3, 8))
    page.get_by_role("button", name="Create the draft").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("was created as a draft")
    event = Event.objects.get(slug="tritium-2028")
    assert (event.start_date, event.end_date) == (dt.date(2028, 3, 6), dt.date(2028, 3, 8))
    assert event.time_zone == "Europe/Berlin" and event.status == EventStatus.DRAFT
    assert "meetings" not in event.modules and "visits" not in event.modules
    assert "registration" in event.modules and event.days.count() == 3
    check(page, f"event-settings-draft-{size}")

    # Nobody else sees the draft.
    outsider = open_page(browser, viewport=SIZES[size])
    assert outsider.goto(f"{live_server.url}/tritium-2028/").status == 404

    page.get_by_role("button", name="Publish").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("is published")
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    check(page, f"event-settings-published-{size}")

    assert outsider.goto(f"{live_server.url}/tritium-2028/").status == 200
    expect(outsider.get_by_role("heading", name="Tritium Breeding Workshop 2028")).to_be_visible()
    outsider.goto(f"{live_server.url}/")
    expect(outsider.get_by_role("link", name="Tritium Breeding Workshop 2028")).to_be_visible()
    check(outsider, f"front-door-{size}")
    assert [p for p in page.console_problems if "status of 400" not in p] == []
