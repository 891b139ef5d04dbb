import datetime as dt

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.events.models import ContactMessage
from fusionforum.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Casey Fictional",
    "email": "casey@company.test.invalid",
    "organisation": "Imaginary Fusion Ltd",
    "topic": "visits",
    "message": "Which tours are open to delegates without a passport from the EU?",
    "website": "",
}


def contact_url(event):
    return reverse("events:contact", args=[event.slug])


def test_form_renders_with_labels_and_csrf(client, event):
    response = client.get(contact_url(event))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    for field in ("name", "email", "organisation", "topic", "message"):
        assert f'for="id_{field}"' in html
    assert "csrfmiddlewaretoken" in html


def test_valid_message_is_stored_and_emailed_to_the_organisers(
    client, event, clock, django_capture_on_commit_callbacks
):
    clock.set(dt.datetime(2027, 5, 20, 10, 0, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(event), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:contact_sent", args=[event.slug])
    message = ContactMessage.objects.get()
    assert message.event == event
    assert message.status == ContactMessage.Status.NEW
    assert message.received_at == clock.now()
    outbox = OutboundEmail.objects.get()
    assert outbox.status == OutboundEmail.Status.SENT
    assert outbox.purpose == "contact-message"
    assert outbox.related_id == str(message.pk)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["organisers@test.invalid", "second@test.invalid"]
    assert sent.reply_to == ["casey@company.test.invalid"]
    assert "Site visits" in sent.subject
    assert VALID["message"] in sent.body
    assert "20 May 2027, 12:00" in sent.body  # received 10:00 UTC, shown in Paris time
    assert AuditEntry.objects.filter(action="contact.received").count() == 1
    assert b"your message was sent" in client.get(response["Location"]).content


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"name": ""}, "name", "This field is required."),
        ({"message": "hi"}, "message", "at least a sentence"),
        ({"message": "x" * 5001}, "message", "5000 characters"),
        ({"topic": "gossip"}, "topic", "Select a valid choice."),
        ({"website": "http://spam.invalid"}, "website", "must be left empty"),
    ],
)
def test_invalid_input_gets_field_errors_and_stores_nothing(client, event, change, field, text):
    response = client.post(contact_url(event), {**VALID, **change})
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert text in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'id="id_{field}-error"' in html
    assert 'aria-invalid="true"' in html
    assert ContactMessage.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


def test_csrf_is_enforced(event):
    client = Client(enforce_csrf_checks=True)
    response = client.post(contact_url(event), VALID)
    assert response.status_code == 403
    assert ContactMessage.objects.count() == 0


def test_csrf_token_from_the_form_is_accepted(event):
    client = Client(enforce_csrf_checks=True)
    client.get(contact_url(event))
    token = client.cookies["csrftoken"].value
    response = client.post(contact_url(event), {**VALID, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@override_settings(CONTACT_RATE_LIMIT=3)
def test_rate_limit_answers_429_and_stores_nothing_more(client, event, clock):
    for _ in range(3):
        assert client.post(contact_url(event), VALID).status_code == 302
    limited = client.post(contact_url(event), VALID)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert b"Too many messages" in limited.content
    assert ContactMessage.objects.count() == 3
    # Another client is not affected.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.post(contact_url(event), VALID).status_code == 302
    # The window passes.
    clock.advance(hours=1)
    assert client.post(contact_url(event), VALID).status_code == 302


@override_settings(CONTACT_RATE_LIMIT=2)
def test_invalid_attempts_count_too(client, event, clock):
    for _ in range(2):
        assert client.post(contact_url(event), {**VALID, "email": "x"}).status_code == 400
    assert client.post(contact_url(event), VALID).status_code == 429


@override_settings(CONTACT_RATE_LIMIT=1, TRUSTED_PROXY_COUNT=0)
def test_a_forged_forwarded_header_does_not_reset_the_limit(client, event, clock):
    assert client.post(contact_url(event), VALID).status_code == 302
    forged = client.post(contact_url(event), VALID, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.status_code == 429


@override_settings(CONTACT_RATE_LIMIT=1, TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_the_proxy_saw_counts(client, event, clock):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.post(contact_url(event), VALID, HTTP_X_FORWARDED_FOR="198.51.100.1",
                       **proxy).status_code == 302
    # The client prepends a fake address; the proxy appends the real one.
    forged = client.post(contact_url(event), VALID,
                         HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1", **proxy)
    assert forged.status_code == 429
    other = client.post(contact_url(event), VALID, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)
    assert other.status_code == 302


def test_client_addresses_are_not_stored_in_clear(client, event, clock):
    from fusionforum.core.models import RateLimitWindow

    client.post(contact_url(event), VALID, REMOTE_ADDR="198.51.100.23")
    window = RateLimitWindow.objects.get()
    assert "198.51.100.23" not in window.key


def test_contact_for_unpublished_event_is_404(client, make_event):
    event = make_event(slug="hidden", status="draft")
    assert client.post(contact_url(event), VALID).status_code == 404
    assert ContactMessage.objects.count() == 0


@pytest.mark.parametrize("field, value", [
    ("name", "Eve\r\nBcc: victim@x.invalid"),
    ("name", "Eve\nBcc: victim@x.invalid"),
    ("name", "Eve\rBcc: victim@x.invalid"),
    ("organisation", "Evil Ltd\r\nBcc: victim@x.invalid"),
    ("organisation", "Evil\x00Ltd"),
    ("name", "Eve\u202eLtd"),
])
def test_line_breaks_and_controls_in_single_line_fields_are_refused(
        client, event, clock, field, value, django_capture_on_commit_callbacks):
    """A name with CR LF used to write a fake "Bcc:" line into the organisers' e-mail body."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(event), {**VALID, field: value})
    assert response.status_code == 400
    assert ContactMessage.objects.count() == 0
    assert OutboundEmail.objects.count() == 0 and not mail.outbox
    text = response.content.decode()
    assert ("must fit on one line" in text or "control characters" in text
            or "text-direction" in text)


def test_the_service_refuses_a_name_with_a_line_break_too(event, clock):
    from django.core.exceptions import ValidationError

    from fusionforum.events import services

    with pytest.raises(ValidationError) as refused:
        services.receive_contact_message(
            event, name="Eve\r\nBcc: victim@x.invalid", email="eve@x.invalid",
            organisation="", topic="visits", message="A long enough message.")
    assert "name" in refused.value.message_dict
    assert ContactMessage.objects.count() == 0


def test_a_multi_line_message_is_stored_with_lf(client, event, clock,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(event), {
            **VALID, "name": "Zoë Kāne 👩\u200d🔬", "organisation": "شرکت می\u200cخواهم",
            "message": "First line\r\nsecond line\rthird line"})
    assert response.status_code == 302
    stored = ContactMessage.objects.get()
    assert stored.message == "First line\nsecond line\nthird line"
    assert stored.name == "Zoë Kāne 👩\u200d🔬"
    assert "\r" not in mail.outbox[0].body.replace("\r\n", "\n")
    assert "Bcc" not in str(mail.outbox[0].message()["Bcc"] or "")
