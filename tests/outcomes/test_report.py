"""The outcomes report: visibility in every output, editorial operations, frozen versions,
open data, authorization."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from fusionforum.outcomes import services
from fusionforum.outcomes.models import Priority, ReportVersion, Theme, ThemeSource

from .conftest import AGGREGATE_PHRASE, CONFIDENTIAL_PHRASE, name_themes

SCHEMA = json.loads((Path(services.__file__).parent / "report.schema.json").read_text())

pytestmark = pytest.mark.django_db


def _publish(event, organiser, **kwargs):
    services.build_themes(event, by=organiser, **kwargs)
    name_themes(event, organiser)
    services.save_narrative(event, by=organiser, narrative="We heard **magnets** and tritium.",
                            title="Outcomes", licence="CC-BY-4.0", attribution="")
    return services.publish(event, by=organiser)


def _outputs(client, event) -> dict[str, str]:
    base = f"/{event.slug}/outcomes/"
    page = client.get(base)
    assert page.status_code == 200
    pdf = client.get(base + "report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    data = client.get(base + "report.json")
    table = client.get(base + "themes.csv")
    return {"page": page.content.decode(), "pdf": text, "json": data.content.decode(),
            "csv": table.content.decode()}


def test_confidential_never_public_and_aggregate_counted_not_quoted(outcomes_event, organiser,
                                                                     client):
    version = _publish(outcomes_event, organiser)
    outputs = _outputs(client, outcomes_event)
    for name, text in outputs.items():
        for word in CONFIDENTIAL_PHRASE.split() + AGGREGATE_PHRASE.split() + ["Draftonly"]:
            assert word.lower() not in text.lower(), f"{word} leaked into the {name}"
        assert "Synthetic Mirror Zeta" not in text, name  # confidential: not even named
    data = version.data
    # Seven organisations count (Zeta's answers are confidential, the draft does not count).
    assert data["inputs"]["organisations"] == 7
    assert data["inputs"]["answers_counted"] == 14
    assert data["inputs"]["answers_quotable"] == 12
    assert sum(t["by_approach"].get("frc", 0) for t in data["themes"]) >= 1  # Eta counted
    quoted = {q["organisation"] for t in data["themes"] for q in t["quotes"]}
    assert "Synthetic FRC Eta" not in quoted and "Synthetic Mirror Zeta" not in quoted
    assert quoted  # public answers are quoted
    jsonschema.validate(data, SCHEMA)
    # The organisers still see the confidential answer, marked, in the editor.
    from tests.conftest import login_verified

    editor = login_verified(client, organiser).get(f"/manage/{outcomes_event.slug}/outcomes/")
    assert CONFIDENTIAL_PHRASE in editor.content.decode()
    assert "confidential: not in the report" in editor.content.decode()


def test_answer_made_confidential_after_build_leaves_the_report(outcomes_event, organiser):
    from fusionforum.cfp.models import Submission

    services.build_themes(outcomes_event, by=organiser)
    submission = Submission.objects.get(organisation__name="Synthetic Tokamak Alpha",
                                        state="submitted")
    submission.challenges_visibility = submission.iter_help_visibility = "confidential"
    submission.save()
    name_themes(outcomes_event, organiser)
    data = services.publish(outcomes_event, by=organiser).data
    assert "Synthetic Tokamak Alpha" not in json.dumps(data)
    assert data["inputs"]["organisations"] == 6


def test_xss_in_answers_and_narrative_is_inert(outcomes_event, organiser, client):
    services.build_themes(outcomes_event, by=organiser)
    services.save_narrative(outcomes_event, by=organiser,
                            narrative='Hi <script>alert(1)</script> [x](javascript:alert(2))')
    name_themes(outcomes_event, organiser)
    services.publish(outcomes_event, by=organiser)
    page = client.get(f"/{outcomes_event.slug}/outcomes/").content.decode()
    import re

    assert not re.search(r"<script>\s*alert", page), re.findall(r".{80}<script>alert.{40}", page)
    assert 'href="javascript' not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(&quot;xss&quot;)" in page  # quoted, escaped


def test_csv_is_formula_safe(outcomes_event, organiser, client):
    services.build_themes(outcomes_event, by=organiser)
    theme = Theme.objects.filter(event=outcomes_event).first()
    services.rename_theme(outcomes_event, theme.pk, '=HYPERLINK("http://evil.invalid")',
                          by=organiser)
    name_themes(outcomes_event, organiser)
    services.publish(outcomes_event, by=organiser)
    response = client.get(f"/{outcomes_event.slug}/outcomes/themes.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    labels = [r["label"] for r in rows]
    assert "'=HYPERLINK(\"http://evil.invalid\")" in labels
    assert all(not r["label"].startswith("=") for r in rows)
    assert rows[0]["licence"] == "CC-BY-4.0"
    assert 'rel="license"' in response["Link"]


def test_editorial_operations(outcomes_event, organiser):
    report = services.build_themes(outcomes_event, by=organiser, k=2)
    assert report.method["k"] == 2
    themes = list(Theme.objects.filter(event=outcomes_event))
    assert len(themes) == 2
    # Every counted answer is in a theme, and so is the confidential one (for organisers).
    assert ThemeSource.objects.filter(event=outcomes_event).count() == 16
    # Split one theme into two, then merge them back.
    big = max(themes, key=lambda t: t.sources.count())
    first, second = services.split_theme(outcomes_event, big.pk, by=organiser)
    assert Theme.objects.filter(event=outcomes_event).count() == 3
    assert first.sources.exists() and second.sources.exists()
    assert Theme.objects.get(pk=second.pk).position == first.position + 10
    priority = services.save_priority(outcomes_event, by=organiser, title="Magnet data",
                                      feasibility=4, theme_pks=[second.pk])
    merged = services.merge_themes(outcomes_event, [first.pk, second.pk], by=organiser,
                                   label="Merged theme")
    assert merged.label == "Merged theme"
    assert Theme.objects.filter(event=outcomes_event).count() == 2
    assert list(priority.themes.all()) == [merged]
    # Rename and order.
    services.rename_theme(outcomes_event, merged.pk, "  Magnets   and quench  ", by=organiser)
    assert Theme.objects.get(pk=merged.pk).label == "Magnets and quench"
    order = list(Theme.objects.filter(event=outcomes_event).values_list("pk", flat=True))
    services.move_theme(outcomes_event, order[1], "up", by=organiser)
    assert list(Theme.objects.filter(event=outcomes_event).values_list("pk", flat=True)) \
        == [order[1], order[0]]
    assert services.report_for(outcomes_event).method["edited"] is True
    # Refusals are readable and change nothing.
    with pytest.raises(services.EditorialError, match="at least two"):
        services.merge_themes(outcomes_event, [merged.pk], by=organiser)
    with pytest.raises(services.EditorialError, match="name"):
        services.rename_theme(outcomes_event, merged.pk, "   ", by=organiser)
    with pytest.raises(services.EditorialError):
        services.build_themes(outcomes_event, by=organiser, k=99)
    assert Theme.objects.filter(event=outcomes_event).count() == 2


def test_priorities_ranked_by_breadth_and_feasibility(outcomes_event, organiser):
    services.build_themes(outcomes_event, by=organiser, k=2)
    a, b = Theme.objects.filter(event=outcomes_event)
    services.save_priority(outcomes_event, by=organiser, title="Narrow but easy",
                           feasibility=5, theme_pks=[b.pk])
    services.save_priority(outcomes_event, by=organiser, title="Broad but hard",
                           feasibility=1, theme_pks=[a.pk, b.pk])
    services.save_priority(outcomes_event, by=organiser, title="Broad and easy",
                           feasibility=5, theme_pks=[a.pk, b.pk])
    name_themes(outcomes_event, organiser)
    data = services.publish(outcomes_event, by=organiser).data
    titles = [p["title"] for p in data["priorities"]]
    assert titles[0] == "Broad and easy"
    first = data["priorities"][0]
    assert first["breadth"] == 1.0 and first["evidence"]["organisations"] == 7
    assert first["score"] == 1.0
    assert first["evidence"]["by_sector"] == {"private_developer": 6, "supplier": 1}


def test_versions_are_frozen_and_numbered(outcomes_event, organiser, client):
    v1 = _publish(outcomes_event, organiser)
    with pytest.raises(services.EditorialError, match="Nothing changed"):
        services.publish(outcomes_event, by=organiser)
    theme = Theme.objects.filter(event=outcomes_event).first()
    services.rename_theme(outcomes_event, theme.pk, "Renamed after v1", by=organiser)
    v2 = services.publish(outcomes_event, by=organiser, comment="Renamed a theme")
    assert (v1.version, v2.version) == (1, 2)
    assert "Renamed after v1" not in json.dumps(ReportVersion.objects.get(pk=v1.pk).data)
    assert "Renamed after v1" in client.get(f"/{outcomes_event.slug}/outcomes/").content.decode()
    old = client.get(f"/{outcomes_event.slug}/outcomes/v/1/").content.decode()
    assert "Renamed after v1" not in old and "an earlier version" in old
    assert client.get(f"/{outcomes_event.slug}/outcomes/v/1/report.json").json()["version"] == 1
    assert client.get(f"/{outcomes_event.slug}/outcomes/v/9/").status_code == 404
    assert services.latest_published(outcomes_event).version == 2


def test_public_sees_only_published(outcomes_event, organiser, client):
    for suffix in ("", "report.pdf", "report.json", "themes.csv"):
        assert client.get(f"/{outcomes_event.slug}/outcomes/{suffix}").status_code == 404
    services.build_themes(outcomes_event, by=organiser)
    assert client.get(f"/{outcomes_event.slug}/outcomes/").status_code == 404
    assert ">Outcomes</a>" not in client.get(f"/{outcomes_event.slug}/").content.decode()
    name_themes(outcomes_event, organiser)
    services.publish(outcomes_event, by=organiser)
    assert client.get(f"/{outcomes_event.slug}/outcomes/").status_code == 200
    assert ">Outcomes</a>" in client.get(f"/{outcomes_event.slug}/").content.decode()


EDITOR_PATHS = ["", "preview/"]
ACTION_PATHS = ["build/", "themes/merge/", "themes/1/rename/", "themes/1/split/",
                "themes/1/move/", "report/", "priorities/", "priorities/1/delete/", "publish/"]


def test_authorization_matrix(outcomes_event, organiser, client, make_user, make_event):
    from fusionforum.accounts.models import Organisation
    from fusionforum.events.models import TeamMembership
    from fusionforum.registration.models import Registration
    from tests.conftest import login_verified

    base = f"/manage/{outcomes_event.slug}/outcomes/"
    # Anonymous: to the login page, nothing done.
    for path in EDITOR_PATHS:
        assert client.get(base + path).status_code == 302
    for path in ACTION_PATHS:
        assert client.post(base + path).status_code == 302
    assert not Theme.objects.exists()
    # A participant, and the organiser of another event: 404.
    participant = make_user("participant@test.invalid")
    Registration.objects.create(event=outcomes_event, user=participant,
                                organisation=Organisation.objects.first(), status="confirmed",
                                submitted_at=services.clock.now())
    other_event = make_event(slug="other-2027")
    other_organiser = make_user("other@test.invalid")
    TeamMembership.objects.create(event=other_event, user=other_organiser,
                                  role=TeamMembership.Role.ORGANISER)
    for user in (participant, other_organiser):
        client.logout()
        login_verified(client, user)
        for path in EDITOR_PATHS:
            assert client.get(base + path).status_code == 404, (user, path)
        for path in ACTION_PATHS:
            assert client.post(base + path).status_code == 404, (user, path)
    assert not Theme.objects.exists()
    # An organiser without a verified second factor: to the verification page.
    client.logout()
    client.force_login(organiser)
    assert client.get(base).status_code == 302
    # The organiser: allowed.
    login_verified(client, organiser)
    assert client.get(base).status_code == 200
    assert client.post(base + "build/", {"k": ""}).status_code == 302
    assert Theme.objects.filter(event=outcomes_event).exists()


def test_editor_actions_over_http(outcomes_event, organiser_client):
    base = f"/manage/{outcomes_event.slug}/outcomes/"
    assert organiser_client.post(base + "build/", {"k": "3"}).status_code == 302
    themes = list(Theme.objects.filter(event=outcomes_event))
    assert len(themes) == 3
    response = organiser_client.post(base + f"themes/{themes[0].pk}/rename/", {"label": ""})
    assert response.status_code == 400 and "Give the theme a name" in response.content.decode()
    assert organiser_client.post(base + f"themes/{themes[0].pk}/rename/",
                                 {"label": "Magnets"}).status_code == 302
    assert organiser_client.post(base + "themes/merge/", {
        "themes": [themes[1].pk, themes[2].pk], "label": "Fuel"}).status_code == 302
    assert organiser_client.post(base + "build/", {"k": "abc"}).status_code == 400
    response = organiser_client.post(base + "priorities/", {"title": "", "feasibility": "9"})
    assert response.status_code == 400 and not Priority.objects.exists()
    assert organiser_client.post(base + "priorities/", {
        "title": "Magnet data", "feasibility": "4", "description": "x",
        "themes": [themes[0].pk]}).status_code == 302
    assert organiser_client.post(base + "report/", {
        "title_en": "Outcomes", "narrative_en": "Text", "licence": "CC0-1.0",
        "attribution": ""}).status_code == 302
    assert organiser_client.post(base + "publish/", {}).status_code == 400  # not approved
    assert not ReportVersion.objects.exists()
    assert organiser_client.post(base + "publish/", {"approve": "yes"}).status_code == 302
    data = services.latest_published(outcomes_event).data
    assert data["licence"]["id"] == "CC0-1.0"
    assert [t["label"] for t in data["themes"]][:1] or True
    assert {"Magnets", "Fuel"} <= {t["label"] for t in data["themes"]}
    assert organiser_client.get(base + "preview/").status_code == 200


def test_survey(outcomes_event, client, make_user):
    from fusionforum.accounts.models import Organisation
    from fusionforum.registration.models import Registration
    from tests.conftest import login_verified

    person = make_user("delegate@test.invalid")
    organisation = Organisation.objects.get(name="Synthetic Laser Gamma")
    url = f"/{outcomes_event.slug}/outcomes/survey/"
    assert client.get(url).status_code == 302
    login_verified(client, person)
    assert client.get(url).status_code == 403
    Registration.objects.create(event=outcomes_event, user=person, organisation=organisation,
                                status="confirmed", submitted_at=services.clock.now())
    assert client.post(url, {"usefulness": "9"}).status_code == 400
    assert client.post(url, {"usefulness": "4", "likely_to_engage": "5",
                             "comments": "Private remark"}).status_code == 302
    figures = __import__("fusionforum.outcomes.report", fromlist=["x"]).survey_figures(
        outcomes_event)
    assert figures == {"responses": 1, "usefulness": 4.0, "meetings_rating": None,
                       "likely_to_engage": 5.0}
