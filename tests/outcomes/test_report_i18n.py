"""The outcomes report in French and English: the page and the PDF in the reader's language,
a PDF per published language, the organisers' texts per language with the event's default
language as fallback, and open data carrying both languages."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from fusionforum.outcomes import report, services
from fusionforum.outcomes.models import ReportVersion

from .conftest import name_themes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A French request leaves French active in this thread: later tests expect English."""
    from django.utils import translation

    yield
    translation.deactivate()

NBSP = "\u00a0"


def _publish(event, organiser):
    services.build_themes(event, by=organiser)
    name_themes(event, organiser)
    services.save_narrative(event, by=organiser, narrative="We heard **magnets** and tritium.",
                            title="Outcomes", licence="CC-BY-4.0", attribution="")
    return services.publish(event, by=organiser)


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def _bilingual(version):
    """What publishing records once the organisers gave French texts (as the translated
    fields give them): French names for the first theme and the narrative."""
    data = version.data
    first = data["themes"][0]
    data["translations"]["fr"].update({
        "title": "Résultats",
        "narrative_markdown": "Nous avons entendu parler d’aimants.",
        "narrative_html": "<p>Nous avons entendu parler d’aimants.</p>",
        "themes": {first["id"]: "Aimants supraconducteurs"},
    })
    data["languages"] = ["en", "fr"]
    ReportVersion.every.filter(pk=version.pk).update(data=data)
    return first


