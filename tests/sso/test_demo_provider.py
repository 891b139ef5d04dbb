"""The demo's "Sign in with Demo Institute": the demo identity provider started as `make demo`
starts it (scripts/serve.sh: the same module and people file, another port), the demo loaded,
and a demo expert who has no account here signs in through it in Chromium and lands on their
agenda without a local password."""

import datetime as dt
import json
import subprocess
import sys
import time
import urllib.request
import zoneinfo

import pytest
from playwright.sync_api import expect

from fusionforum.accounts.models import User
from fusionforum.core import clock as business_clock
from fusionforum.meetings.models import Expert
from fusionforum.sso import demo as sso_demo
from fusionforum.sso.models import IdentityProvider, Link
from tests.browser.conftest import axe_violations, open_page

from .conftest import REPO, _free_port
from .test_oidc_browser import PHONE, fits, type_into

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PEOPLE = REPO / "fusionforum" / "demo_idp" / "people.json"
TODAY = dt.date(2027, 5, 26)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def demo_idp(tmp_path):
    port = _free_port()
    log = (tmp_path / "idp.log").open("w")
    # As scripts/serve.sh runs it for `make demo` (there on port 8001).
    process = subprocess.Popen(
        [sys.executable, "-m", "fusionforum.demo_idp.saml_idp", str(tmp_path / "demo-idp"),
         str(port), str(PEOPLE)], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/metadata", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "idp.log").read_text()[-3000:])
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def demo(transactional_db, demo_idp, settings, live_server):
    from tests.demo_snapshot import load_full_demo

    settings.SITE_URL = live_server.url
    business_clock.set_now(dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=PARIS))
    event = load_full_demo(TODAY)
    # load_demo declared the provider at DEMO_IDP_URL (8001 for `make demo`); here at the
    # port of this run's provider.
    settings.DEMO_IDP_URL = demo_idp
    assert "Demo Institute" in sso_demo.load(event)
    yield event
    business_clock.set_now(None)


def test_people_of_the_demo_provider_are_the_demo_experts(demo):
    people = json.loads(PEOPLE.read_text())
    experts = set(Expert.objects.filter(event=demo).exclude(email="")
                  .values_list("email", flat=True))
    invited = {email for email in people if email.endswith(".expert@demo.fusionforum.invalid")}
    assert invited and invited <= experts
    provider = IdentityProvider.objects.get(key="demo-institute")
    assert provider.protocol == "saml" and provider.label == "Demo Institute"
    assert Link.objects.filter(provider_key="demo-institute",
                               user__email="expert@demo.fusionforum.invalid").exists()


def test_demo_expert_signs_in_through_demo_institute_and_lands_on_the_agenda(
        browser, live_server, demo):
    email = "tomas.expert@demo.fusionforum.invalid"
    assert not User.objects.filter(email=email).exists()
    page = open_page(browser, **PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("link", name="Sign in with Demo Institute")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Demo Institute: sign in")).to_be_visible()
    type_into(page.get_by_label("E-mail address"), email)
    type_into(page.get_by_label("Password"), sso_demo.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{demo.slug}/expert/**")
    expect(page.get_by_text("Your expert profile is linked")).to_be_visible()
    user = User.objects.get(email=email)
    assert not user.has_usable_password()
    assert Expert.objects.get(event=demo, email=email).user == user
    assert not axe_violations(page)
    fits(page)
    page.context.close()

    # The demo expert who has a local account is linked in advance: no password here either.
    page = open_page(browser, **PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Demo Institute").click()
    type_into(page.get_by_label("E-mail address"), "expert@demo.fusionforum.invalid")
    type_into(page.get_by_label("Password"), sso_demo.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{demo.slug}/expert/**")
    page.context.close()
