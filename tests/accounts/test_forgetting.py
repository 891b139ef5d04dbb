"""Deleting an account forgets the person everywhere: outbox, contact messages, registrations."""

import pytest

from fusionforum.accounts import personal_data
from fusionforum.events.models import ContactMessage
from fusionforum.notifications import services as outbox
from fusionforum.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_outbox_forgets_a_recipient():
    only = outbox.queue_email(to=["Gone@Test.invalid"], subject="s", body="b", purpose="t")
    shared = outbox.queue_email(to=["gone@test.invalid", "stays@test.invalid"], subject="s",
                                body="b", purpose="t")
    other = outbox.queue_email(to=["stays@test.invalid"], subject="s", body="b", purpose="t")
    assert outbox.forget_recipient("gone@test.invalid") == 2
    assert not OutboundEmail.objects.filter(pk=only.pk).exists()
    assert OutboundEmail.objects.get(pk=shared.pk).to == ["stays@test.invalid"]
    assert OutboundEmail.objects.get(pk=other.pk).to == ["stays@test.invalid"]


def test_contact_messages_are_exported_and_scrubbed(event, make_user, clock):
    user = make_user("writer@test.invalid")
    ContactMessage.objects.create(event=event, name="Writer", email="WRITER@test.invalid",
                                  message="Please call me on my private number.",
                                  received_at=clock.now())
    data = personal_data.export(user)
    assert data["contact_messages"][0]["message"] == "Please call me on my private number."
    personal_data.anonymise(user)
    message = ContactMessage.objects.get()
    assert message.email == "deleted@anonymised.invalid"
    assert message.message == "" and message.name == "(deleted)"
