"""Account pages in Chromium: sign-up with errors, two-factor set-up, profile; axe-core finds
no serious problem and the content security policy blocks nothing."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from fusionforum.accounts.models import User

from ..browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, name):
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], "; ".join(f"{v['id']}: {v['help']}" for v in violations)
    # A refused form is answered with 400 on purpose; anything else (a blocked script or
    # style, a missing file) is a problem.
    assert [p for p in page.console_problems if "status of 400" not in p] == []


def test_signup_with_a_mistake_then_the_profile(page, live_server, organisation):
    page.goto(f"{live_server.url}/accounts/signup/")
    _check(page, "accounts-signup")
    page.get_by_label("Full name").fill("Ada\u202eFictional")
    page.get_by_label("E-mail address").fill("ada@test.invalid")
    page.get_by_label("Password").fill("tritium-breeding-blanket")
    page.get_by_label("Organisation", exact=True).select_option(label=organisation.name)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_contain_text("Full name")
    _check(page, "accounts-signup-errors")
    # The summary's link takes keyboard users to the field.
    page.get_by_role("alert").get_by_role("link").first.click()
    expect(page.get_by_label("Full name")).to_be_focused()

    page.get_by_label("Full name").fill("Ada Fictional")
    page.get_by_label("Password").fill("tritium-breeding-blanket")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("status")).to_contain_text("We sent you an e-mail")
    assert User.objects.get(email="ada@test.invalid").organisation == organisation
    _check(page, "accounts-profile")


def test_organiser_sets_up_two_factor_and_enters_the_back_office(page, live_server, organiser):
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    _check(page, "accounts-login")
    page.get_by_label("E-mail address").fill(organiser.email)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    _check(page, "accounts-two-factor-setup")
    device = TOTPDevice.objects.get(user=organiser)
    page.get_by_label("Six-digit code from your app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Your backup codes")
    expect(page.locator(".backup-codes li")).to_have_count(10)
    _check(page, "accounts-backup-codes")
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organise your workshop")
