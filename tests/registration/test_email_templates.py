import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.events.models import TeamMembership
from fusionforum.registration import email_templates, emails
from fusionforum.registration.models import EmailTemplate

from ..conftest import login_verified

pytestmark = pytest.mark.django_db


def list_url(event):
    return reverse("registration:email_templates", kwargs={"slug": event.slug})


def edit_url(event, key="confirmed"):
    return reverse("registration:email_template_edit", kwargs={"slug": event.slug, "key": key})


def reset_url(event, key="confirmed"):
    return reverse("registration:email_template_reset", kwargs={"slug": event.slug, "key": key})


@pytest.fixture
def desk(client, organiser):
    return login_verified(client, organiser)


def test_list_shows_every_kind_and_which_are_customised(desk, event):
    EmailTemplate.objects.create(event=event, key="waitlisted", subject="Wait", body="Wait.")
    response = desk.get(list_url(event))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in emails.KINDS.values():
        assert str(kind.label) in html
        assert edit_url(event, kind.key) in html
    assert html.count("Customised (") == 1
    assert response["Cache-Control"] == "private, no-store"


def test_edit_page_shows_default_and_its_preview(desk, event):
    response = desk.get(edit_url(event))
    assert response.status_code == 200
    html = response.content.decode()
    assert "uses the default text" in html
    assert "{{ badge_url }}" in html  # in the form and the placeholder list
    assert "Dear Alex," in html  # preview with sample values
    assert f"{event.title}: your seat is confirmed" in html


def test_unknown_kind_is_404(desk, event):
    assert desk.get(edit_url(event, "password-reset")).status_code == 404
    assert desk.post(reset_url(event, "password-reset")).status_code == 404


def test_save_valid_template(desk, event, organiser):
    response = desk.post(edit_url(event), {
        "subject": "{{ event_title }}: welcome aboard, {{ first_name }}",
        "body": "Hello {{ full_name }},\r\n\r\nBadge: {{ badge_url }}\r\n",
        "action": "save",
    })
    assert response.status_code == 302
    template = EmailTemplate.objects.get(event=event, key="confirmed")
    assert template.subject == "{{ event_title }}: welcome aboard, {{ first_name }}"
    assert template.body == "Hello {{ full_name }},\n\nBadge: {{ badge_url }}\n"
    entry = AuditEntry.objects.get(action="registration.email_template_saved")
    assert entry.actor == organiser and entry.data == {"key": "confirmed", "language": "en"}
    html = desk.get(edit_url(event)).content.decode()
    assert "uses your text" in html and "welcome aboard, Alex" in html


@pytest.mark.django_db(transaction=True)
def test_saved_template_is_what_participants_receive(desk, event, open_registration,
                                                     make_person, register):
    desk.post(edit_url(event), {"subject": "Seat for {{ first_name }}",
                                "body": "Hi {{ full_name }} of {{ organisation }}.",
                                "action": "save"})
    open_registration()
    person = make_person(full_name="Ada Plasma")
    register(person)
    message = mail.outbox[-1]
    assert message.subject == "Seat for Ada"
    assert message.body == f"Hi Ada Plasma of {person.organisation.name}."


