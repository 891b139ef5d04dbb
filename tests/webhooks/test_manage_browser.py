"""An organiser adds a webhook endpoint with the keyboard, copies its secret, sends a test
message that reaches a real receiver, and reads the delivery log; on a phone and on a
desktop, every page fitting the screen and passing axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from ..browser.steps import (
    SIZES,
    log_in_with_code,
    organiser_with_backup_code,
    press,
    type_into,
)
from ..browser.steps import check_page as check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("size", SIZES)
def test_an_organiser_adds_an_endpoint_and_tests_it(browser, live_server, event, make_user,  # noqa: F811
                                                    receiver, size):
    organiser = organiser_with_backup_code(make_user, event, "hook0001", password=PASSWORD)

    page = open_page(browser, viewport=SIZES[size])
    log_in_with_code(page, live_server.url, organiser.email, PASSWORD, "hook0001")
    press(page, page.get_by_role("link", name="Webhooks: tell other systems what happens"))
    expect(page.get_by_role("heading", name=f"Webhooks of {event.title}")).to_be_visible()
    check(page, f"webhooks-list-empty-{size}")

    press(page, page.get_by_role("link", name="Add an endpoint"))
    # A cloud metadata address is refused with a clear error.
    type_into(page, "Address (URL)", "http://169.254.169.254/latest/meta-data/")
    page.get_by_label("A participant is checked in (checkin.created)").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.locator("#id_url-error")).to_contain_text("link-local")
    # The refused form is answered 400, which the browser reports; nothing else may be.
    assert all("status of 400" in problem for problem in page.console_problems)
    page.console_problems.clear()
    check(page, f"webhooks-refused-{size}")

    type_into(page, "Address (URL)", receiver.url)
    type_into(page, "Description", "Badge printer")
    expect(page.get_by_label("A participant is checked in (checkin.created)")).to_be_checked()
    page.get_by_label("A registration is received (registration.created)").focus()
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Add the endpoint"))
    expect(page.get_by_role("heading", name="The endpoint was added")).to_be_visible()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    check(page, f"webhooks-secret-{size}")

    press(page, page.get_by_role("link", name="I have copied it: go to the endpoint"))
    expect(page.get_by_role("heading", name=receiver.url)).to_be_visible()
    assert secret not in page.content()
    press(page, page.get_by_role("button", name="Send a test message"))
    expect(page.get_by_text("A test message was queued")).to_be_visible()
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert Webhook(secret).verify(request["body"], request["headers"])["type"] == "webhook.ping"
    expect(page.get_by_text("HTTP 200").first).to_be_attached()
    check(page, f"webhooks-endpoint-{size}")

    press(page, page.get_by_role("link", name="All the endpoints of this event"))
    expect(page.get_by_role("link", name=receiver.url)).to_be_visible()
    check(page, f"webhooks-list-{size}")

    # Deleting asks first (a disclosure, no script), then the endpoint is gone.
    press(page, page.get_by_role("link", name=receiver.url))
    page.get_by_text("Delete the endpoint").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Its delivery log goes with it")).to_be_visible()
    check(page, f"webhooks-delete-{size}")
    press(page, page.get_by_role("button", name="Yes, delete it and its log"))
    expect(page.get_by_text("No endpoint yet.")).to_be_visible()
