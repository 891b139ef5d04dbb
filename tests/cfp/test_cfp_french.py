"""The call for presentations in French: the call page, the submission form and its errors,
the language of the answers (kept as written, marked with ``lang``), and e-mails written in the
recipient's language whatever language the organiser who triggered them used."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fusionforum.cfp import emails, review, services
from fusionforum.cfp.models import Submission
from fusionforum.notifications.models import OutboundEmail

from ..conftest import login_verified

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate("en")


def form_data(people, **overrides):
    data = {
        "title": "Synthetic talk", "abstract": "Résumé rédigé en français.",
        "breakthroughs": "Nous avons obtenu un plasma stable.",
        "breakthroughs_visibility": "public", "breakthrough_scale": "lab_experiment",
        "challenges": "Les aimants.", "challenges_visibility": "aggregate",
        "iter_help": "Des données.", "iter_help_visibility": "confidential",
        "speakers": [p.pk for p in people], "language": "fr",
        "figures-TOTAL_FORMS": "1", "figures-INITIAL_FORMS": "0",
        "figures-0-label": "", "figures-0-value": "", "figures-0-unit": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_call_page_in_french(client, call):
    html = client.get("/workshop-2027/call/", **FR).content.decode()
    assert "Appel à présentations" in html
    assert "Les trois questions" in html
    assert "Ouvert." in html
    # Dates in French, 24-hour, no English word inside the format.
    assert "24 mai 2027, 18:00" in html
    assert "Call for presentations" not in html
    # The same page without a language preference stays English.
    english = Client().get("/workshop-2027/call/").content.decode()
    assert "The three questions" in english and "24 May 2027, 18:00" in english


def test_call_page_reasons_in_french(client, call):
    html = client.get("/workshop-2027/call/", **FR).content.decode()
    assert "Connectez-vous pour proposer une présentation." in html


def test_submission_form_and_its_errors_in_french(client, call, author):
    client.force_login(author)
    page = client.get("/workshop-2027/call/new/", **FR).content.decode()
    assert "Nouvelle proposition" in page
    assert "Résumé court" in page
    assert "Qui peut lire votre réponse à la question 1" in page
    # The questions' labels follow the page's language (built lazily, not at import).
    assert "1. Quelles avancées avez-vous réalisées en fusion" in page
    assert "3. Comment ITER peut-il aider" in page
    assert "Public\u00a0: peut être affichée et citée" not in page  # the author's wording, not
    assert "Public\u00a0: peut figurer au programme" in page       # the label beside answers
    assert "Enregistrer le brouillon" in page and "Envoyer" in page
    # A person browsing in French is taken to write in French.
    assert '<option value="fr" selected>' in page

    response = client.post("/workshop-2027/call/new/",
                           form_data([author], title="", abstract="", action="submit"), **FR)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Votre proposition n’a pas été enregistrée" in html
    assert "Donnez un titre à votre présentation." in html
    assert not Submission.objects.exists()

    response = client.post("/workshop-2027/call/new/",
                           form_data([author], abstract="", action="submit"), **FR)
    assert response.status_code == 400
    assert "Rédigez un résumé court avant d’envoyer." in response.content.decode()

    response = client.post("/workshop-2027/call/new/", form_data([author], language="de"), **FR)
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_answers_keep_their_language_and_are_marked_with_it(client, call, author):
    client.force_login(author)
    response = client.post("/workshop-2027/call/new/", form_data([author]), **FR)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.language == "fr"
    # Read in English, the interface is English and the answers stay as written, marked fr.
    html = client.get(f"/workshop-2027/call/{submission.code}/edit/", **EN).content.decode()
    assert "Short abstract" in html
    assert '<h1 lang="fr">Synthetic talk</h1>' in html


def test_the_submitters_language_is_the_default(call, event, author):
    author.preferred_language = "fr"
    author.save(update_fields=["preferred_language"])
    content = services.SubmissionContent(title="T", speakers=[author])
    submission = services.create_submission(event, author, content)
    assert submission.language == "fr"


def test_language_is_validated_by_the_service(call, event, author):
    from django.core.exceptions import ValidationError

    content = services.SubmissionContent(title="T", speakers=[author], language="xx")
    with pytest.raises(ValidationError) as info:
        services.create_submission(event, author, content)
    assert "language" in info.value.message_dict


def test_decision_email_in_each_speakers_language(event, call, organiser, make_submission,
                                                  make_participant, org_a, author,
                                                  django_capture_on_commit_callbacks):
    francophone = make_participant(org_a, email="francophone@test.invalid",
                                   full_name="Françoise Fictive", preferred_language="fr")
    submission = make_submission(author=author, speakers=[author, francophone],
                                 state="submitted", title="Plasma stable")
    client = login_verified(Client(), organiser)
    url = reverse("cfp_decide:decide", kwargs={"slug": event.slug, "code": submission.code})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "accepted"}, **EN)
    assert response.status_code == 302
    # The organiser's own message is in the language of their request.
    page = client.get(response["Location"], **EN).content.decode()
    assert "accepted; the speakers are e-mailed" in page

    mails = {m.to[0]: m for m in OutboundEmail.objects.filter(purpose="cfp-accepted")}
    french, english = mails["francophone@test.invalid"], mails["author@test.invalid"]
    assert french.subject.endswith("votre présentation est acceptée")
    assert "Bonjour Françoise," in french.body
    assert "votre proposition «\u00a0Plasma stable\u00a0» (Fictional Helix Fusion) est retenue" \
        in french.body
    assert "mai 2027" in french.body or "juin 2027" in french.body  # the event's dates in French
    assert "Merci de confirmer" in french.body
    assert english.subject.endswith("your presentation is accepted")
    assert "We are glad to tell you" in english.body


def test_submitted_email_groups_recipients_by_language(event, call, make_participant, org_a,
                                                       author,
                                                       django_capture_on_commit_callbacks):
    francophone = make_participant(org_a, email="francophone@test.invalid",
                                   preferred_language="fr")
    content = services.SubmissionContent(
        title="Plasma", abstract="A.", breakthroughs="B.", breakthrough_scale="lab_experiment",
        challenges="C.", iter_help="I.", speakers=[author, francophone])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.create_submission(event, author, content, submit=True)
    mails = list(OutboundEmail.objects.filter(purpose="cfp_submitted"))
    by_address = {address: mail for mail in mails for address in mail.to}
    assert len(mails) == 2
    assert "proposition reçue" in by_address["francophone@test.invalid"].subject
    assert "Vous pouvez encore la modifier jusqu’au" in \
        by_address["francophone@test.invalid"].body
    assert "submission received" in by_address["author@test.invalid"].subject


def test_reviewer_added_email_in_the_reviewers_language(event, organiser, make_user):
    person = make_user("reviewer-fr@test.invalid", full_name="Rémi Relu",
                       preferred_language="fr")
    with translation.override("en"):
        review.add_reviewer(event, person.email, by=organiser)
    mail = OutboundEmail.objects.get(purpose="cfp-reviewer-added")
    assert "vous êtes évaluateur de l’appel" in mail.subject
    assert mail.body.startswith("Bonjour Rémi,")


def test_default_texts_of_the_editor_follow_the_page_language(event):
    with translation.override("fr"):
        subject, body = emails.template_for(event, "rejected")
        assert subject == "{{ event_title }}\u00a0: votre présentation"
        assert "{{ reviewer_comments }}" in body
        # The French default passes the same placeholder checks as the English one.
        emails.validate_template("rejected", subject, body)
    with translation.override("en"):
        assert emails.template_for(event, "rejected")[0] == "{{ event_title }}: your presentation"


def test_review_and_desk_pages_in_french(event, call, organiser, make_submission):
    submission = make_submission(state="submitted", title="Talk")
    client = login_verified(Client(), organiser)
    overview = client.get(reverse("cfp_decide:overview", kwargs={"slug": event.slug}), **FR)
    html = overview.content.decode()
    assert "Classement et décisions" in html and "Mettre sur liste d’attente" in html
    desk = client.get(f"/manage/workshop-2027/call/submissions/{submission.code}/", **FR)
    html = desk.content.decode()
    assert "Toutes les propositions" in html and "Envoyée" in html
    assert "Historique" in html


def test_organisers_write_each_decision_email_per_language(event, call, organiser,
                                                          make_submission, make_participant,
                                                          org_a, author,
                                                          django_capture_on_commit_callbacks):
    from fusionforum.cfp.models import CfpEmailTemplate

    francophone = make_participant(org_a, email="francophone@test.invalid",
                                   full_name="Françoise Fictive", preferred_language="fr")
    client = login_verified(Client(), organiser)
    url = reverse("cfp_decide:email", kwargs={"slug": event.slug, "key": "rejected"})
    page = client.get(f"{url}?language=fr", **EN).content.decode()
    assert "Français" in page and "English" in page  # one tab per language
    response = client.post(url, {"subject": "{{ event_title }} : votre proposition",
                                 "body": "Bonjour {{ first_name }}, texte des organisateurs.",
                                 "language": "fr", "action": "save"}, **EN)
    assert response.status_code == 302 and response["Location"].endswith("?language=fr")
    assert CfpEmailTemplate.objects.get().language == "fr"
    listing = client.get(reverse("cfp_decide:emails", kwargs={"slug": event.slug}), **EN)
    assert "Customised (" in listing.content.decode()

    submission = make_submission(author=author, speakers=[author, francophone],
                                 state="submitted")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        review.decide(submission, "rejected", by=organiser)
    mails = {m.to[0]: m for m in OutboundEmail.objects.filter(purpose="cfp-rejected")}
    assert mails["francophone@test.invalid"].body.startswith(
        "Bonjour Françoise, texte des organisateurs.")
    # No English version of theirs and the event's default (English) has none: the default.
    assert "Thank you for submitting" in mails["author@test.invalid"].body

    # Reset the French version: the French speaker gets the French default text again.
    client.post(reverse("cfp_decide:email_reset", kwargs={"slug": event.slug, "key": "rejected"}),
                {"language": "fr"}, **EN)
    assert not CfpEmailTemplate.objects.exists()
    with translation.override("fr"):
        assert emails.template_for(event, "rejected", "fr")[0].endswith("votre présentation")


def test_the_event_default_language_version_is_the_fallback(event, call, organiser):
    emails.save_template(event, "accepted", subject="{{ event_title }}: yes",
                         body="Custom English {{ first_name }}", by=organiser)
    assert emails.template_for(event, "accepted", "fr") == (
        "{{ event_title }}: yes", "Custom English {{ first_name }}")