def test_page_and_pdf_in_the_readers_language(outcomes_event, organiser, client):
    _publish(outcomes_event, organiser)
    base = f"/{outcomes_event.slug}/outcomes/"
    page = client.get(base, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert "Accept-Language" in page["Vary"]
    html = page.content.decode()
    for french in ("Sur quoi repose ce rapport", "Comment ce rapport a été établi",
                   "La demande en chiffres", f"Par approche{NBSP}:",
                   "Demande par thème", "Données ouvertes"):
        assert french in html, french
    for english in ("What this report is built from", "How this report was made",
                    "Demand in figures", "By approach:", "Open data"):
        assert english not in html, english
    # The organisers' texts have no French version: the event's default language, not empty.
    assert "Outcomes" in html and "magnets" in html

    french = _pdf_text(client.get(base + "report.pdf?lang=fr"))
    assert "Comment ce rapport a été établi" in french
    assert "Sur quoi repose ce rapport" in french
    assert "How this report was made" not in french
    # Without ?lang= the PDF is in the reader's language; with ?lang=en in English.
    assert "Comment ce rapport a été établi" in _pdf_text(
        client.get(base + "report.pdf", HTTP_ACCEPT_LANGUAGE="fr"))
    english_response = client.get(base + "report.pdf?lang=en", HTTP_ACCEPT_LANGUAGE="fr")
    assert english_response["Content-Language"] == "en"
    english = _pdf_text(english_response)
    assert "How this report was made" in english and "Comment ce rapport" not in english
    catalogue = PdfReader(io.BytesIO(client.get(base + "report.pdf?lang=fr").content)).trailer[
        "/Root"]
    assert catalogue.get("/Lang") == "fr"  # the document language (PDF/UA)


def test_a_pdf_link_per_published_language_and_content_per_reader(outcomes_event, organiser,
                                                                   client):
    version = _publish(outcomes_event, organiser)
    base = f"/{outcomes_event.slug}/outcomes/"
    # Only English texts given: one PDF, in English.
    html = client.get(base).content.decode()
    assert "report.pdf?lang=en" in html and "report.pdf?lang=fr" not in html

    first = _bilingual(version)
    fr = client.get(base, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "report.pdf?lang=en" in fr and "report.pdf?lang=fr" in fr
    assert "Aimants supraconducteurs" in fr and "Nous avons entendu parler d’aimants." in fr
    assert "<h1>Résultats</h1>" in fr
    # A theme without a French name keeps its name in the event's default language.
    second = version.data["themes"][1]
    assert second["label"] in fr
    en = client.get(base, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Aimants supraconducteurs" not in en and first["label"] in en
    pdf = _pdf_text(client.get(base + "report.pdf?lang=fr"))
    assert "Aimants supraconducteurs" in pdf and "Résultats" in pdf

    rows = list(csv.DictReader(io.StringIO(client.get(base + "themes.csv").content.decode())))
    assert rows[0]["label"] == first["label"] == rows[0]["label_en"]
    assert rows[0]["label_fr"] == "Aimants supraconducteurs"
    assert rows[1]["label_fr"] == ""  # not given in French: empty, never a copy
    data = client.get(base + "report.json").json()
    assert data["languages"] == ["en", "fr"]
    assert data["translations"]["fr"]["themes"][first["id"]] == "Aimants supraconducteurs"
    assert data["translations"]["fr"]["labels"]["question"]["iter_help"] == (
        "Comment ITER peut aider")


def test_published_data_records_languages_and_labels(outcomes_event, organiser):
    version = _publish(outcomes_event, organiser)
    data = version.data
    assert data["languages"] == ["en"]
    # The fixed labels are stored as their English source texts, and in each language.
    assert data["labels"]["question"]["challenges"] == "Challenges that remain"
    assert data["translations"]["fr"]["labels"]["question"]["challenges"] == "Défis restants"
    assert data["translations"]["fr"]["licence_name"].startswith("Creative Commons")
    assert data["translations"]["en"]["narrative_markdown"].startswith("We heard")
    assert "narrative_markdown" not in data["translations"]["fr"]
    localised = report.localise(data, "fr")
    assert localised["narrative_markdown"] == data["narrative_markdown"]  # fallback
    assert localised["labels"]["question"]["iter_help"] == "Comment ITER peut aider"


def test_versions_published_before_languages_still_read_in_french(outcomes_event, organiser,
                                                                   client):
    version = _publish(outcomes_event, organiser)
    data = dict(version.data)
    data.pop("translations")
    data.pop("languages")
    ReportVersion.every.filter(pk=version.pk).update(data=data)
    base = f"/{outcomes_event.slug}/outcomes/"
    html = client.get(base, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Comment ce rapport a été établi" in html
    assert "Défis restants" in html or "Comment ITER peut aider" in html
    assert "report.pdf?lang=en" in html
    rows = list(csv.DictReader(io.StringIO(client.get(base + "themes.csv").content.decode())))
    assert rows[0]["label_en"] == rows[0]["label"]


def test_renaming_a_theme_in_each_language(outcomes_event, organiser, organiser_client):
    """The editor names a theme in the event's default language and, where themes have
    translated names, in the others; the first naming never keeps an automatic name in
    another language."""
    from fusionforum.outcomes.models import Theme

    services.build_themes(outcomes_event, by=organiser)
    theme = Theme.objects.filter(event=outcomes_event).first()
    translated = hasattr(theme, "label_fr")
    if translated:  # an automatic name written while the editor worked in French
        Theme.objects.filter(pk=theme.pk).update(label_fr="magnets quench")
    base = f"/manage/{outcomes_event.slug}/outcomes/"
    editor = organiser_client.get(base, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ('name="label_fr"' in editor) == translated
    response = organiser_client.post(f"{base}themes/{theme.pk}/rename/",
                                     {"label": "Magnet testing"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    theme.refresh_from_db()
    assert report.in_language(theme, "label", "en") == "Magnet testing"
    assert theme.named_by_organiser
    if not translated:
        return
    assert theme.label_fr == ""  # the automatic French name is gone
    organiser_client.post(f"{base}themes/{theme.pk}/rename/",
                          {"label": "Magnet testing", "label_fr": "Essais d’aimants"})
    theme.refresh_from_db()
    assert (theme.label_en, theme.label_fr) == ("Magnet testing", "Essais d’aimants")


def test_french_texts_given_by_the_organisers_publish_the_report_in_french(
        outcomes_event, organiser, client):
    """Through the translated fields: the French title, narrative and theme names make the
    version published in French too; each reader gets their language."""
    from fusionforum.outcomes.models import Theme

    services.build_themes(outcomes_event, by=organiser)
    themes = list(Theme.objects.filter(event=outcomes_event).order_by("position", "id"))
    for index, theme in enumerate(themes, start=1):
        services.rename_theme(outcomes_event, theme.pk, f"Subject {index}", by=organiser,
                              translations={"fr": f"Sujet {index}"})
    services.save_narrative(outcomes_event, by=organiser, title_en="Outcomes",
                            title_fr="Résultats", narrative_en="We heard **magnets**.",
                            narrative_fr="Nous avons entendu parler d’**aimants**.",
                            licence="CC-BY-4.0", attribution="")
    version = services.publish(outcomes_event, by=organiser)
    assert version.data["languages"] == ["en", "fr"]
    assert version.data["title"] == "Outcomes"
    assert version.data["translations"]["fr"]["title"] == "Résultats"
    base = f"/{outcomes_event.slug}/outcomes/"
    fr = client.get(base, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Résultats</h1>" in fr and "Sujet 1" in fr and "<strong>aimants</strong>" in fr
    assert "report.pdf?lang=fr" in fr and "report.pdf?lang=en" in fr
    en = client.get(base, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Outcomes</h1>" in en and "Subject 1" in en and "Sujet 1" not in en
    pdf = _pdf_text(client.get(base + "report.pdf?lang=fr"))
    assert "Résultats" in pdf and "Sujet 1" in pdf
    rows = list(csv.DictReader(io.StringIO(client.get(base + "themes.csv").content.decode())))
    assert {(r["label_en"], r["label_fr"]) for r in rows} >= {("Subject 1", "Sujet 1")}


def test_event_in_french_by_default(outcomes_event, organiser, client):
    """An event whose default language is French: the top level is French, an English
    reader without English texts reads the French ones (never an empty string)."""
    from fusionforum.outcomes.models import Theme

    outcomes_event.default_language = "fr"
    outcomes_event.save(update_fields=["default_language"])
    services.build_themes(outcomes_event, by=organiser)
    for index, theme in enumerate(Theme.objects.filter(event=outcomes_event), start=1):
        services.rename_theme(outcomes_event, theme.pk, f"Sujet {index}", by=organiser)
    services.save_narrative(outcomes_event, by=organiser, title_fr="Résultats",
                            narrative_fr="Synthèse en français.", licence="CC-BY-4.0",
                            attribution="")
    version = services.publish(outcomes_event, by=organiser)
    assert version.data["languages"] == ["fr"]
    assert version.data["title"] == "Résultats" and version.data["themes"][0]["label"] == (
        "Sujet 1")
    en = client.get(f"/{outcomes_event.slug}/outcomes/", HTTP_ACCEPT_LANGUAGE="en")
    html = en.content.decode()
    assert "How this report was made" in html  # the interface in the reader's language
    assert "Sujet 1" in html and "Synthèse en français." in html  # the event's language
    assert "report.pdf?lang=fr" in html and "report.pdf?lang=en" not in html
