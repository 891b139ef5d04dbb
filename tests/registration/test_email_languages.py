"""The registration e-mails in the participant's language: one organisers' version per e-mail
and language, the event's default language as fallback, the translated default text last; the
editor's language tabs and warnings; and the participants' pages, desk and badge in French."""

import io
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from fusionforum.core.models import AuditEntry
from fusionforum.notifications import placeholders
from fusionforum.notifications.models import OutboundEmail
from fusionforum.registration import badges, email_templates, emails
from fusionforum.registration.models import EmailTemplate

from ..conftest import login_verified

pytestmark = pytest.mark.django_db


def edit_url(event, key="confirmed", language=None):
    url = reverse("registration:email_template_edit", kwargs={"slug": event.slug, "key": key})
    return f"{url}?language={language}" if language else url


def reset_url(event, key="confirmed"):
    return reverse("registration:email_template_reset", kwargs={"slug": event.slug, "key": key})


@pytest.fixture
def desk(client, organiser):
    return login_verified(client, organiser)


@pytest.fixture
def people(make_person):
    """A French reader, an English reader and someone who chose no language."""
    return {
        "fr": make_person(full_name="Camille Plasma", preferred_language="fr"),
        "en": make_person(full_name="Ada Tokamak", preferred_language="en"),
        "unset": make_person(full_name="Sam Stellarator", preferred_language=""),
    }


def _received(person):
    """The last e-mail queued for ``person`` (the outbox holds the rendered text)."""
    return OutboundEmail.objects.filter(to=[person.email]).order_by("pk").last()


# Which version each recipient gets ----------------------------------------------------------


def test_untouched_email_goes_out_in_each_recipients_language(event, open_registration,
                                                              people, register):
    open_registration(capacity=10, delegates_per_organisation=None)
    with translation.override("en"):  # whoever triggers it, in whatever language
        for person in people.values():
            register(person)
    french = _received(people["fr"])
    assert french.subject == f"{event.title}\u00a0: votre place est confirmée"
    assert french.body.startswith("Bonjour Camille,")
    assert "est confirmée" in french.body and "mai 2027" in french.body  # dates in French too
    assert "Your seat" not in french.body
    english = _received(people["en"])
    assert english.subject == f"{event.title}: your seat is confirmed"
    assert english.body.startswith("Dear Ada,") and "May 2027" in english.body
    # No preference: the event's default language (English here).
    assert _received(people["unset"]).subject == f"{event.title}: your seat is confirmed"


def test_a_french_request_does_not_make_english_emails_french(event, open_registration,
                                                              people, register):
    open_registration(capacity=10, delegates_per_organisation=None)
    with translation.override("fr"):
        register(people["en"])
    assert _received(people["en"]).subject == f"{event.title}: your seat is confirmed"


def test_organisers_version_in_the_recipients_language_wins(event, open_registration, people,
                                                            register):
    EmailTemplate.objects.create(event=event, key="confirmed", language="en",
                                 subject="EN {{ first_name }}", body="English body.")
    EmailTemplate.objects.create(event=event, key="confirmed", language="fr",
                                 subject="FR {{ first_name }}", body="Texte français.")
    open_registration(capacity=10, delegates_per_organisation=None)
    for person in people.values():
        register(person)
    assert (_received(people["fr"]).subject, _received(people["fr"]).body) == (
        "FR Camille", "Texte français.")
    assert _received(people["en"]).subject == "EN Ada"
    assert _received(people["unset"]).subject == "EN Sam"


def test_without_their_language_version_readers_get_the_event_language_version(
        event, open_registration, people, register):
    EmailTemplate.objects.create(event=event, key="confirmed", language="en",
                                 subject="Custom {{ first_name }}", body="Custom English.")
    open_registration(capacity=10, delegates_per_organisation=None)
    register(people["fr"])
    assert _received(people["fr"]).subject == "Custom Camille"


def test_a_version_only_in_another_language_is_not_used(event, open_registration, people,
                                                        register):
    # French only, the event's language is English: English readers get the default text.
    EmailTemplate.objects.create(event=event, key="confirmed", language="fr",
                                 subject="FR {{ first_name }}", body="Texte français.")
    open_registration(capacity=10, delegates_per_organisation=None)
    register(people["en"])
    assert _received(people["en"]).subject == f"{event.title}: your seat is confirmed"


def test_event_in_french_falls_back_to_its_french_version(event, open_registration, people,
                                                         register):
    event.default_language = "fr"
    event.save(update_fields=["default_language"])
    EmailTemplate.objects.create(event=event, key="confirmed", language="fr",
                                 subject="FR {{ first_name }}", body="Texte français.")
    open_registration(capacity=10, delegates_per_organisation=None)
    register(people["en"])
    register(people["unset"])
    assert _received(people["en"]).subject == "FR Ada"
    assert _received(people["unset"]).subject == "FR Sam"


