"""The programme in French and English: public pages in the visitor's language, exports in the
event's default language or the one asked for with ``?lang=``, import messages in the
organiser's language and release e-mails in each speaker's."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import xmlschema
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from icalendar import Calendar

from fusionforum.core import pagecache
from fusionforum.notifications.models import OutboundEmail
from fusionforum.programme import public, releases, services, snapshot
from fusionforum.programme.exports import common, own_json
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.base import FileRejected

from ..conftest import login_verified

FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches():
    # A new page-cache version rather than cache.clear(): on the CI's shared Redis a clear
    # would also wipe what a test in the other worker is holding (an import preview).
    pagecache.invalidate()
    public.clear_cache()
    yield
    pagecache.invalidate()
    public.clear_cache()


@pytest.fixture(scope="module")
def frab_xsd():
    return xmlschema.XMLSchema(str(FORMATS / "schedule.xml.xsd"))


def page(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    return response.content.decode()


def test_programme_page_speaks_the_visitors_language(client, event, release_v1):
    french = page(client, f"/{event.slug}/programme/", "fr")
    assert "Par jour" in french and "Mon agenda" in french
    assert "mercredi 26 mai 2027" in french  # dates in French, in the event's zone
    assert "Table ronde" in french and "Pause" in french and "Toutes les salles" in french
    assert "By day" not in french and "All rooms" not in french
    # What organisers wrote stays as they wrote it (no French version here).
    assert "Day 1: breakthroughs" in french
    # The cached French page is never served to an English reader, nor the other way round.
    english = page(client, f"/{event.slug}/programme/", "en")
    assert "By day" in english and "Wednesday 26 May 2027" in english
    assert "Par jour" not in english
    assert "Par jour" in page(client, f"/{event.slug}/programme/", "fr")


def test_talk_speakers_and_changes_pages_in_french(client, event, release_v1, placed_talks):
    code = placed_talks["tokamak_1"].submission.code
    talk = page(client, f"/{event.slug}/talks/{code}/", "fr")
    assert "Quand" in talk and "Salle" in talk and "Les trois questions" in talk
    assert "When</dt>" not in talk
    assert "Intervenants" in page(client, f"/{event.slug}/speakers/", "fr")
    changes = page(client, f"/{event.slug}/programme/changes/", "fr")
    assert "Changements du programme" in changes and "Première version publiée." in changes


def test_the_editor_and_its_messages_in_french(client, event, organiser, release_v1):
    login_verified(client, organiser)
    editor = page(client, f"/manage/{event.slug}/programme/", "fr")
    assert "Éditeur de programme" in editor and "Exposés à placer" in editor
    releases_page = page(client, f"/manage/{event.slug}/programme/releases/", "fr")
    assert "Versions publiées" in releases_page
    assert "Rien n’a changé depuis la version 1" in releases_page


# Exports --------------------------------------------------------------------------------------


def test_exports_use_the_default_language_and_lang_asks_for_another(client, event, release_v1,
                                                                    frab_xsd):
    base = f"/{event.slug}/programme"
    english = client.get(f"{base}/programme.ics", HTTP_ACCEPT_LANGUAGE="fr")
    assert english.status_code == 200
    assert english["Content-Language"] == "en"  # the browser's language does not matter
    french = client.get(f"{base}/programme.ics?lang=fr")
    assert french["Content-Language"] == "fr"
    assert english["ETag"] != french["ETag"]
    summary = [str(c.get("description")) for c in Calendar.from_ical(french.content).walk()
               if c.name == "VEVENT"]
    assert any("Intervenant\u00a0: " in text for text in summary)
    assert not any("Speaker: " in text for text in summary)

    for query in ("", "?lang=fr", "?lang=en"):
        xml = client.get(f"{base}/schedule.xml{query}")
        assert xml.status_code == 200
        frab_xsd.validate(xml.content)


def test_programme_json_carries_its_language(client, event, release_v1):
    response = client.get(f"/{event.slug}/programme/programme.json?lang=fr")
    assert response.status_code == 200
    document = json.loads(response.content)
    jsonschema.Draft202012Validator(own_json.schema(),
                                    format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["language"] == "fr"
    assert document["days"][0]["label"] == "Day 1: breakthroughs"
    english = json.loads(client.get(f"/{event.slug}/programme/programme.json").content)
    assert english["language"] == "en"
    assert "translations" not in json.dumps(english)


def test_an_event_in_french_exports_in_french_by_default(client, event, release_v1):
    event.default_language = "fr"
    event.save(update_fields=["default_language"])
    response = client.get(f"/{event.slug}/programme/programme.json")
    assert response.status_code == 200
    assert json.loads(response.content)["language"] == "fr"
    assert json.loads(client.get(
        f"/{event.slug}/programme/programme.json?lang=en").content)["language"] == "en"
    # An unknown language falls back to the event's default.
    assert json.loads(client.get(
        f"/{event.slug}/programme/programme.json?lang=xx").content)["language"] == "fr"


def test_localise_picks_the_organisers_translation_or_falls_back():
    snapshot = {
        "format": "fusionforum-programme/1",
        "event": {"slug": "x", "title": "Workshop", "time_zone": "Europe/Paris",
                  "start_date": "2027-05-26", "end_date": "2027-05-28",
                  "default_language": "en", "translations": {"title": {"fr": "Atelier"}}},
        "rooms": [],
        "days": [{"date": "2027-05-26", "label": "Opening day",
                  "translations": {"label": {"fr": "Journée d’ouverture"}}},
                 {"date": "2027-05-27", "label": ""}],
        "sessions": [{"id": 1, "kind": "break", "title": "Coffee", "description": "",
                      "translations": {"title": {"fr": "Café"}}},
                     {"id": 2, "kind": "talks", "title": "Magnets", "description": "HTS"}],
        "talks": [{"code": "A", "organisation": {"name": "Org", "kind": "academia",
                                                 "kind_label": "Academia", "approach": "",
                                                 "approach_label": "", "country": "FR"},
                   "answers": {"breakthroughs": {"text": "t", "scale": "lab_experiment",
                                                 "scale_label": "Laboratory experiment"},
                               "challenges": {"text": "c", "categories": ["Magnets"],
                                              "category_translations": {"fr": ["Aimants"]}}}}],
        "speakers": [],
    }
    french = common.localise(snapshot, "fr")
    assert french["event"]["title"] == "Atelier"
    assert [d["label"] for d in french["days"]] == ["Journée d’ouverture", "jeudi 27 mai"]
    assert [s["title"] for s in french["sessions"]] == ["Café", "Magnets"]  # fallback
    assert all("translations" not in s for s in french["sessions"])
    english = common.localise(snapshot, "en")
    assert english["event"]["title"] == "Workshop"
    assert [d["label"] for d in english["days"]] == ["Opening day", "Thursday 27 May"]
    assert english["talks"][0]["organisation"]["kind_label"] == "Academia"
    assert french["talks"][0]["answers"]["challenges"]["categories"] == ["Aimants"]
    assert english["talks"][0]["answers"]["challenges"]["categories"] == ["Magnets"]
    assert "category_translations" not in json.dumps(english)
    assert snapshot["sessions"][0]["title"] == "Coffee"  # the snapshot itself is untouched


def test_snapshot_keeps_the_other_languages_of_translated_fields():
    # Translated model fields (django-modeltranslation) are attributes <field>_<language>.
    session = SimpleNamespace(title="Coffee", title_en="Coffee", title_fr="Café",
                              description="", description_en="", description_fr=" ")
    assert snapshot.translations(session, ("title", "description"), "en") == {
        "title": {"fr": "Café"}}
    assert snapshot.translations(SimpleNamespace(title="Coffee"), ("title",), "en") == {}


# Imports --------------------------------------------------------------------------------------


def test_import_errors_and_warnings_in_the_organisers_language(client, event, organiser):
    with translation.override("fr"):
        with pytest.raises(FileRejected) as rejected:
            previews.read_upload(b"   \n")
        assert str(rejected.value) == "Le fichier est vide."
        parsed = previews.read_upload(b"<schedule><day index='1' date='2027-05-26'>"
                                      b"</day></schedule>")
        assert "Le fichier n’a pas d’élément <conference>." in [
            p["message"] for p in parsed["problems"]]

    login_verified(client, organiser)
    response = client.post(f"/manage/{event.slug}/programme/import/",
                           {"schedule": SimpleUploadedFile("notes.txt", b"hello")},
                           HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce fichier n’est pas dans un format importable" in html
    assert "Le fichier n’a pas pu être importé" in html


# Release e-mails ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_release_emails_speak_each_speakers_language(event, organiser, placed_talks, sessions,
                                                     clock):
    french_speaker = placed_talks["tokamak_2"].submission.speaker_links.first().user
    french_speaker.preferred_language = "fr"
    french_speaker.save(update_fields=["preferred_language"])
    with translation.override("en"):  # the organiser's language does not matter
        releases.release(event, by=organiser, comment="First")
    emails = {e.to[0]: e for e in OutboundEmail.objects.filter(purpose="programme.release")}
    french = emails[french_speaker.email]
    assert "modifie votre exposé" in french.subject
    assert "est au programme\u00a0: mercredi 26 mai 2027, 09:50-10:10" in french.body
    assert "L’équipe d’organisation de" in french.body
    others = [e for to, e in emails.items() if to != french_speaker.email]
    assert others and all("changes your talk" in e.subject for e in others)

    OutboundEmail.objects.all().delete()
    services.place_talk(event, placed_talks["tokamak_2"].submission, sessions["tokamak"],
                        start="10:20", duration_minutes=20, by=organiser)
    with translation.override("en"):
        releases.release(event, by=organiser, comment="Magnets after the break")
    body = OutboundEmail.objects.get(purpose="programme.release").body
    assert "est déplacé du mercredi 26 mai 2027, 09:50-10:10" in body
    assert "Note de l’équipe d’organisation\u00a0: Magnets after the break" in body


# Organisers' texts in two languages -----------------------------------------------------------


def test_bilingual_session_titles_reach_pages_and_exports(client, event, organiser, sessions,
                                                          placed_talks, clock):
    coffee = sessions["coffee"]
    coffee.title_en, coffee.title_fr = "Coffee break", "Pause café"
    coffee.save()
    with translation.override("fr"):  # whoever releases, the snapshot is the same
        release = releases.release(event, by=organiser, comment="First")
    coffee_entry = next(s for s in release.snapshot["sessions"] if s["id"] == coffee.pk)
    assert coffee_entry["title"] == "Coffee break"
    assert coffee_entry["translations"] == {"title": {"fr": "Pause café"}}

    assert "Pause café" in page(client, f"/{event.slug}/programme/", "fr")
    english = page(client, f"/{event.slug}/programme/", "en")
    assert "Coffee break" in english and "Pause café" not in english
    # A session with no French title falls back to the event's default language.
    assert sessions["tokamak"].title in page(client, f"/{event.slug}/programme/", "fr")

    french = json.loads(client.get(f"/{event.slug}/programme/programme.json?lang=fr").content)
    assert "Pause café" in [s["title"] for s in french["sessions"]]
    english = json.loads(client.get(f"/{event.slug}/programme/programme.json").content)
    assert "Coffee break" in [s["title"] for s in english["sessions"]]


def test_what_authors_wrote_is_marked_with_their_language(client, event, organiser,
                                                          placed_talks, clock):
    submission = placed_talks["tokamak_1"].submission
    submission.language = "fr"
    submission.save(update_fields=["language"])
    releases.release(event, by=organiser, comment="First")
    talk = page(client, f"/{event.slug}/talks/{submission.code}/", "en")
    assert f'<h1 lang="fr">{submission.title}</h1>' in talk
    assert f'id="title-{submission.code}" lang="fr"' in page(client, f"/{event.slug}/programme/",
                                                             "en")
    frab = json.loads(client.get(f"/{event.slug}/programme/schedule.json").content)
    languages = {e["title"]: e["language"] for day in frab["schedule"]["conference"]["days"]
                 for events in day["rooms"].values() for e in events}
    assert languages[submission.title] == "fr"
    assert set(languages.values()) == {"fr", "en"}