@pytest.mark.parametrize(("field", "value", "error"), [
    ("body", "Your password is {{ password }}.", "Unknown placeholder: {{ password }}"),
    ("body", "{% load static %}Hello", "Only {{ placeholder }} is allowed"),
    ("body", "{{ first_name.__class__ }}", "Only {{ placeholder }} is allowed"),
    ("body", "{{ waitlist_position }}", "Unknown placeholder: {{ waitlist_position }}"),
    ("subject", "Hello {{ secret_key }}", "Unknown placeholder: {{ secret_key }}"),
    ("subject", "Hello\r\nBcc: victim@test.invalid", "must fit on one line"),
    ("subject", "Hello\nthere", "must fit on one line"),
    ("body", "Hidden\u202etext", "Remove the text-direction controls (U+202E"),
])
def test_invalid_templates_are_refused_with_a_field_error(desk, event, field, value, error):
    data = {"subject": "Fine subject", "body": "Fine body.", "action": "save", field: value}
    response = desk.post(edit_url(event), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert any(error in message for message in form.errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert not EmailTemplate.objects.exists()
    assert not AuditEntry.objects.filter(action="registration.email_template_saved").exists()


def test_invalid_text_leaves_an_existing_template_unchanged(desk, event):
    EmailTemplate.objects.create(event=event, key="confirmed", subject="Old", body="Old body")
    desk.post(edit_url(event), {"subject": "New", "body": "{{ password }}", "action": "save"})
    template = EmailTemplate.objects.get(event=event, key="confirmed")
    assert (template.subject, template.body) == ("Old", "Old body")


def test_preview_fills_sample_values_and_saves_nothing(desk, event):
    response = desk.post(edit_url(event), {
        "subject": "Hi {{ first_name }}   at {{ event_title }}",
        "body": "Dear {{ full_name }} of {{ organisation }}: {{ badge_url }}",
        "action": "preview",
    })
    assert response.status_code == 200
    html = response.content.decode()
    sample = emails.sample_values(event)
    assert "Preview of your changes (not saved)" in html
    assert f"Subject: Hi Alex at {event.title}" in html
    assert f"Dear Alex Example of {sample['organisation']}: {sample['badge_url']}" in html
    assert not EmailTemplate.objects.exists()


def test_preview_never_evaluates_anything(desk, event):
    # Markup is shown as text, not run; template code is refused before any preview.
    response = desk.post(edit_url(event), {
        "subject": "Hello {{ first_name }}",
        "body": "<script>alert(1)</script> <b>{{ first_name }}</b> {{{{ first_name }}}}",
        "action": "preview",
    })
    assert response.status_code == 400
    response = desk.post(edit_url(event), {
        "subject": "Hello {{ first_name }}",
        "body": "<script>alert(1)</script> <b>{{ first_name }}</b> ${7*7} %(secret)s {0}",
        "action": "preview",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Alex&lt;/b&gt;" in html
    assert "${7*7} %(secret)s {0}" in html
    for template_code in ("{% debug %}", "{{ settings.SECRET_KEY }}", "{{ request.user }}"):
        response = desk.post(edit_url(event), {"subject": "S", "body": template_code,
                                               "action": "preview"})
        assert response.status_code == 400
        assert settings.SECRET_KEY not in response.content.decode()


def test_reset_deletes_the_custom_template(desk, event, organiser):
    EmailTemplate.objects.create(event=event, key="confirmed", subject="Mine", body="Mine")
    response = desk.post(reset_url(event))
    assert response.status_code == 302
    assert not EmailTemplate.objects.filter(event=event, key="confirmed").exists()
    assert AuditEntry.objects.filter(action="registration.email_template_reset",
                                     actor=organiser).exists()
    assert emails.template_for(event, "confirmed") == (emails.KINDS["confirmed"].subject,
                                                       emails.KINDS["confirmed"].body)
    # Resetting again is harmless.
    assert desk.post(reset_url(event)).status_code == 302
    assert desk.get(reset_url(event)).status_code == 405


def test_reset_leaves_other_events_alone(desk, event, make_event):
    other = make_event(slug="other-2027", title="Other Workshop", with_days=False)
    EmailTemplate.objects.create(event=other, key="confirmed", subject="Theirs", body="Theirs")
    desk.post(reset_url(event))
    assert EmailTemplate.objects.filter(event=other).exists()


# Who may edit ---------------------------------------------------------------------------------


def test_organiser_of_another_event_gets_404(client, event, make_event, make_user):
    other = make_event(slug="other-2027", title="Other Workshop", with_days=False)
    stranger = make_user("other-organiser@test.invalid")
    TeamMembership.objects.create(event=other, user=stranger, role=TeamMembership.Role.ORGANISER)
    EmailTemplate.objects.create(event=event, key="confirmed", subject="Secret plans",
                                 body="Secret body")
    login_verified(client, stranger)
    for response in (client.get(list_url(event)), client.get(edit_url(event)),
                     client.post(edit_url(event), {"subject": "x", "body": "y",
                                                   "action": "save"}),
                     client.post(reset_url(event))):
        assert response.status_code == 404
        assert b"Secret" not in response.content
    template = EmailTemplate.objects.get(event=event)
    assert template.subject == "Secret plans"


def test_participant_gets_404(client, event, make_user):
    login_verified(client, make_user())
    assert client.get(list_url(event)).status_code == 404


def test_anonymous_is_sent_to_login(client, event):
    response = client.get(edit_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_organiser_without_second_factor_cannot_edit(client, event, organiser):
    client.force_login(organiser)
    response = client.post(edit_url(event), {"subject": "x", "body": "y", "action": "save"})
    assert response.status_code in (302, 403)
    assert not EmailTemplate.objects.exists()


def test_services_check_permission(event, make_user):
    with pytest.raises(PermissionDenied):
        email_templates.save_template(event, "confirmed", subject="s", body="b",
                                      by=make_user())
    with pytest.raises(PermissionDenied):
        email_templates.reset_template(event, "confirmed", by=make_user())


def test_service_validates_even_without_the_form(event, organiser):
    with pytest.raises(ValidationError):
        email_templates.save_template(event, "confirmed", subject="s", body="{{ password }}",
                                      by=organiser)
    assert not EmailTemplate.objects.exists()
