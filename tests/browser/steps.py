"""Steps that browser tests of staff pages share: the two screen sizes, typing into a labelled
field and pressing Enter on a control with the keyboard, and checking a page (it fits the
window, axe finds nothing serious, optionally no console error)."""

from tests.browser.conftest import axe_violations, screenshot

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def check_layout(page, name):
    # The page's text can be there before its stylesheet is applied (a loaded machine): measure
    # once the document and its style sheets have loaded.
    page.wait_for_load_state("load")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name}: {width[0]} px wide in a {width[1]} px window"
    found = axe_violations(page)
    screenshot(page, name)
    assert found == [], [v["id"] for v in found]


def check_page(page, name):
    """``check_layout``, and the page reported no error in the browser's console."""
    check_layout(page, name)
    assert page.console_problems == []


def type_into(page, label, text):
    page.get_by_label(label).first.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def press(page, locator):
    locator.focus()
    page.keyboard.press("Enter")


def organiser_with_backup_code(make_user, event, code, *, email="olga@test.invalid",
                               password="a-long-test-password"):
    """An organiser of ``event`` with a password and one backup code as second factor."""
    from django_otp.plugins.otp_static.models import StaticDevice

    from fusionforum.events.models import TeamMembership

    organiser = make_user(email, full_name="Olga Organiser")
    organiser.set_password(password)
    organiser.save()
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    device = StaticDevice.objects.create(user=organiser, name="backup", confirmed=True)
    device.token_set.create(token=code)
    return organiser


def log_in_with_code(page, base_url, email, password, code, next_path="/manage/"):
    """Log in with the keyboard: address, password, Enter; the second factor's code, Enter."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    type_into(page, "E-mail address", email)
    type_into(page, "Password", password)
    page.keyboard.press("Enter")
    type_into(page, "Code", code)
    page.keyboard.press("Enter")
