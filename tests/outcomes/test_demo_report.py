"""The demo workshop has a published outcomes report built from its synthetic answers and
meetings, valid against the schema, with page, PDF and open data; loading twice keeps it."""

import io
import json
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from fusionforum.outcomes import demo, services
from tests.demo_snapshot import load_full_demo

pytestmark = pytest.mark.django_db


def test_demo_report(clock, client):
    event = load_full_demo(clock.now().date())
    version = services.latest_published(event)
    assert version is not None and version.version == 1
    data = version.data
    schema = json.loads((Path(services.__file__).parent / "report.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert len(data["themes"]) >= 3 and data["priorities"] and data["narrative_html"]
    assert data["meetings"]["published"] and data["meetings"]["held"] > 0
    assert data["survey"]["responses"] > 0
    # The organisers' names, never the grouping's word lists; no method output on the page.
    from fusionforum.cfp.models import Category
    from fusionforum.outcomes.models import Theme

    categories = set(Category.objects.filter(event=event).values_list("name", flat=True))
    for theme in data["themes"]:
        assert theme["label"].split(", with ")[0] in categories, theme["label"]
    assert all(t.named_by_organiser for t in Theme.objects.filter(event=event))
    page = client.get(f"/{event.slug}/outcomes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "How this report was made" in text
    assert "silhouette" not in text and "tfidf" not in text
    pdf = client.get(f"/{event.slug}/outcomes/report.pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "synthetic" in text.lower()
    # The demo's report is published in French too (title, narrative and theme names).
    assert data["languages"] == ["en", "fr"]
    french = client.get(f"/{event.slug}/outcomes/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rapport de résultats (démonstration, données fictives)" in french
    assert "Ce que nous avons entendu" in french and "report.pdf?lang=fr" in french
    from django.utils import translation

    translation.deactivate()
    assert "kept" in demo.load(event)
    assert services.latest_published(event).version == 1
