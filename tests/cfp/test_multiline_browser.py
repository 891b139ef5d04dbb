"""Typing line breaks with the keyboard: the browser sends them as CR LF, and the answers are
saved (as LF) and shown again with their line breaks, at phone size as on a desktop."""

import pytest
from playwright.sync_api import expect

from fusionforum.cfp.models import Submission
from fusionforum.events.models import ContactMessage

from ..browser.conftest import browser, open_page  # noqa: F401
from .test_cfp_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type_lines(page, label, lines):
    box = page.get_by_label(label)
    box.click()
    for n, line in enumerate(lines):
        if n:
            box.press("Enter")
        box.press_sequentially(line)


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844},
                                      {"width": 1366, "height": 900}])
def test_multi_line_answers_are_saved_as_typed(browser, live_server, event, call,  # noqa: F811
                                               author, viewport):
    page = open_page(browser, viewport=viewport)
    _log_in(page, live_server, author.email, f"/{event.slug}/call/")
    page.get_by_role("link", name="Start a submission").click()
    page.get_by_label("Title").fill("Two lines")
    _type_lines(page, "Short abstract", ["First line.", "Second line."])
    _type_lines(page, "1. What fusion breakthroughs", ["Pulses.", "", "Longer ones."])
    _type_lines(page, "2. What challenges remain", ["Coils", "and supply"])
    _type_lines(page, "3. How can ITER help?", ["Suppliers,", "tests,", "people."])
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft is saved")).to_be_visible()

    submission = Submission.objects.get()
    assert submission.abstract == "First line.\nSecond line."
    assert submission.breakthroughs == "Pulses.\n\nLonger ones."
    assert submission.iter_help == "Suppliers,\ntests,\npeople."
    assert "\r" not in submission.challenges
    # Shown again with its line breaks, and the page fits the screen.
    page.goto(f"{live_server.url}/{event.slug}/call/{submission.code}/edit/")
    assert page.get_by_label("Short abstract").input_value() == "First line.\nSecond line."
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1
    page.get_by_role("button", name="Save draft").click()  # unchanged, saved again
    expect(page.get_by_text("Your draft is saved")).to_be_visible()
    page.context.close()


def test_contact_message_with_lines_and_a_name_with_a_line_break(browser, live_server,  # noqa: F811
                                                                 event):
    page = open_page(browser, viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/{event.slug}/contact/")
    page.get_by_label("Your name").fill("Zoë Kāne 👩\u200d🔬")
    page.get_by_label("Your e-mail address").fill("zoe@test.invalid")
    page.locator("#id_topic").select_option(index=1)
    _type_lines(page, "Message", ["Hello,", "two lines of question."])
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Bad Request")).to_have_count(0)
    message = ContactMessage.objects.get()
    assert message.message == "Hello,\ntwo lines of question."
    assert message.name == "Zoë Kāne 👩\u200d🔬"
    page.context.close()
