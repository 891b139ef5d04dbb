"""An organiser creates an API token on the account page with the keyboard, reads the
programme's API with it, and revokes it; on a phone and on a desktop, every page fitting the
screen and passing axe. The API's documentation page works under the site's CSP."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from fusionforum.api.models import ApiToken

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from ..browser.steps import SIZES, type_into
from ..browser.steps import check_layout as check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def api_status(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("size", SIZES)
def test_an_organiser_creates_uses_and_revokes_a_token(browser, live_server, organiser,  # noqa: F811
                                                       event, make_event, size):
    from django_otp.plugins.otp_static.models import StaticDevice

    make_event(slug="another-workshop", title="Another Workshop", with_days=False)
    organiser.set_password(PASSWORD)
    organiser.save()
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="tok00001")
    device.token_set.create(token="tok00002")  # one left: the second factor stays set up

    page = open_page(browser, viewport=SIZES[size])
    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/profile/")
    type_into(page, "E-mail address", organiser.email)
    type_into(page, "Password", PASSWORD)
    page.keyboard.press("Enter")
    type_into(page, "Code", "tok00001")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Manage your API tokens").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    check(page, f"api-tokens-{size}")

    # Sent without a name: refused, with the error tied to the field.
    page.get_by_role("button", name="Create the token").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Name")
    check(page, f"api-tokens-errors-{size}")
    assert not ApiToken.objects.exists()

    type_into(page, "Name", "Badge printer")
    page.get_by_label("Read and write").focus()
    page.keyboard.press("Space")
    page.get_by_label("Valid for").select_option(label="30 days")
    page.get_by_label("Only the events chosen below").focus()
    page.keyboard.press("Space")
    page.get_by_label(event.title).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Create the token").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Your new token"))).to_be_visible()
    raw = page.locator("#token-value").inner_text().strip()
    token = ApiToken.objects.get(user=organiser)
    assert raw.startswith(f"ff_{token.prefix}_") and token.can_write
    assert [e.slug for e in token.events.all()] == [event.slug]
    check(page, f"api-tokens-created-{size}")

    base = f"{live_server.url}/api/v1/events"
    status, body = api_status(f"{base}/{event.slug}/programme/releases/", raw)
    assert status == 200 and body["results"] == []
    status, body = api_status(f"{base}/another-workshop/", raw)
    assert status == 404 and body["status"] == 404  # limited to the chosen event

    page.reload()  # shown once: a new visit does not show it again
    expect(page.locator("#token-value")).to_have_count(0)
    page.get_by_role("button", name="Revoke Badge printer").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("is revoked")
    check(page, f"api-tokens-revoked-{size}")
    status, body = api_status(f"{base}/{event.slug}/", raw)
    assert status == 401 and body["detail"] == "This token was revoked."
    assert [p for p in page.console_problems if "status of 400" not in p] == []


@pytest.mark.parametrize("size", SIZES)
def test_the_documentation_page_works_under_the_csp(browser, live_server, event, size):  # noqa: F811
    page = open_page(browser, viewport=SIZES[size])
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_text("/api/v1/events/{slug}/programme/talks/").first).to_be_visible()
    check(page, f"api-docs-{size}")
    # No script or style blocked by the policy, nothing fetched from another host.
    assert page.console_problems == []
