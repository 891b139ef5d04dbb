"""The public event site as a visitor clicks through it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from fusionforum.events.models import ContactMessage

from ..conftest import paris
from .conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STREAM_URL = "https://video.test.invalid/secret-live-4711"


@pytest.fixture
def published(make_event, make_stream):
    event = make_event()
    stream = make_stream(event, url=STREAM_URL, visible_from=paris(2027, 5, 26, 9, 0),
                         visible_until=paris(2027, 5, 26, 18, 0), day=event.days.first())
    return event, stream


def _describe(violations):
    return "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in violations)


def test_home_page(page, live_server, published, clock):
    event, _ = published
    # The site's root lists the events; the event's own page is one link away.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=event.title).first.click()
    expect(page).to_have_url(re.compile(f"/{event.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(page.get_by_text("How can ITER help?")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Map"))).to_have_attribute(
        "href", re.compile("openstreetmap"))
    expect(page.locator(".day")).to_have_count(3)
    # Keyboard users can skip to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    screenshot(page, "home")
    violations = axe_violations(page)
    assert violations == [], _describe(violations)
    assert page.console_problems == []


def test_livestream_counts_down_then_shows_the_link_when_the_server_says_so(
    page, live_server, published, clock
):
    event, stream = published
    clock.set(stream.visible_from - dt.timedelta(seconds=2))
    # The page's clock is Playwright's: the test moves it on instead of waiting for it.
    page.clock.install()
    asked = []  # the page's questions to the server
    page.on("request", lambda request: asked.append(request.url)
            if request.url.endswith(f"/{event.slug}/livestream/status.json") else None)
    page.goto(f"{live_server.url}/{event.slug}/livestream/")
    countdown = page.locator("[data-countdown-to]")
    expect(countdown).to_contain_text("Starts in")
    assert STREAM_URL not in page.content()
    screenshot(page, "livestream-before")
    violations = axe_violations(page)
    assert violations == [], _describe(violations)
    # The browser's own clock says the countdown is over, but the server's does not yet: the
    # page asks the server (the first question is the page's start), hears "not live", asks
    # again once it may, and the same document still shows nothing.
    page.evaluate("window.sameDocument = true")
    for _ in range(60):
        page.clock.run_for(1000)
        if len(asked) >= 3:
            break
    assert len(asked) >= 3, asked
    expect(countdown).to_be_visible()
    assert page.evaluate("window.sameDocument === true")
    assert STREAM_URL not in page.content()
    # Go-live on the server: at its next question the page reloads by itself and shows the
    # link.
    clock.set(stream.visible_from + dt.timedelta(seconds=1))
    link = page.get_by_role("link", name=f"Watch “{stream.label}”")
    for _ in range(60):
        page.clock.run_for(1000)
        if len(asked) >= 4:
            break
    expect(link).to_be_visible(timeout=15000)
    expect(link).to_have_attribute("href", STREAM_URL)
    screenshot(page, "livestream-live")
    violations = axe_violations(page)
    assert violations == [], _describe(violations)
    assert page.console_problems == []


def test_contact_form(page, live_server, published, clock):
    event, _ = published
    page.goto(f"{live_server.url}/{event.slug}/")
    page.get_by_role("navigation").get_by_role("link", name="Contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact the organisers")
    violations = axe_violations(page)
    assert violations == [], _describe(violations)

    page.get_by_label("Your name").fill("Casey Fictional")
    page.get_by_label("Your e-mail address").fill("not-an-address")
    page.get_by_label("Message").fill("Short")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    expect(page.get_by_label("Your name")).to_have_value("Casey Fictional")  # nothing lost
    assert ContactMessage.objects.count() == 0
    screenshot(page, "contact-errors")
    violations = axe_violations(page)
    assert violations == [], _describe(violations)

    page.get_by_label("Your e-mail address").fill("casey@company.test.invalid")
    page.get_by_label("Organisation").fill("Imaginary Fusion Ltd")
    page.get_by_label("Topic").select_option(label="Site visits")
    page.get_by_label("Message").fill("Is the cryogenics tour open to all delegates?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your message was sent")
    message = ContactMessage.objects.get()
    assert message.topic == "visits" and message.event == event
    # The invalid attempt was answered 400 on purpose; nothing else may complain.
    assert [p for p in page.console_problems if "status of 400" not in p] == []
