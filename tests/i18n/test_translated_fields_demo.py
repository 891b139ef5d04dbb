"""The demo workshop has French versions of its content, and a participant who prefers
French."""

import pytest
from django.utils import translation

from fusionforum.core.translated_fields import TRANSLATED
from fusionforum.events.demo import DEMO_FRENCH_PARTICIPANT, DEMO_SLUG
from fusionforum.events.demo_fr import FRENCH, in_french
from fusionforum.events.models import Event

pytestmark = pytest.mark.django_db


def test_french_texts_are_typeset():
    for english, french in FRENCH.items():
        assert french != english or english in ("Halal", "Diagnostics"), english
        assert " :" not in french and " ?" not in french and " ;" not in french, french
        assert "'" not in french, french  # the typographic apostrophe
    assert in_french(["None", "Vegan"]) == ["Aucun", "Végétalien"]
    assert in_french(["None", "Not in the table"]) is None
    assert in_french([{"key": "vacuum", "label": "Vacuum"}]) == [{"key": "vacuum",
                                                                  "label": "Vide"}]


def test_demo_content_in_french(client, clock):
    from fusionforum.accounts.models import User
    from tests.demo_snapshot import load_full_demo

    # The demo as `load_demo` leaves it (restored: the snapshot was made by a real load).
    event = load_full_demo(clock.now().date())
    event = Event.objects.get(pk=event.pk)
    if True:
        missing = []
        for model, fields in TRANSLATED.items():
            if model is Event:
                objects = [event]
            elif model.__name__ == "EventSeries":
                objects = model.objects.filter(events=event)
            else:
                objects = model.objects.filter(event=event)
            for obj in objects:
                for name in fields:
                    english = getattr(obj, f"{name}_en")
                    if english not in (None, "", []) and not getattr(obj, f"{name}_fr"):
                        missing.append(f"{model.__name__}.{name}: {english!r:.60}")
        assert not missing, missing
        with translation.override("fr"):
            assert event.title == "Atelier de démonstration Fusion Forum"
            assert event.days.first().label.startswith("Jour 1\u00a0:")
            assert event.meeting_settings.discipline_label("vacuum") == "Vide"
        with translation.override("en"):
            assert event.title == "Fusion Forum Demo Workshop"
        assert User.objects.get(email=DEMO_FRENCH_PARTICIPANT).preferred_language == "fr"
        page = client.get(f"/{DEMO_SLUG}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        translation.activate("en")
        assert "Atelier de démonstration Fusion Forum" in page
        assert "Fusion Forum Demo Workshop" not in page
