"""The organiser builds, edits (rename, merge) and publishes the outcomes report; the public
page and the PDF render (screenshots in test-artifacts/ with BROWSER_SCREENSHOTS=1)."""

from __future__ import annotations

import html
import io
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from fusionforum.outcomes import services
from fusionforum.outcomes.models import Theme
from tests.browser.conftest import (  # noqa: F401
    ARTIFACTS,
    axe_violations,
    browser,
    page,
    screenshot,
    screenshots_wanted,
)

from .conftest import CONFIDENTIAL_PHRASE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def report_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="outc0001")
    return organiser


def _pdf_first_page_image(pdf_bytes: bytes, chromium) -> None:
    """The PDF's first page as a PNG: pdftoppm when installed, else its extracted text laid out
    in a page and photographed."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "outcomes-report.pdf"
    path.write_bytes(pdf_bytes)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path),
                        str(ARTIFACTS / "outcomes-pdf-page1")], check=True)
        return
    text = PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    sheet = chromium.new_page(viewport={"width": 794, "height": 1123})
    sheet.set_content(f"<pre style='font: 12px DejaVu Sans; white-space: pre-wrap; margin: 40px'>"
                     f"{html.escape(text)}</pre>")
    sheet.screenshot(path=str(ARTIFACTS / "outcomes-pdf-page1-text.png"), full_page=True)
    sheet.close()


def test_organiser_builds_edits_and_publishes(page, browser, live_server, outcomes_event,  # noqa: F811
                                              report_organiser):
    slug = outcomes_event.slug
    page.goto(f"{live_server.url}/accounts/login/?next=/manage/{slug}/outcomes/")
    page.get_by_label("E-mail address").fill(report_organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill("outc0001")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Outcomes report editor")).to_be_visible()

    # Build three themes.
    page.get_by_label("Number of themes").fill("3")
    page.get_by_role("button", name="Build themes").click()
    expect(page.get_by_text("Built 3 themes")).to_be_visible()
    themes = list(Theme.objects.filter(event=outcomes_event).order_by("position", "id"))
    assert len(themes) == 3

    # Rename the first.
    field = page.locator(f"#rename-{themes[0].pk}")
    field.fill("Superconducting magnets")
    page.locator(f"#theme-{themes[0].pk}").get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", name="Superconducting magnets")).to_be_visible()

    # Merge the two others.
    page.locator(f"#merge-{themes[1].pk}").check()
    page.locator(f"#merge-{themes[2].pk}").check()
    page.get_by_label("Merge the ticked themes, new name (optional)").fill("Tritium and fuel")
    page.get_by_role("button", name="Merge ticked themes").click()
    expect(page.get_by_text("Merged 2 themes")).to_be_visible()
    assert Theme.objects.filter(event=outcomes_event).count() == 2

    # Narrative, then publish (refused until approved).
    page.locator("#id_narrative_en").fill("## Summary\n\nMagnets and **tritium** lead.")
    page.get_by_role("button", name="Save the narrative").click()
    expect(page.get_by_text("Narrative and licence saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("I approve this report for publication” first")).to_be_visible()
    page.get_by_label("I approve this report for publication").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Version 1 published.")).to_be_visible()
    assert services.latest_published(outcomes_event).version == 1
    assert axe_violations(page) == []
    screenshot(page, "outcomes-editor")

    # The public page, as an anonymous visitor.
    visitor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto(f"{live_server.url}/{slug}/outcomes/")
    expect(visitor.get_by_role("heading", name="Themes")).to_be_visible()
    expect(visitor.get_by_role("heading", name="1. Superconducting magnets")).to_be_visible()
    expect(visitor.locator("svg.chart").first).to_be_visible()
    assert visitor.locator("svg.chart title").count() >= 3
    assert CONFIDENTIAL_PHRASE not in visitor.content()
    assert axe_violations(visitor) == []
    screenshot(visitor, "outcomes-public")

    response = visitor.request.get(f"{live_server.url}/{slug}/outcomes/report.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Superconducting magnets" in text and CONFIDENTIAL_PHRASE not in text
    if screenshots_wanted():
        _pdf_first_page_image(response.body(), browser)
    visitor.context.close()

    # On a phone: the page fits, chart labels keep a readable size, axe is clean.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True).new_page()
    phone.goto(f"{live_server.url}/{slug}/outcomes/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    sizes = phone.evaluate("""() => [...document.querySelectorAll('svg.chart text')].map(t => {
        const svg = t.ownerSVGElement;
        const scale = svg.getScreenCTM().a;
        return parseFloat(getComputedStyle(t).fontSize) * scale; })""")
    assert sizes and min(sizes) >= 12, sizes
    widths = phone.evaluate("[...document.querySelectorAll('figure.chart-figure')]"
                            ".map(f => f.getBoundingClientRect().right)")
    assert max(widths) <= 390, widths
    assert "How this report was made" in phone.content()
    assert axe_violations(phone) == []
    screenshot(phone, "outcomes-public-phone")
    phone.context.close()

    # Withdraw version 1: the link, the confirmation, a reason typed and Enter.
    page.goto(f"{live_server.url}/manage/{slug}/outcomes/#publish")
    page.get_by_role("link", name="Withdraw version 1").click()
    expect(page.get_by_role("heading", name="Withdraw version 1")).to_be_visible()
    reason = page.get_by_label("Why is it withdrawn?")
    reason.click()
    page.keyboard.type("A figure was wrong")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Version 1 withdrawn.")).to_be_visible()
    expect(page.get_by_text("by organiser@test.invalid: A figure was wrong")).to_be_visible()
    gone = browser.new_context().new_page()
    response = gone.goto(f"{live_server.url}/{slug}/outcomes/")
    assert response.status == 410
    expect(gone.get_by_text("A figure was wrong")).to_be_visible()
    gone.context.close()
