"""An organiser writes an announcement with the keyboard (Enter in the text area), previews it,
sends it, and finds it in the outbox and on the record page; then the reminder job runs and a
reminder arrives in the outbox and on the reminders page. On a phone and on a desktop, every
page fitting the screen and passing axe."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from fusionforum.announcements.models import ReminderSettings
from fusionforum.notifications.models import OutboundEmail

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401
from ..browser.steps import (
    SIZES,
    log_in_with_code,
    organiser_with_backup_code,
    press,
    type_into,
)
from ..browser.steps import check_page as check
from ..conftest import paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("size", SIZES)
def test_an_organiser_announces_and_a_reminder_follows(browser, live_server, event, make_user,  # noqa: F811
                                                       make_participant, make_stream, clock,
                                                       size):
    organiser = organiser_with_backup_code(make_user, event, "note0001", password=PASSWORD)
    ada = make_participant("Ada Lovelace")
    bernard = make_participant("Bernard Dupont", language="fr")

    page = open_page(browser, viewport=SIZES[size])
    log_in_with_code(page, live_server.url, organiser.email, PASSWORD, "note0001")
    press(page, page.get_by_role("link", name="Announcements and automatic reminders"))
    expect(page.get_by_role("heading", name=f"Announcements of {event.title}")).to_be_visible()
    check(page, f"announcements-list-{size}")

    press(page, page.get_by_role("link", name="Write an announcement"))
    page.get_by_label("All confirmed participants").focus()
    page.keyboard.press("Space")
    type_into(page, "Subject (English)", "Coaches leave at 8")
    page.get_by_label("Message (English)").focus()
    page.keyboard.type("The coaches leave the hotel at 08:00.")
    page.keyboard.press("Enter")
    page.keyboard.type("- bring your badge")
    type_into(page, "Subject (Français)", "Départ des cars à 8 h")
    page.get_by_label("Message (Français)").focus()
    page.keyboard.type("Les cars partent de l’hôtel à 8 h.")
    page.keyboard.press("Enter")
    page.keyboard.type("- apportez votre badge")
    press(page, page.get_by_role("button", name="Preview"))
    expect(page.locator("#recipient-count")).to_contain_text("2 people receive")
    expect(page.locator("#preview li")).to_have_text("bring your badge")
    assert not OutboundEmail.objects.exists()
    check(page, f"announcements-preview-{size}")

    # A double submission: the same form is sent once in the background, then by the button.
    status = page.evaluate("""async () => {
        const form = document.querySelector("form.form");
        const data = new FormData(form);
        data.append("action", "send");
        const answer = await fetch(location.href, {method: "POST", body: data});
        return answer.status;
    }""")
    assert status == 200
    press(page, page.get_by_role("button", name="Send to 2 people"))
    expect(page.get_by_text("was already sent")).to_be_visible()
    expect(page.get_by_role("heading", name="Coaches leave at 8")).to_be_visible()
    expect(page.get_by_role("region", name="Recipients and delivery")).to_contain_text(ada.email)
    check(page, f"announcements-record-{size}")
    english = OutboundEmail.objects.get(to=[ada.email], purpose="announcement")
    french = OutboundEmail.objects.get(to=[bernard.email], purpose="announcement")
    assert "The coaches leave the hotel at 08:00.\n- bring your badge" in english.body
    assert french.subject == "Départ des cars à 8 h"
    assert "Les cars partent de l’hôtel à 8 h.\n- apportez votre badge" in french.body
    assert OutboundEmail.objects.filter(purpose="announcement").count() == 2

    # The reminders: switched on with the keyboard, then the scheduled job runs.
    page.goto(f"{live_server.url}/manage/{event.slug}/announcements/reminders/")
    page.get_by_label("Livestream starting", exact=True).focus()
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text("Reminder settings saved.")).to_be_visible()
    assert ReminderSettings.objects.get(event=event).livestream
    make_stream(event, visible_from=paris(2027, 5, 26, 9, 0))
    clock.set(paris(2027, 5, 26, 8, 40))
    call_command("send_reminders", stdout=io.StringIO())
    reminder = OutboundEmail.objects.get(to=[ada.email], purpose="reminder-livestream")
    assert "Plenary" in reminder.subject
    page.reload()
    expect(page.get_by_role("region", name="Reminders sent lately")).to_contain_text(ada.email)
    check(page, f"announcements-reminders-{size}")
    press(page, page.get_by_role("link", name="Edit “Livestream starting”"))
    expect(page.get_by_role("heading", name="Reminder “Livestream starting”")).to_be_visible()
    check(page, f"announcements-reminder-text-{size}")
    page.context.clear_cookies()

    # The recipient follows the link of the e-mail: one click stops the optional reminders.
    link = next(word for word in reminder.body.split() if "/reminders/stop/" in word)
    page.goto(live_server.url + link.split("8000", 1)[-1])
    check(page, f"reminders-stop-{size}")
    press(page, page.get_by_role("button", name="Stop these reminders"))
    expect(page.get_by_text("Done: you will receive no more optional reminders")).to_be_visible()
    check(page, f"reminders-stopped-{size}")
