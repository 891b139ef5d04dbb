"""Single sign-on as a person clicks through it in Chromium, at phone and desktop size: the
platform's log-in page, the provider's own sign-in page (a real django-oauth-toolkit process),
and back; typing with the keyboard; each page checked with axe."""


import pytest
from playwright.sync_api import expect

from fusionforum.accounts.models import User
from fusionforum.events.models import EventCreator, TeamMembership
from fusionforum.sso.models import Link
from tests.browser.conftest import axe_violations, open_page, screenshot
from tests.sso.provider.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


def fits(page):
    """Nothing wider than the screen."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"


def type_into(locator, text):
    locator.focus()
    locator.press_sequentially(text)


def through_provider(page, live_server, username, *, next_path=""):
    """From the platform's log-in page through the provider's sign-in, by keyboard."""
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    assert not axe_violations(page)
    fits(page)
    button = page.get_by_role("link", name="Sign in with Demo Institute")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Demo Institute sign-in")).to_be_visible()
    type_into(page.get_by_label("User name"), username)
    type_into(page.get_by_label("Password"), PASSWORD)
    page.keyboard.press("Enter")


@pytest.fixture(autouse=True)
def _site_is_the_live_server(site_url, live_server):
    site_url.SITE_URL = live_server.url


def prove_password(page):
    page.wait_for_url("**/accounts/sso/link/")
    type_into(page.get_by_label("Password of your Fusion Forum account"), "a-long-test-password")
    page.keyboard.press("Enter")


@pytest.mark.parametrize("size", SIZES)
def test_newcomer_signs_in_and_out_with_rp_initiated_logout(browser, live_server,
                                                          oidc_provider, institute, size):
    page = open_page(browser, **SIZES[size])
    through_provider(page, live_server, "newcomer")
    page.wait_for_url(f"{live_server.url}/**")
    expect(page.get_by_text("Your account was created")).to_be_visible()
    user = User.objects.get(email="newcomer@institute.example")
    assert Link.objects.filter(user=user).exists()
    assert not axe_violations(page)
    fits(page)
    logout = page.get_by_role("button", name="Log out").first
    if not logout.is_visible():  # the phone menu
        page.get_by_role("button", name="Menu").click()
    logout.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/sso/signed-out/")
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()
    assert not axe_violations(page)
    fits(page)
    screenshot(page, f"sso-signed-out-{size}")
    also = page.get_by_role("link", name="Sign out of Demo Institute too")
    also.focus()
    page.keyboard.press("Enter")
    # The provider ends its session and sends the browser back to the platform's home page.
    page.wait_for_url(f"{live_server.url}/")
    # Signed out at the provider too: the next sign-in asks for the password again.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Demo Institute").click()
    expect(page.get_by_label("User name")).to_be_visible()
    assert not page.console_problems
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_existing_account_is_linked_after_its_password(browser, live_server, oidc_provider,
                                                       institute, make_user, size):
    existing = make_user("existing@institute.example", full_name="Esther Existing")
    page = open_page(browser, **SIZES[size])
    through_provider(page, live_server, "existing")
    page.wait_for_url("**/accounts/sso/link/")
    expect(page.get_by_role("heading", name="Link your account")).to_be_visible()
    assert not axe_violations(page)
    fits(page)
    password = page.get_by_label("Password of your Fusion Forum account")
    type_into(password, "wrong-password")
    page.keyboard.press("Enter")
    expect(page.locator("#id_password-error")).to_contain_text(
        "This is not the password of this account")
    assert not Link.objects.exists()
    assert not axe_violations(page)
    screenshot(page, f"sso-link-{size}")
    password = page.get_by_label("Password of your Fusion Forum account")
    type_into(password, "a-long-test-password")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your account is now linked to Demo Institute")).to_be_visible()
    assert Link.objects.get().user == existing
    page.context.close()


def test_lead_becomes_event_creator_and_staff_second_factor_counts(
        browser, live_server, oidc_provider, institute, event):
    page = open_page(browser, **PHONE)
    through_provider(page, live_server, "lead")
    page.wait_for_url(f"{live_server.url}/**")
    expect(page.get_by_text("You may now start events.")).to_be_visible()
    assert EventCreator.objects.filter(user__email="lead@institute.example").exists()
    page.context.close()

    # An organiser whose provider checked a second factor reaches the back office directly.
    organiser = User.objects.create_user("organiser@institute.example", "a-long-test-password")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    page = open_page(browser, **DESKTOP)
    through_provider(page, live_server, "organiser-mfa", next_path="/manage/")
    prove_password(page)
    page.wait_for_url(f"{live_server.url}/manage/")
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Recent actions")).to_be_visible()
    page.context.close()


def test_staff_without_provider_second_factor_gets_the_local_step(
        browser, live_server, oidc_provider, institute, event):
    organiser = User.objects.create_user("organiser2@institute.example", "a-long-test-password")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    page = open_page(browser, **PHONE)
    through_provider(page, live_server, "organiser-pwd", next_path="/manage/")
    prove_password(page)
    page.wait_for_url("**/accounts/two-factor/**")
    page.context.close()


def test_invited_expert_lands_on_the_agenda(browser, live_server, oidc_provider, institute,
                                            event, meetings_day):
    from fusionforum.meetings.models import Expert

    Expert.objects.create(event=event, name="Erik Expert", email="expert@institute.example")
    page = open_page(browser, **PHONE)
    through_provider(page, live_server, "expert")
    page.wait_for_url(f"**/{event.slug}/expert/**")
    expect(page.get_by_text("Your expert profile is linked")).to_be_visible()
    assert not axe_violations(page)
    fits(page)
    page.context.close()


def test_refusal_is_a_page_in_words(browser, live_server, oidc_provider, institute):
    page = open_page(browser, **PHONE)
    through_provider(page, live_server, "unverified")
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_text("does not confirm that your e-mail address is verified")) \
        .to_be_visible()
    assert not axe_violations(page)
    fits(page)
    screenshot(page, "sso-refused-phone")
    page.context.close()

