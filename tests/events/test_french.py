"""The public event site in French: the home page, the livestream page, the contact form (its
errors too), the organisers' e-mail (in the event's default language, not the sender's), the
iCalendar and JSON feeds (the event's default language, or ``?lang=``) and the staff home.

Each test asks for one language only: the content people entered (titles, day labels) is not
translated, so it reads the same in both."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from fusionforum.events.models import TeamMembership
from tests.conftest import login_verified, paris

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}
VALID = {
    "name": "Camille Fictive",
    "email": "camille@entreprise.test.invalid",
    "organisation": "Fusion Imaginaire SAS",
    "topic": "visits",
    "message": "Les visites sont-elles ouvertes aux délégués hors Union européenne ?",
    "website": "",
}


def _text(html: str) -> str:
    """The visible text of a page, spaces collapsed (NBSP kept)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_page_in_french(client, event, clock):
    response = client.get(event.get_absolute_url(), **FR)
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    text = _text(response.content.decode())
    assert "À propos de l’atelier" in text
    assert "Trois questions auxquelles chaque entreprise répond" in text
    assert f"Comment ITER peut-il aider{NBSP}?" in text
    assert "Quelles avancées avez-vous réalisées en fusion" in text
    assert "Jour par jour" in text
    assert "Fuseau horaire" in text and "Lieu" in text
    # Dates in French, month and weekday names in lower case, no English left.
    assert "26 mai" in text and "28 mai 2027" in text
    assert "mercredi 26 mai" in text
    assert "Écrivez à l’équipe d’organisation" in text
    for english in ("About the workshop", "Day by day", "Three questions", "How can ITER help",
                    "Write to the organisers", "Open the venue on a map", "May"):
        assert english not in text, english
    # What organisers wrote is shown as written.
    assert "Test Fusion Workshop 2027" in text and "Day 3: open doors" in text
    # Coordinates keep their decimal point in every language.
    assert "(43.708000, 5.776000)" in text


def test_livestream_page_in_french(client, event, make_stream, clock):
    make_stream(event, label="Plénière")
    make_stream(event, label="Visite", visible_from=paris(2027, 5, 28, 14, 0),
                visible_until=paris(2027, 5, 28, 16, 0))
    clock.set(paris(2027, 5, 26, 10, 0))
    response = client.get(reverse("events:livestream", args=[event.slug]), **FR)
    text = _text(response.content.decode())
    assert "Retransmission en direct" in text
    assert "Toutes les heures sont données dans le fuseau Europe/Paris" in text
    assert "En direct" in text
    assert "Regarder «\u00a0Plénière\u00a0»" in text
    # The upcoming one: a French date in the event's time zone, 24-hour time, no "at".
    assert "Début le vendredi 28 mai 2027, 14:00." in text
    assert "Le lien sera publié sur cette page à ce moment-là." in text
    assert " at " not in text and "Starts" not in text and "Friday" not in text


def test_livestream_page_after_the_end_in_french(client, event, make_stream, clock):
    make_stream(event, replay_url="")
    clock.set(paris(2027, 5, 27, 10, 0))
    text = _text(client.get(reverse("events:livestream", args=[event.slug]), **FR)
                 .content.decode())
    assert "Cette diffusion est terminée. Aucune rediffusion n’est disponible." in text


def test_contact_form_in_french(client, event):
    html = client.get(reverse("events:contact", args=[event.slug]), **FR).content.decode()
    text = _text(html)
    assert "Contacter l’équipe d’organisation" in text
    assert "Votre nom" in text and "Votre adresse e-mail" in text and "Organisme" in text
    assert "Sujet" in text and "Rencontres avec les experts" in text
    assert f"5{NBSP}000 caractères au maximum." in text
    assert "Envoyer le message" in text and "(obligatoire)" in text
    assert "Your name" not in text and "Send message" not in text


@pytest.mark.parametrize(("data", "french"), [
    ({"message": "Court"}, "Écrivez au moins une phrase (10 caractères)."),
    ({"website": "http://spam.invalid"}, "Ce champ doit rester vide."),
    ({"email": ""}, "Ce champ est obligatoire."),
])
def test_contact_form_errors_in_french(client, event, data, french):
    response = client.post(reverse("events:contact", args=[event.slug]), {**VALID, **data}, **FR)
    assert response.status_code == 400
    assert french in response.content.decode()


def test_contact_rate_limit_page_in_french(client, event, settings):
    settings.CONTACT_RATE_LIMIT = 1
    url = reverse("events:contact", args=[event.slug])
    assert client.post(url, VALID, **FR).status_code == 302
    limited = client.post(url, VALID, **FR)
    assert limited.status_code == 429
    text = _text(limited.content.decode())
    assert "Trop de messages" in text and "Réessayez dans" in text
    sent = client.get(reverse("events:contact_sent", args=[event.slug]), **FR)
    assert "Merci, votre message a été envoyé" in sent.content.decode()


def test_organisers_email_is_in_the_event_default_language(
    client, make_event, clock, django_capture_on_commit_callbacks
):
    event = make_event(default_language="fr")
    # Sent from an English page: the organisers still read French.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:contact", args=[event.slug]), VALID,
                    HTTP_ACCEPT_LANGUAGE="en")
    (sent,) = mail.outbox
    # (The outbox folds every white space of a subject into a plain space, NBSP included.)
    assert sent.subject.replace(NBSP, " ") == (
        "[Test Fusion Workshop 2027] Visites du site : message de Camille Fictive")
    assert "Un message est arrivé par le formulaire de contact de Test Fusion Workshop 2027." \
        in sent.body
    assert f"Reçu le{NBSP}:" in sent.body and "20 mai 2027, 12:00 (Europe/Paris)" in sent.body
    assert VALID["message"] in sent.body


