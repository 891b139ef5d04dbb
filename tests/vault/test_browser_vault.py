"""The security office as people click through it: the participant sends their site-access
data, the officer verifies the second factor with a backup code, opens the record (logged),
approves, and the participant sees the status."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from fusionforum.vault.models import AccessLogEntry
from tests.browser.conftest import axe_violations, browser, open_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def live_seats(event, seats, make_user):
    # Real time here: the live server sees the business clock, which tests leave at "now".
    now = dt.datetime.now(dt.UTC)
    person = make_user("nova@test.invalid", full_name="Nova Fictional")
    seats.give(event, person, first_start=now + dt.timedelta(days=20),
               last_end=now + dt.timedelta(days=20, hours=2),
               due=now + dt.timedelta(days=8))
    return person


@pytest.fixture
def office(officer):
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=officer, name="backup", confirmed=True)
    device.token_set.create(token="gate0001")
    return officer


def _log_in(page, live_server, email, next_path):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_officer_approves_and_the_participant_sees_it(browser, live_server, event, live_seats,  # noqa: F811
                                                      office):
    person_page = open_page(browser)
    _log_in(person_page, live_server, "nova@test.invalid", f"/{event.slug}/site-access/")
    expect(person_page.locator("#clearance-status")).to_have_text("Missing")
    person_page.get_by_label("Given names (as on the document)").fill("Nova")
    person_page.get_by_label("Surname (as on the document)").fill("Fictional")
    person_page.get_by_label("Nationality").select_option("FR")
    person_page.get_by_label("Date of birth").fill("1988-03-04")
    person_page.get_by_label("Place of birth").fill("Testville")
    person_page.get_by_label("Document type").select_option("passport")
    person_page.get_by_label("Document number").fill("PX998877")
    person_page.get_by_label("Document expiry date").fill("2035-06-30")
    person_page.get_by_role("button", name="Send to the security office").click()
    expect(person_page.locator("#clearance-status")).to_have_text("Submitted")
    assert axe_violations(person_page) == []

    officer_page = open_page(browser)
    _log_in(officer_page, live_server, office.email, f"/security/{event.slug}/")
    officer_page.get_by_label("Code").fill("gate0001")
    officer_page.get_by_role("button", name="Continue").click()
    expect(officer_page.get_by_role("heading", name="People and clearances")).to_be_visible()
    officer_page.get_by_role("link", name="Open record of Nova Fictional").click()
    expect(officer_page.get_by_text("PX998877")).to_be_visible()
    assert axe_violations(officer_page) == []
    officer_page.get_by_label("Approve").check()
    officer_page.get_by_role("button", name="Record the decision").click()
    expect(officer_page.get_by_text("Decision recorded")).to_be_visible()
    assert AccessLogEntry.objects.filter(action="view", subject=live_seats).exists()

    person_page.reload()
    expect(person_page.locator("#clearance-status")).to_have_text("Approved")
    expect(person_page.get_by_text("PX998877")).to_have_count(0)
    assert person_page.console_problems == [] and officer_page.console_problems == []


def test_a_signed_out_officer_follows_an_export_link_and_the_token_stays_out_of_addresses(
        browser, live_server, event, live_seats, office):  # noqa: F811
    from fusionforum.vault import services

    token = services.create_export(event, office, "csv")
    page = open_page(browser)
    addresses = []
    page.on("request", lambda request: addresses.append(request.url))
    page.goto(f"{live_server.url}/security/{event.slug}/exports/{token}/")
    expect(page.get_by_label("E-mail address")).to_be_visible()
    assert token not in page.url
    page.get_by_label("E-mail address").type(office.email)
    page.get_by_label("Password").type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code")).to_be_visible()
    assert token not in page.url
    page.get_by_label("Code").type("gate0001")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = download.value.path()
    with open(path, encoding="utf-8-sig") as exported:
        assert "Nova Fictional" in exported.read()
    assert download.value.suggested_filename == f"site-access-{event.slug}.csv"
    # Only the link itself ever carried the token: no login, second-factor or later address.
    assert [url for url in addresses if token in url] == [
        f"{live_server.url}/security/{event.slug}/exports/{token}/"]
    assert AccessLogEntry.objects.filter(action="download", actor=office).count() == 1
    assert page.console_problems == []
