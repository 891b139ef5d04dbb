"""Registration as people click through it: a newcomer from sign-up to badge, a waiting-list
seat offered and taken, and a badge checked in at the door."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from fusionforum.accounts.models import Organisation, User
from fusionforum.registration import badges, services
from fusionforum.registration.models import Registration, RegistrationSettings

from .conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
BACKUP_CODE = "door0001"


@pytest.fixture
def registration_open(event):
    now = dt.datetime.now(dt.UTC)
    return RegistrationSettings.objects.create(
        event=event, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5),
        capacity=5, delegates_per_organisation=3, requires_approval=True)


@pytest.fixture
def company(db):
    return Organisation.objects.create(name="Imaginary Plasma Ltd (fictional)",
                                       kind="private_developer", fusion_approach="stellarator",
                                       country="DE")


@pytest.fixture
def door_organiser(organiser):
    """The event's organiser, with a backup code as second factor."""
    from django_otp.plugins.otp_static.models import StaticDevice

    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    for n in range(1, 4):
        device.token_set.create(token=f"door{n:04d}")
    return organiser


def _log_in(page, live_server, email, *, code=None, next_path="/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if code:
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()


def _mail_link(to, live_server):
    message = [m for m in mail.outbox if to in m.to][-1]
    link = re.search(rf"{re.escape(settings.SITE_URL)}\S+", message.body).group(0)
    return link.replace(settings.SITE_URL, live_server.url)


def test_newcomer_signs_up_verifies_is_approved_and_downloads_the_badge(
    page, browser, live_server, event, registration_open, company, door_organiser
):
    job = event.questions.create(label="Job title", kind="text", required=True)
    page.goto(f"{live_server.url}/{event.slug}/registration/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Full name").fill("Nova Fictional")
    page.get_by_label("E-mail address").fill("nova@company.test.invalid")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("It is in the list").check()
    page.get_by_label("Organisation", exact=True).select_option(label=company.name)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("confirm your e-mail address first")).to_be_visible()

    page.goto(_mail_link("nova@company.test.invalid", live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your e-mail address is confirmed")
    page.get_by_role("link", name="Continue where you were").click()
    page.get_by_label("Job title").fill("Chief engineer")
    page.get_by_label("Show my name and organisation").check()
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".status-badge")).to_have_text("Pending approval")
    screenshot(page, "registration-pending")
    violations = axe_violations(page)
    assert violations == [], violations

    # The organiser approves at the registration desk, after the second factor.
    desk = browser.new_context().new_page()
    _log_in(desk, live_server, door_organiser.email, code=BACKUP_CODE,
            next_path=f"/manage/{event.slug}/registrations/")
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Registrations")
    desk.get_by_label("Select Nova Fictional").check()
    desk.get_by_label("Action").select_option("approve")
    desk.get_by_role("button", name="Apply to selected").click()
    expect(desk.locator(".messages")).to_contain_text("1")
    registration = Registration.objects.get(user__email="nova@company.test.invalid")
    assert registration.status == "confirmed"
    assert registration.answers == {str(job.pk): "Chief engineer"}

    page.reload()
    expect(page.locator(".status-badge")).to_have_text("Confirmed")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your badge (PDF)").click()
    pdf = download_info.value
    content = Path(pdf.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Nova Fictional" in text and company.name in text


def test_waitlisted_person_is_offered_a_seat_and_takes_it(page, live_server, event, company):
    now = dt.datetime.now(dt.UTC)
    RegistrationSettings.objects.create(
        event=event, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5),
        capacity=1, requires_approval=False)
    first, second = (
        User.objects.create_user(f"{name}@test.invalid", PASSWORD, full_name=f"{name.title()} "
                                 "Example", organisation=company, email_verified_at=now)
        for name in ("first", "second"))
    holder = services.submit(event, first, organisation=company, answers={},
                             consent_public_list=False)

    _log_in(page, live_server, second.email, next_path=f"/{event.slug}/registration/")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".status-badge")).to_have_text("On the waiting list")
    expect(page.get_by_text("number 1")).to_be_visible()

    services.cancel(holder, by=first)
    page.reload()
    expect(page.locator(".status-badge")).to_have_text("Seat offered")
    screenshot(page, "registration-offered")
    page.get_by_role("button", name="Accept the seat").click()
    expect(page.locator(".status-badge")).to_have_text("Confirmed")
    expect(page.get_by_text("Your seat is confirmed.").first).to_be_visible()
    assert Registration.objects.get(user=second, status="confirmed")


def test_badge_is_checked_in_once_at_the_door(page, live_server, event, company,
                                              door_organiser):
    now = dt.datetime.now(dt.UTC)
    RegistrationSettings.objects.create(
        event=event, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5),
        capacity=5, requires_approval=False)
    guest = User.objects.create_user("guest@test.invalid", PASSWORD, full_name="Guest Example",
                                     organisation=company, email_verified_at=now)
    registration = services.submit(event, guest, organisation=company, answers={},
                                   consent_public_list=False)
    token = badges.badge_token(registration)

    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, door_organiser.email, code=BACKUP_CODE,
            next_path=f"/manage/{event.slug}/check-in/")
    code_field = page.get_by_role("textbox").first
    code_field.fill(token)
    code_field.press("Enter")
    expect(page.locator(".outcome")).to_contain_text("Guest Example")
    expect(page.locator(".outcome-ok")).to_be_visible()
    screenshot(page, "checkin-phone")
    violations = axe_violations(page)
    assert violations == [], violations

    code_field = page.get_by_role("textbox").first
    code_field.fill(token)
    code_field.press("Enter")
    expect(page.locator(".outcome-duplicate")).to_contain_text("Already checked in")
    code_field = page.get_by_role("textbox").first
    code_field.fill(token[:-3] + "xyz")
    code_field.press("Enter")
    expect(page.locator(".outcome-refused")).to_be_visible()
    registration.refresh_from_db()
    assert registration.checked_in_by == door_organiser
