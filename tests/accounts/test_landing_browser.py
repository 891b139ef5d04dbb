"""In Chromium, with the keyboard: a participant, an expert and an organiser (with a backup code)
open the login page and land where their work is; a phone and a desktop."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice

from fusionforum.events.models import TeamMembership
from fusionforum.meetings.models import Expert
from fusionforum.registration.models import Registration, RegistrationSettings

from ..browser.conftest import open_page
from ..conftest import paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def log_in_with_keyboard(page, base, email, code=None):
    page.goto(f"{base}/accounts/login/")  # (the header's link adds the page it was on as next)
    page.get_by_label("E-mail address").type(email)
    page.get_by_label("Password").type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if code:
        page.get_by_label("Code").type(code)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    return page.url.removeprefix(base)


def test_each_person_lands_where_their_work_is(browser, live_server, event, make_user,
                                               organiser, clock):
    clock.set(paris(2027, 5, 20, 10))
    RegistrationSettings.objects.create(event=event, opens_at=paris(2027, 4, 1),
                                        closes_at=paris(2027, 5, 25), capacity=10)
    ada = make_user("ada@test.invalid", full_name="Ada Participant")
    from fusionforum.accounts.models import Organisation

    company = Organisation.objects.create(name="Fictional Fusion", kind="supplier", country="FR")
    Registration.objects.create(event=event, user=ada, organisation=company, status="confirmed",
                                seat_pool="general", submitted_at=paris(2027, 4, 2))
    mara = make_user("mara@host.invalid", full_name="Mara Magnet")
    Expert.objects.create(event=event, user=mara, name="Mara Magnet", disciplines=["magnets"],
                          max_meetings=4)
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token="land0001")
    assert TeamMembership.objects.filter(user=organiser).exists()

    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    for email, code, expected, options in [
        (ada.email, None, f"/{event.slug}/registration/", phone),
        (mara.email, None, f"/{event.slug}/expert/", phone),
        (organiser.email, "land0001", "/manage/", {}),
    ]:
        page = open_page(browser, **options)
        assert log_in_with_keyboard(page, live_server.url, email, code) == expected, email
        assert page.locator("h1").first.is_visible()
        page.context.close()