def test_texts_for_chooses_per_language_in_one_query(event, django_assert_num_queries):
    EmailTemplate.objects.create(event=event, key="pending", language="fr", subject="P fr",
                                 body="p")
    EmailTemplate.objects.create(event=event, key="waitlisted", language="en", subject="W en",
                                 body="w")
    with django_assert_num_queries(1):
        texts = emails.templates_for(event, ["pending", "waitlisted", "confirmed"], "fr")
    assert texts["pending"] == ("P fr", "p")
    assert texts["waitlisted"] == ("W en", "w")  # the event's language version
    assert texts["confirmed"][0] == "{{ event_title }}\u00a0: votre place est confirmée"
    english = emails.templates_for(event, ["pending", "confirmed"], "en")
    assert english["pending"][0] == "{{ event_title }}: we received your registration"


def test_every_default_text_is_translated_and_keeps_its_placeholders():
    for kind in emails.KINDS.values():
        english = placeholders.default_text(kind, "en")
        french = placeholders.default_text(kind, "fr")
        assert french != english, kind.key
        for en_text, fr_text in zip(english, french, strict=True):
            assert sorted(placeholders.PLACEHOLDER.findall(fr_text)) == sorted(
                placeholders.PLACEHOLDER.findall(en_text)), kind.key
        emails.validate_template(kind.key, *french)


# Storing per language ------------------------------------------------------------------------


def test_one_version_per_language_saved_and_reset_separately(event, organiser):
    email_templates.save_template(event, "confirmed", subject="S en", body="B en", by=organiser)
    email_templates.save_template(event, "confirmed", subject="S fr", body="B fr", by=organiser,
                                  language="fr")
    email_templates.save_template(event, "confirmed", subject="S fr 2", body="B fr 2",
                                  by=organiser, language="fr")
    assert sorted(EmailTemplate.objects.values_list("language", "subject")) == [
        ("en", "S en"), ("fr", "S fr 2")]
    assert email_templates.reset_template(event, "confirmed", by=organiser, language="fr")
    assert list(EmailTemplate.objects.values_list("language", flat=True)) == ["en"]
    assert [e.data for e in AuditEntry.objects.order_by("pk")][-1] == {
        "key": "confirmed", "language": "fr"}
    # An unknown language is the event's.
    email_templates.save_template(event, "pending", subject="S", body="B", by=organiser,
                                  language="xx")
    assert EmailTemplate.objects.get(key="pending").language == "en"


