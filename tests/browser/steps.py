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
