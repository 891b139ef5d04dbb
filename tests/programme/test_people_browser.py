# ruff: noqa: F811  (the browser fixtures are imported to be used as arguments)
"""Browser test of the imported people, at phone size and on a desktop, typing with the
keyboard: after importing a real pretalx schedule, the organiser corrects an imported person
on the people page (/manage/<event>/programme/people/), is told when an invitation address is
wrong, sends the invitation; the person opens the link of the e-mail, signs in and takes the
profile over on the claim page (/<event>/speakers/claim/<token>/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fusionforum.cfp.models import SpeakerProfile
from fusionforum.notifications.models import OutboundEmail
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.apply import apply_preview

from ..browser.conftest import axe_violations, browser, open_page, page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
PASSWORD = "a-long-test-password"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def people_organiser(organiser):
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="ppl00001")
    return organiser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sign_in(page, url: str, email: str, code: str | None = None) -> None:
    page.goto(url)
    page.get_by_label("E-mail address").click()
    page.keyboard.type(email)
    page.get_by_label("Password").click()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    if code:
        page.get_by_label("Code").click()
        page.keyboard.type(code)
        page.keyboard.press("Enter")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_organiser_corrects_and_invites_a_person_who_claims_the_profile(
        browser, live_server, event, people_organiser, make_user, size):
    data = (FIXTURES / "voc-pretalx-democon.schedule.json").read_bytes()
    apply_preview(event, previews.prepare(event, previews.read_upload(data)),
                  by=people_organiser)
    profile = SpeakerProfile.objects.get(event=event, name="Brian Robinson")
    row = f"#person-{profile.code}"

    page = open_page(browser, viewport=VIEWPORTS[size])
    target = f"/manage/{event.slug}/programme/people/"
    sign_in(page, f"{live_server.url}/accounts/login/?next={target}", people_organiser.email,
            "ppl00001")
    page.wait_for_url(f"**{target}")
    assert page.get_by_role("heading", name="Imported people").is_visible()
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, f"programme-people-{size}")

    # Correct the person: open "Correct" with the keyboard, type a title, save with Enter.
    page.locator(f"{row} summary").focus()
    page.keyboard.press("Enter")
    title = page.locator(f"{row} input[name='e-{profile.code}-honorific']")
    title.focus()
    page.keyboard.type("Dr.")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Brian Robinson was corrected").is_visible()
    profile.refresh_from_db()
    assert profile.honorific == "Dr."
    assert page.locator(f"{row} th").first.inner_text().startswith("Dr. Brian Robinson")

    # A wrong address is refused next to the field; nothing is sent.
    email_field = page.locator(f"{row} input[name='p-{profile.code}-email']")
    email_field.focus()
    page.keyboard.type("not an address")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(f"{row}").get_by_text("Enter a valid email address").is_visible()
    assert not OutboundEmail.objects.filter(purpose="profile_invitation").exists()
    assert all("400" in problem for problem in page.console_problems)
    page.console_problems.clear()
    assert fits(page)

    email_field = page.locator(f"{row} input[name='p-{profile.code}-email']")
    email_field.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("brian@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("An invitation to claim the profile of").is_visible()
    assert page.locator(row).get_by_text("Invited: brian@example.org").is_visible()
    assert page.console_problems == []
    page.context.close()

    # The person follows the e-mail's link, signs in and takes the profile over.
    body = OutboundEmail.objects.get(purpose="profile_invitation").body
    claim_path = re.search(r"https?://[^/\s]+(/\S+/speakers/claim/\S+/)", body).group(1)
    brian = make_user("brian@example.org", full_name="Brian Robinson")
    page = open_page(browser, viewport=VIEWPORTS[size])
    sign_in(page, f"{live_server.url}/accounts/login/?next={claim_path}", brian.email)
    page.wait_for_url(lambda url: url.endswith(claim_path) and "/accounts/" not in url)
    assert page.get_by_role("heading", name="Your speaker profile").is_visible()
    assert page.get_by_text("take over the speaker profile of Brian Robinson").is_visible()
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, f"programme-claim-{size}")
    page.get_by_role("button", name="Take over this profile").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("is now linked to your account").is_visible()
    profile.refresh_from_db()
    assert profile.user == brian
    assert fits(page)
    assert page.console_problems == []
    page.context.close()
