"""The call for presentations as people click through it: a participant writes a draft, adds
a key figure, uploads slides and submits; the organiser then finds it on the desk."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from playwright.sync_api import expect

from fusionforum.cfp.models import Submission

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _log_in(page, live_server, email, next_path, code=None):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if code:
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()


def test_participant_submits_and_organiser_sees_it(browser, live_server, event, call,  # noqa: F811
                                                   author, colleague, organiser, pdf_bytes,
                                                   tmp_path):
    slides = tmp_path / "our-slides.pdf"
    slides.write_bytes(pdf_bytes("Synthetic slides"))

    page = open_page(browser)
    _log_in(page, live_server, author.email, f"/{event.slug}/call/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Call for presentations")
    expect(page.get_by_text("Open.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Start a submission").click()

    page.get_by_label("Title").fill("Long pulses on a fictional stellarator")
    page.get_by_label("Short abstract").fill("What we achieved, what is left, and ITER.")
    page.get_by_label("1. What fusion breakthroughs").fill("Eight-minute pulses.")
    page.get_by_label("At what scale were these").select_option("prototype_device")
    page.get_by_label("Label of key figure 1").fill("Pulse length")
    page.get_by_label("Value of key figure 1").fill("480")
    page.get_by_label("Unit of key figure 1").fill("s")
    page.get_by_role("button", name="Add a key figure").click()
    page.get_by_label("Label of key figure 2").fill("Electron temperature")
    page.get_by_label("Value of key figure 2").fill("4.1")
    page.get_by_label("Unit of key figure 2").fill("keV")
    page.get_by_label("2. What challenges remain").fill("Coil manufacturing at scale.")
    page.get_by_label("Supply chain and manufacturing").first.check()
    page.locator("#id_challenges_visibility_1").check()  # aggregate only
    page.get_by_label("3. How can ITER help?").fill("Introduce us to qualified suppliers.")
    page.get_by_label("Cole Colleague").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Your draft is saved")).to_be_visible()
    submission = Submission.objects.get()
    assert submission.state == "draft"
    assert [str(f) for f in submission.key_figures.all()] == [
        "Pulse length: 480 s", "Electron temperature: 4.1 keV"]
    assert submission.challenges_visibility == "aggregate"

    page.get_by_label("Slides (PDF)").set_input_files(str(slides))
    page.get_by_role("button", name="Upload slides").click()
    expect(page.get_by_text("Your slides are uploaded.")).to_be_visible()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Your presentation is submitted")).to_be_visible()
    screenshot(page, "cfp-submitted")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Call for presentations").first.click()
    row = page.get_by_role("row", name="Long pulses on a fictional stellarator")
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Uploaded")
    assert page.console_problems == []
    page.context.close()

    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="cfp00001")
    organiser.set_password(PASSWORD)
    organiser.save()
    desk = open_page(browser)
    _log_in(desk, live_server, organiser.email, f"/manage/{event.slug}/call/", code="cfp00001")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Submissions")
    desk.get_by_role("link", name="Long pulses on a fictional stellarator").click()
    expect(desk.get_by_text("Coil manufacturing at scale.")).to_be_visible()
    expect(desk.get_by_text("Aggregate only", exact=False).first).to_be_visible()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    screenshot(desk, "cfp-desk-detail")
    assert axe_violations(desk) == []
    assert desk.console_problems == []
    desk.context.close()
