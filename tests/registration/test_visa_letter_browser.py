"""A visa invitation letter as a participant gets it on a phone (390x844): from their
registration page to the PDF, typed with the keyboard; then a consulate checks it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from fusionforum.registration import services, visa_letters
from fusionforum.registration.models import Question, RegistrationSettings, VisaLetter

from ..browser.conftest import axe_violations, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "a-long-test-password"


@pytest.fixture
def confirmed_asker(event, organiser, make_person):
    now = dt.datetime.now(dt.UTC)
    RegistrationSettings.objects.create(
        event=event, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5),
        capacity=5, requires_approval=False)
    question = Question.objects.create(event=event, label="Do you need a visa invitation "
                                       "letter?", kind=Question.Kind.YES_NO)
    visa_letters.save_settings(event, by=organiser, question=question,
                               signatory_name="Selma Signatory (fictional)", texts={})
    person = make_person(full_name="Amara Okafor", email="amara@test.invalid")
    registration = services.submit(event, person, organisation=person.organisation,
                                   answers={str(question.pk): "yes"}, consent_public_list=False)
    assert registration.status == "confirmed"
    return registration


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_participant_downloads_their_visa_letter_on_a_phone(browser, live_server, event,
                                                            confirmed_asker):
    page = open_page(browser, viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/{event.slug}/registration/")
    page.get_by_label("E-mail address").click()
    page.keyboard.type("amara@test.invalid")
    page.get_by_label("Password").click()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".status-badge")).to_have_text("Confirmed")

    page.get_by_role("link", name="Your visa invitation letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visa invitation letter")
    assert _fits_the_phone(page)
    assert axe_violations(page) == []
    name = page.get_by_label("Your name as in your passport")
    expect(name).to_have_value("Amara Okafor")
    name.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("OKAFOR Amara Chidinma")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    letter = VisaLetter.objects.get()
    assert download.suggested_filename == f"visa-letter-{event.slug}-{letter.number}.pdf"
    content = Path(download.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "OKAFOR Amara Chidinma" in text
    assert "26 May 2027" in text and "28 May 2027" in text
    assert letter.code in text

    # Back on the page: the letter, its number, and the download link (same number again).
    page.goto(f"{live_server.url}/{event.slug}/registration/visa-letter/")
    expect(page.get_by_text(f"Your letter no. {letter.number}")).to_be_visible()
    with page.expect_download() as again:
        page.get_by_role("link", name="Download your letter (PDF)").click()
    assert again.value.suggested_filename == download.suggested_filename
    assert VisaLetter.objects.count() == 1
    assert page.console_problems == []

    # A consulate checks the letter, on a phone too, signed out.
    consulate = open_page(browser, viewport=PHONE)
    consulate.goto(f"{live_server.url}/{event.slug}/visa-letters/check/")
    consulate.get_by_label("Letter number").click()
    consulate.keyboard.type(str(letter.number))
    consulate.get_by_label("Code").click()
    consulate.keyboard.type(letter.code.lower())
    consulate.keyboard.press("Enter")
    expect(consulate.get_by_text("This letter was issued by the organisers and is valid.")
           ).to_be_visible()
    expect(consulate.locator("dd").nth(1)).to_have_text("OKAFOR Amara Chidinma")
    assert _fits_the_phone(consulate)
    assert axe_violations(consulate) == []
