"""An organiser opens the event's dashboard from the staff home and follows a to-do to the
page that does it, with the keyboard, on a phone and on a desktop; the dashboard fits the
screen and passes axe."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fusionforum.registration.states import Status

from ..browser.conftest import open_page
from ..browser.steps import SIZES, press, type_into
from ..browser.steps import check_layout as check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("size", SIZES)
def test_organiser_follows_a_todo_from_the_dashboard(browser, live_server, event, organiser,
                                                     open_registration, register, make_person,
                                                     clock, size):
    from django_otp.plugins.otp_static.models import StaticDevice

    open_registration(requires_approval=True)
    for _ in range(2):
        assert register(make_person()).status == Status.PENDING
    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="dash0001")

    page = open_page(browser, viewport=SIZES[size])
    page.goto(f"{live_server.url}/accounts/login/?next=/manage/")
    type_into(page, "E-mail address", organiser.email)
    type_into(page, "Password", PASSWORD)
    page.keyboard.press("Enter")
    type_into(page, "Code", "dash0001")
    page.keyboard.press("Enter")
    press(page, page.get_by_role("link", name="Dashboard"))
    expect(page.get_by_role("heading", name=re.compile("dashboard$"))).to_be_visible()
    expect(page.get_by_role("heading", name="To do now")).to_be_visible()
    expect(page.get_by_role("region", name="Registrations by state")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Registrations per day"))).to_be_visible()
    check(page, f"dashboard-{size}")

    press(page, page.get_by_role("link", name="2 registrations wait for your approval."))
    expect(page).to_have_url(re.compile(
        re.escape(reverse("registration:desk_registrations", args=[event.slug]))
        + r"\?status=pending$"))
    page.context.close()
