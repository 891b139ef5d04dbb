"""Site visits in French: the participants' booking page reads in French when the browser asks
for it, and the seat e-mail goes out in the participant's own language."""

import pytest
from django.utils import translation

from fusionforum.notifications.models import OutboundEmail
from fusionforum.visits import services

pytestmark = pytest.mark.django_db

NB = "\u00a0"


@pytest.fixture(autouse=True)
def back_to_english():
    """A French request leaves French active in this thread (LocaleMiddleware never resets it):
    the tests after these ones expect the default language."""
    yield
    translation.activate("en")


def test_booking_page_in_french_while_sign_up_is_open(client, event, tours, make_participant,
                                                     clock):
    ada = make_participant("Ada")
    client.force_login(ada)
    page = client.get(f"/{event.slug}/visits/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Visites du site" in page
    assert "Mon classement" in page and "Enregistrer mon classement" in page
    assert "Départs de Main tour" in page  # the tour's name is the organisers' own text
    assert "Chaussures fermées</dt><dd>obligatoires" in page
    assert "mai" in page  # dates are written in French
    for english in ("My ranking", "Save my ranking", "Minimum age", "Runs of Main tour"):
        assert english not in page


def test_booking_page_in_french_after_the_allocation(client, event, tours, make_participant,
                                                    allocated, clearances):
    ada = make_participant("Ada")
    client.force_login(ada)
    page = client.get(f"/{event.slug}/visits/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Prendre une place" in page
    assert "libres sur" in page
    response = client.post(f"/{event.slug}/visits/runs/{tours['main_am'].pk}/take/",
                           HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    page = response.content.decode()
    assert "Vous avez une place sur Main tour" in page
    assert "Mes visites" in page and "Place réservée" in page


def test_seat_email_in_the_participants_language(event, tours, make_participant, allocated,
                                                 clearances):
    ada, bo = make_participant("Ada"), make_participant("Bo")
    ada.preferred_language = "fr"
    ada.save(update_fields=["preferred_language"])
    services.take_seat(tours["main_am"], ada, by=ada)
    services.take_seat(tours["main_am"], bo, by=bo)
    french = OutboundEmail.objects.get(to=[ada.email], purpose="visits.seat")
    assert "Vous avez une place – Main tour" in french.subject
    assert french.body.startswith("Bonjour,")
    assert "rendez-vous" in french.body and "vendredi 28 mai" in french.body
    english = OutboundEmail.objects.get(to=[bo.email], purpose="visits.seat")
    assert "You have a seat – Main tour" in english.subject
    assert english.body.startswith("Hello,") and "Friday 28 May" in english.body
