"""The venue map as an organiser marks it, on a phone and on a desktop: a click on the plan
fills the position, the keyboard alone (Tab, typing, Enter) marks a place through the form,
and the place's own page shows the plan with its marker and its name."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from fusionforum.programme import venue
from fusionforum.programme.models import MapSpot

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from ..cfp.conftest import make_image
from .test_editor_browser import PASSWORD, log_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="prog0001")
    return organiser


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}],
                         ids=["phone", "desktop"])
def test_organiser_marks_places_by_click_and_by_keyboard(browser, live_server, event,  # noqa: F811
                                                         desk_organiser, size):
    plan = venue.upload_map(event, by=desk_organiser, name="Ground floor",
                            image=SimpleUploadedFile("p.png", make_image(800, 400)))
    page = open_page(browser, viewport=size)
    path = f"/manage/{event.slug}/programme/map/{plan.pk}/"
    log_in(page, live_server, desk_organiser.email, path)
    svg = page.locator("svg[data-plan-marking]")
    expect(svg).to_be_visible()
    # The plan's click handler comes with a deferred script: on a loaded machine the plan can be
    # shown before it runs, and a click then fills nothing.
    page.wait_for_load_state("load")
    # A click at three quarters across and half way down fills the fields.
    box = svg.bounding_box()
    svg.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.5})
    assert abs(float(page.get_by_label("Across (x, % of the width from the left)")
                     .input_value()) - 75) < 1.5
    assert abs(float(page.get_by_label("Down (y, % of the height from the top)")
                     .input_value()) - 50) < 1.5
    expect(page.locator(".plan-pick")).not_to_have_attribute("hidden", "")
    expect(page.get_by_label("Name of the place")).to_be_focused()
    page.keyboard.type("Gate A")
    page.get_by_label("Kind").select_option("meeting_point")
    page.get_by_role("button", name="Mark the place").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "“Gate A” marked on the plan.")
    # Without a pointer: the keyboard only.
    page.get_by_label("Name of the place").focus()
    page.keyboard.type("Main auditorium")
    page.keyboard.press("Tab")  # to the kind (a select; "room" is the default)
    page.keyboard.press("Tab")
    page.keyboard.type("10")
    page.keyboard.press("Tab")
    page.keyboard.type("20.5")
    page.keyboard.press("Enter")
    expect(page.get_by_role("row", name="Main auditorium")).to_be_visible()
    spots = {s.name: (float(s.x), float(s.y), s.kind) for s in MapSpot.objects.all()}
    assert spots["Main auditorium"] == (10.0, 20.5, "room")
    assert spots["Gate A"][2] == "meeting_point" and abs(spots["Gate A"][0] - 75) < 1.5
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    screenshot(page, f"venue-map-manage-{size['width']}")
    assert axe_violations(page) == []
    # The place's page: the plan, the marker, the name as text.
    page.get_by_role("link", name="Main auditorium").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Main auditorium")
    expect(page.get_by_role("img", name="Floor plan Ground floor, with “Main auditorium” "
                                        "marked")).to_be_visible()
    expect(page.locator("circle.plan-marker-current")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert page.evaluate("document.querySelector('svg image').getBBox().width") > 0
    screenshot(page, f"venue-map-spot-{size['width']}")
    assert axe_violations(page) == []
    assert [p for p in page.console_problems if "Content Security Policy" in p] == []
    page.context.close()