def test_organisers_email_in_english_whatever_the_senders_language(
    client, event, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:contact", args=[event.slug]), VALID, **FR)
    (sent,) = mail.outbox
    assert sent.subject == "[Test Fusion Workshop 2027] Site visits: message from Camille Fictive"
    assert "From:          Camille Fictive <camille@entreprise.test.invalid>" in sent.body
    assert "Received:      20 May 2027, 12:00 (Europe/Paris)" in sent.body


def _ics(client, event, query=""):
    url = reverse("events:event_ics", args=[event.slug]) + query
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    return response, response.content.decode().replace("\r\n ", "")


def test_calendar_follows_lang_and_else_the_event_default_language(client, event, make_stream,
                                                                   clock):
    make_stream(event, label="Plenary")
    response, body = _ics(client, event, "?lang=fr")
    assert response["Content-Language"] == "fr"
    assert f"SUMMARY:Retransmission en direct{NBSP}: Plenary" in body
    assert f"SUMMARY:Test Fusion Workshop 2027{NBSP}: Day 1: breakthroughs" in body
    assert "DESCRIPTION:À suivre sur" in body

    response, body = _ics(client, event)  # default language "en"
    assert response["Content-Language"] == "en"
    assert "SUMMARY:Livestream: Plenary" in body and "Retransmission" not in body

    event.default_language = "fr"
    event.save()
    # A French event's feed is French even for an English-speaking visitor...
    assert f"SUMMARY:Retransmission en direct{NBSP}: Plenary" in _ics(client, event)[1]
    # ...and ?lang=en asks for English; an unknown language falls back to the default.
    assert "SUMMARY:Livestream: Plenary" in _ics(client, event, "?lang=en")[1]
    assert "Retransmission en direct" in _ics(client, event, "?lang=xx")[1]


def test_event_json_follows_lang(client, event, clock):
    url = reverse("events:event_json", args=[event.slug])
    french = client.get(url + "?lang=fr").json()
    assert french["language"] == "fr"
    assert french["questions"][2]["text"] == f"Comment ITER peut-il aider{NBSP}?"
    # The event's default language (English here), whatever the visitor's.
    english = client.get(url, **FR).json()
    assert english["language"] == "en"
    assert english["questions"][2]["text"] == "How can ITER help?"


def test_staff_home_in_french(client, event, organiser):
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.REVIEWER)
    login_verified(client, organiser)
    text = _text(client.get(reverse("staff_home"), **FR).content.decode())
    assert "Votre travail" in text
    assert "du 26 mai 2027 au 28 mai 2027 · organisateur, évaluateur" in text
    assert "Bureau des inscriptions" in text and "Rapport de résultats" in text
    assert "Registration desk" not in text


def test_back_office_pages_of_events_in_french(client, event, organiser, make_stream, clock):
    from fusionforum.events import services

    make_stream(event)
    services.receive_contact_message(event, name="Camille Fictive", email="c@test.invalid",
                                     organisation="", topic="press", message="Bonjour à tous.")
    login_verified(client, organiser)
    messages = _text(client.get("/admin/events/contactmessage/", **FR).content.decode())
    assert "Marquer comme répondu" in messages and "Presse et médias" in messages
    assert "Nouveau" in messages
    streams = _text(client.get("/admin/events/streamlink/", **FR).content.decode())
    assert "État actuel" in streams and "à venir" in streams
    change = client.get(f"/admin/events/event/{event.pk}/change/", **FR)
    assert change.status_code == 200
    text = _text(change.content.decode())
    assert "Quand" in text and "Fuseau horaire" in text
    assert "Fait partie de chaque adresse publique." in text


def test_front_door_without_any_event_in_french(client, db):
    text = _text(client.get("/", **FR).content.decode())
    assert "Aucun atelier n’a encore été publié." in text


def test_english_and_french_visitors_each_get_their_page_from_the_cache(client, event, clock):
    from fusionforum.events.models import Event

    Event.objects.filter(pk=event.pk).update(title_fr="Atelier de test sur la fusion 2027")
    url = event.get_absolute_url()
    for _round in range(2):  # the second round is served from the cache
        english = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
        french = _text(client.get(url, **FR).content.decode())
        assert "About the workshop" in english and "Test Fusion Workshop 2027" in english
        assert "À propos de l’atelier" in french
        assert "Atelier de test sur la fusion 2027" in french


def test_a_french_event_speaks_french_to_a_visitor_without_a_language(client, make_event,
                                                                      clock):
    event = make_event(default_language="fr")
    text = _text(client.get(event.get_absolute_url()).content.decode())
    assert "À propos de l’atelier" in text


def test_calendar_carries_the_organisers_text_in_the_asked_language(client, event, make_stream,
                                                                    clock):
    from fusionforum.events.models import Day, Event, StreamLink

    stream = make_stream(event, label="Plenary")
    Event.objects.filter(pk=event.pk).update(title_fr="Atelier fusion 2027")
    Day.objects.filter(event=event, label_en="Day 1: breakthroughs").update(
        label_fr="Jour 1 : avancées")
    StreamLink.objects.filter(pk=stream.pk).update(label_fr="Plénière")
    body = _ics(client, event, "?lang=fr")[1]
    assert "X-WR-CALNAME:Atelier fusion 2027" in body
    assert f"SUMMARY:Atelier fusion 2027{NBSP}: Jour 1 : avancées" in body
    assert f"SUMMARY:Retransmission en direct{NBSP}: Plénière" in body
    english = _ics(client, event, "?lang=en")[1]
    assert "X-WR-CALNAME:Test Fusion Workshop 2027" in english
    assert "SUMMARY:Livestream: Plenary" in english