def test_validation_refuses_bad_placeholders_in_every_language(desk, event):
    for language in ("en", "fr"):
        response = desk.post(edit_url(event, language=language), {
            "subject": "Bonjour", "body": "Votre mot de passe : {{ password }}",
            "language": language, "action": "save"})
        assert response.status_code == 400
        assert "Unknown placeholder: {{ password }}" in response.content.decode()
    assert not EmailTemplate.objects.exists()
    response = desk.post(edit_url(event, language="fr"), {
        "subject": "Bonjour {{ secret }}", "body": "{% debug %}", "language": "fr",
        "action": "save"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Champ inconnu\u00a0: {{ secret }}" in html
    assert "Seule la forme {{ placeholder }} est autorisée" in html
    assert "Rien n’a été enregistré" in html
    assert not EmailTemplate.objects.exists()


def test_legacy_row_without_language_is_in_the_events_language(event):
    template = EmailTemplate.objects.create(event=event, key="confirmed", subject="S", body="B")
    assert template.language == "en"


def test_migration_puts_existing_versions_in_the_events_default_language(event, make_event):
    import importlib

    migration = importlib.import_module(
        "fusionforum.registration.migrations.0003_emailtemplate_language")
    french_event = make_event(slug="french-2027", title="Atelier", with_days=False,
                              default_language="fr")
    EmailTemplate.objects.create(event=event, key="confirmed", subject="S", body="B")
    EmailTemplate.objects.create(event=french_event, key="confirmed", subject="S", body="B")
    EmailTemplate.objects.update(language="")
    migration.existing_in_default_language(django_apps, None)
    assert dict(EmailTemplate.objects.values_list("event__slug", "language")) == {
        event.slug: "en", "french-2027": "fr"}


# The editor ----------------------------------------------------------------------------------


def test_editor_shows_a_tab_per_language_with_its_text(desk, event):
    html = desk.get(edit_url(event)).content.decode()
    assert f'href="{edit_url(event, language="en")}" hreflang="en" aria-current="page"' in html
    assert f'href="{edit_url(event, language="fr")}" hreflang="fr"' in html
    assert "You are editing the English version." in html
    assert "{{ event_title }}: your seat is confirmed" in html
    html = desk.get(edit_url(event, language="fr")).content.decode()
    assert "You are editing the French version." in html
    assert "{{ event_title }}\u00a0: votre place est confirmée" in html  # the French default
    assert "Bonjour Alex," in html  # the preview in French
    assert 'lang="fr"' in html
    assert 'name="language" value="fr"' in html


def test_saving_a_tab_stores_that_language(desk, event):
    response = desk.post(edit_url(event, language="fr"), {
        "subject": "Votre place, {{ first_name }}", "body": "Bonjour {{ full_name }}.",
        "language": "fr", "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == edit_url(event, language="fr")
    template = EmailTemplate.objects.get(event=event, key="confirmed")
    assert (template.language, template.subject) == ("fr", "Votre place, {{ first_name }}")
    assert "Votre place, Alex" in desk.get(edit_url(event, language="fr")).content.decode()
    # The English tab still shows the default.
    html = desk.get(edit_url(event, language="en")).content.decode()
    assert "This e-mail uses the default text." in html


def test_editor_warns_where_one_language_was_edited_and_not_the_other(desk, event):
    assert "still uses the default text" not in desk.get(edit_url(event)).content.decode()
    EmailTemplate.objects.create(event=event, key="confirmed", language="en", subject="S",
                                 body="B")
    html = unescape(desk.get(edit_url(event, language="en")).content.decode())
    assert ("The French version still uses the default text: its readers receive your English "
            "version (the event's language) until you write one.") in html
    EmailTemplate.objects.all().delete()
    EmailTemplate.objects.create(event=event, key="confirmed", language="fr", subject="S",
                                 body="B")
    html = desk.get(edit_url(event, language="fr")).content.decode()
    assert ("The English version still uses the default text, while you edited the French "
            "version: its readers receive the default text.") in html
    EmailTemplate.objects.create(event=event, key="confirmed", language="en", subject="S",
                                 body="B")
    assert "still uses the default text" not in desk.get(edit_url(event)).content.decode()
    # The warning in French for a French-speaking organiser.
    EmailTemplate.objects.filter(language="fr").delete()
    html = desk.get(edit_url(event), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Version «\u00a0Français\u00a0»\u00a0: texte par défaut." in html


def test_reset_only_resets_the_tab_language(desk, event):
    EmailTemplate.objects.create(event=event, key="confirmed", language="en", subject="S",
                                 body="B")
    EmailTemplate.objects.create(event=event, key="confirmed", language="fr", subject="S",
                                 body="B")
    html = desk.get(edit_url(event, language="fr")).content.decode()
    assert "Reset the French version to the default text" in html
    response = desk.post(reset_url(event), {"language": "fr"})
    assert response["Location"] == edit_url(event, language="fr")
    assert list(EmailTemplate.objects.values_list("language", flat=True)) == ["en"]


def test_list_shows_each_language_version(desk, event):
    EmailTemplate.objects.create(event=event, key="confirmed", language="fr", subject="S",
                                 body="B")
    html = desk.get(reverse("registration:email_templates",
                            kwargs={"slug": event.slug})).content.decode()
    assert '<th scope="col">English</th><th scope="col">French</th>' in html
    assert html.count("Customised (") == 1
    assert f'{edit_url(event, "confirmed")}?language=fr' in html


# Pages, desk and badge in French -------------------------------------------------------------


def test_participant_pages_in_french(client, event, open_registration, make_person, register):
    open_registration(capacity=10, delegates_per_organisation=None)
    person = make_person(full_name="Camille Plasma", preferred_language="fr")
    client.force_login(person)
    url = reverse("registration:mine", kwargs={"slug": event.slug})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"S’inscrire à {event.title}" in html
    assert "Afficher mon nom et mon organisme sur la liste publique" in html
    assert "Register for" not in html
    register(person)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre inscription" in html and "Confirmée" in html
    assert "Télécharger votre badge (PDF)" in html
    assert "Your seat is confirmed" not in html


def test_desk_and_check_in_in_french(client, event, organiser, open_registration, make_person,
                                     register):
    open_registration(capacity=10, delegates_per_organisation=None)
    register(make_person(full_name="Ada Tokamak"))
    login_verified(client, organiser)
    html = client.get(reverse("registration:desk_registrations", kwargs={"slug": event.slug}),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Places et inscriptions" in html and "Trouver des inscriptions" in html
    assert "Inscriptions\u00a0: 1 trouvées" in html
    assert "Seats and registrations" not in html
    html = client.get(reverse("registration:checkin", kwargs={"slug": event.slug}),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pas de badge\u202f? Cherchez la personne" in html
    assert "Enregistrer l’arrivée" in html


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_badge_fixed_texts_in_the_holders_language(event, open_registration, make_person,
                                                  register):
    open_registration(capacity=10, delegates_per_organisation=None)
    french = register(make_person(full_name="Camille Plasma", preferred_language="fr"))
    english = register(make_person(full_name="Ada Tokamak", preferred_language="en"))
    with translation.override("en"):  # an English-speaking organiser prints both
        french_page, english_page = _pdf_pages(
            badges.render_badges([french, english], title="Badges"))
    assert "Camille Plasma" in french_page and "Ada Tokamak" in english_page
    assert "Présentez ce code à l’accueil" in french_page and "mai 2027" in french_page
    assert "Show this code at the front desk" in english_page and "May 2027" in english_page
    assert "PARTICIPANT" in french_page and "PARTICIPANT" in english_page
