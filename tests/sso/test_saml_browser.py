"""SAML 2.0 single sign-on as a person clicks through it in Chromium, at phone and desktop
size: the platform's log-in page, the pysaml2 identity provider's page (its own process), its
POST back to the ACS, and the platform's pages after; keyboard only; axe on our pages."""


import pytest
from playwright.sync_api import expect

from fusionforum.accounts.models import User
from fusionforum.events.models import EventCreator, TeamMembership
from fusionforum.sso.models import Link
from tests.browser.conftest import axe_violations, open_page

from .conftest import DOMAIN, SAML_PASSWORD
from .test_oidc_browser import DESKTOP, PHONE, SIZES, fits, prove_password, type_into

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _site_is_the_live_server(site_url, live_server):
    site_url.SITE_URL = live_server.url


def through_idp(page, live_server, email, *, next_path=""):
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    button = page.get_by_role("link", name="Sign in with SAML Institute")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Demo Institute: sign in")).to_be_visible()
    type_into(page.get_by_label("E-mail address"), email)
    type_into(page.get_by_label("Password"), SAML_PASSWORD)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("size", SIZES)
def test_newcomer_signs_in_and_an_account_is_created(browser, live_server, saml_idp,
                                                     saml_institute, size):
    page = open_page(browser, **SIZES[size])
    through_idp(page, live_server, f"newcomer@{DOMAIN}")
    expect(page.get_by_text("Your account was created")).to_be_visible()
    assert page.url.startswith(live_server.url)
    user = User.objects.get(email=f"newcomer@{DOMAIN}")
    assert Link.objects.filter(user=user, provider_key="saml-institute").exists()
    assert not axe_violations(page)
    fits(page)
    assert not page.console_problems
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_existing_account_is_linked_after_its_password(browser, live_server, saml_idp,
                                                       saml_institute, make_user, size):
    existing = make_user(f"existing@{DOMAIN}")
    page = open_page(browser, **SIZES[size])
    through_idp(page, live_server, f"existing@{DOMAIN}")
    page.wait_for_url("**/accounts/sso/link/")
    assert not Link.objects.exists()
    prove_password(page)
    expect(page.get_by_text("Your account is now linked to SAML Institute")).to_be_visible()
    assert Link.objects.get().user == existing
    page.context.close()


def test_group_and_second_factor(browser, live_server, saml_idp, saml_institute, event):
    page = open_page(browser, **PHONE)
    through_idp(page, live_server, f"lead@{DOMAIN}")
    expect(page.get_by_text("You may now start events.")).to_be_visible()
    assert EventCreator.objects.filter(user__email=f"lead@{DOMAIN}").exists()
    page.context.close()

    for email, counted in ((f"organiser@{DOMAIN}", True), (f"organiser2@{DOMAIN}", False)):
        organiser = User.objects.create_user(email, "a-long-test-password")
        TeamMembership.objects.create(event=event, user=organiser,
                                      role=TeamMembership.Role.ORGANISER)
        page = open_page(browser, **DESKTOP)
        through_idp(page, live_server, email, next_path="/manage/")
        prove_password(page)
        if counted:
            page.wait_for_url(f"{live_server.url}/manage/")
            page.goto(f"{live_server.url}/admin/")
            expect(page.get_by_role("heading", name="Recent actions")).to_be_visible()
        else:
            page.wait_for_url("**/accounts/two-factor/**")
        page.context.close()


def test_invited_expert_lands_on_the_agenda(browser, live_server, saml_idp, saml_institute,
                                            event, meetings_day):
    from fusionforum.meetings.models import Expert

    Expert.objects.create(event=event, name="Erik Expert", email=f"expert@{DOMAIN}")
    page = open_page(browser, **PHONE)
    through_idp(page, live_server, f"expert@{DOMAIN}")
    page.wait_for_url(f"**/{event.slug}/expert/**")
    expect(page.get_by_text("Your expert profile is linked")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_unsigned_answer_is_refused_in_words(browser, live_server, saml_idp, saml_institute,
                                             size):
    page = open_page(browser, **SIZES[size])
    through_idp(page, live_server, f"unsigned@{DOMAIN}")
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_text("not signed by the identity provider")).to_be_visible()
    assert not User.objects.exists()
    assert not axe_violations(page)
    fits(page)
    page.context.close()
