"""Publication re-derives everything public from each answer's visibility at that moment:
an answer made confidential (or aggregate-only) after the themes were built leaves no word
in the page, the JSON, the CSV, the PDF or the editions comparison, also after a merge or a
split; only names the organisers gave the themes are published; withdrawn versions."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from fusionforum.cfp.models import Submission
from fusionforum.core.audit import AuditEntry
from fusionforum.outcomes import services
from fusionforum.outcomes.models import ReportVersion, Theme
from tests.conftest import login_verified

from .conftest import name_themes

pytestmark = pytest.mark.django_db

WORD = "zorblaxian"
ALPHA = "Synthetic Tokamak Alpha"
BETA = "Synthetic Stellar Beta"


@pytest.fixture
def distinctive(outcomes_event):
    """Alpha's and Beta's public answers share a distinctive word, so it becomes a key term
    (and part of an automatic name) when the themes are built."""
    for name in (ALPHA, BETA):
        submission = Submission.objects.get(organisation__name=name, state="submitted")
        submission.challenges = "Zorblaxian magnet coils quench."
        submission.iter_help = "Zorblaxian magnet quench data."
        submission.save()
    return outcomes_event


def _set(name, visibility, questions=("challenges", "iter_help")):
    submission = Submission.objects.get(organisation__name=name, state="submitted")
    for question in questions:
        setattr(submission, f"{question}_visibility", visibility)
    submission.save()


def _outputs(client, event, number=None) -> dict[str, str]:
    base = f"/{event.slug}/outcomes/" + (f"v/{number}/" if number else "")
    pdf = client.get(base + "report.pdf")
    assert pdf.status_code == 200
    return {
        "page": client.get(base).content.decode(),
        "json": client.get(base + "report.json").content.decode(),
        "csv": client.get(base + "themes.csv").content.decode(),
        "pdf": "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages),
    }


def _comparison(client, event, organiser, make_event) -> str:
    """The editions comparison of the event's published report with another edition's."""
    from fusionforum.events.models import TeamMembership

    other = make_event(slug="workshop-2026", title="Workshop 2026",
                       start_date=event.start_date.replace(year=2026),
                       end_date=event.end_date.replace(year=2026))
    TeamMembership.objects.get_or_create(event=other, user=organiser, role="organiser")
    data = {**services.latest_published(event).data, "themes": [
        {"id": "T1", "label": "Tritium handling", "position": 1, "key_terms": ["tritium"],
         "organisations": 2, "share": 0.5}]}
    ReportVersion.objects.create(event=other, version=1, published_at=services.clock.now(),
                                 data=data)
    login_verified(client, organiser)
    page = client.get(f"/manage/{event.slug}/editions/compare/?with={other.slug}")
    client.logout()
    assert page.status_code == 200
    return page.content.decode()


def _assert_absent(outputs: dict[str, str], word: str = WORD) -> None:
    for name, text in outputs.items():
        assert word not in text.lower(), f"“{word}” is in the {name}"


def _built_with_the_word(event, organiser, **kwargs) -> list[str]:
    services.build_themes(event, by=organiser, **kwargs)
    terms = [t for theme in Theme.objects.filter(event=event) for t in theme.key_terms]
    assert any(WORD in t for t in terms), terms  # the word is a key term at build time
    return terms


def test_confidential_after_build_leaves_no_word(distinctive, organiser, client, make_event):
    event = distinctive
    _built_with_the_word(event, organiser, k=2)
    # Automatic names are never published: a clear refusal naming every theme.
    with pytest.raises(services.EditorialError, match="automatic name"):
        services.publish(event, by=organiser)
    name_themes(event, organiser)
    _set(ALPHA, "confidential")
    _set(BETA, "confidential")
    version = services.publish(event, by=organiser)
    assert WORD not in json.dumps(version.data).lower()
    outputs = _outputs(client, event)
    outputs["comparison"] = _comparison(client, event, organiser, make_event)
    _assert_absent(outputs)


def test_aggregate_only_after_build_leaves_no_word(distinctive, organiser, client):
    event = distinctive
    _built_with_the_word(event, organiser, k=2)
    name_themes(event, organiser)
    _set(ALPHA, "aggregate")
    _set(BETA, "confidential")
    data = services.publish(event, by=organiser).data
    _assert_absent(_outputs(client, event))
    # Alpha is still counted, never quoted; one organisation's word is no key term.
    assert data["inputs"]["organisations"] == 6
    quoted = {q["organisation"] for t in data["themes"] for q in t["quotes"]}
    assert ALPHA not in quoted and BETA not in quoted


def test_two_answers_of_one_organisation_make_no_key_term(distinctive, organiser):
    """Alpha's two answers share the word, Beta's are confidential: one organisation's
    wording is not a key term, however many of its answers use it."""
    event = distinctive
    _built_with_the_word(event, organiser, k=2)
    _set(BETA, "confidential")
    name_themes(event, organiser)
    data = services.publish(event, by=organiser).data
    assert all(WORD not in " ".join(t["key_terms"]) for t in data["themes"])


def test_merge_and_split_use_the_visibility_of_now(distinctive, organiser, client):
    event = distinctive
    _built_with_the_word(event, organiser, k=3)
    _set(ALPHA, "confidential")
    _set(BETA, "confidential")
    themes = list(Theme.objects.filter(event=event))
    merged = services.merge_themes(event, [t.pk for t in themes[:2]], by=organiser)
    assert WORD not in " ".join(merged.key_terms)
    split = services.split_theme(event, merged.pk, by=organiser)
    for theme in split:
        theme.refresh_from_db()
        assert WORD not in " ".join(theme.key_terms) and WORD not in theme.label.lower()
    # The split answers were shaped only by counted answers: the confidential ones are
    # filed (for the editor) but marked as such now.
    from fusionforum.outcomes.models import ThemeSource

    hidden = ThemeSource.objects.filter(event=event, submission__organisation__name=ALPHA)
    assert {s.visibility for s in hidden} == {"confidential"}
    name_themes(event, organiser)
    services.publish(event, by=organiser)
    _assert_absent(_outputs(client, event))


def test_an_organisers_name_with_a_hidden_word_is_refused(distinctive, organiser, client):
    event = distinctive
    _built_with_the_word(event, organiser, k=2)
    name_themes(event, organiser)
    theme = Theme.objects.filter(event=event).first()
    services.rename_theme(event, theme.pk, "Zorblaxian coils", by=organiser)
    services.publish(event, by=organiser)  # still public: fine
    _set(ALPHA, "confidential")
    _set(BETA, "confidential")
    with pytest.raises(services.EditorialError) as refused:
        services.publish(event, by=organiser)
    assert "“zorblaxian”" in " ".join(refused.value.messages)
    # Over HTTP: 400 with the reason in the editor, nothing published.
    response = login_verified(client, organiser).post(
        f"/manage/{event.slug}/outcomes/publish/", {"approve": "yes"})
    assert response.status_code == 400
    assert "found only in answers the public may not read" in response.content.decode()
    assert ReportVersion.every.filter(event=event).count() == 1


def test_theme_with_nothing_left_is_not_published(distinctive, organiser, client):
    event = distinctive
    services.build_themes(event, by=organiser, k=2)
    name_themes(event, organiser)
    lonely = Theme.objects.filter(event=event).last()
    priority = services.save_priority(event, by=organiser, title="Lonely", theme_pks=[lonely.pk])
    for source in lonely.sources.select_related("submission__organisation"):
        _set(source.submission.organisation.name, "confidential", [source.question])
    data = services.publish(event, by=organiser).data
    assert lonely.public_id not in {t["id"] for t in data["themes"]}
    assert lonely.label not in json.dumps(data)
    assert [p["themes"] for p in data["priorities"] if p["title"] == priority.title] == [[]]
    assert [t["position"] for t in data["themes"]] == list(range(1, len(data["themes"]) + 1))


def test_public_report_speaks_plain_language(outcomes_event, organiser, client):
    services.build_themes(outcomes_event, by=organiser)
    name_themes(outcomes_event, organiser, prefix="Our subject")
    services.save_priority(outcomes_event, by=organiser, title="Open data", feasibility=4,
                           theme_pks=[Theme.objects.filter(event=outcomes_event).first().pk])
    data = services.publish(outcomes_event, by=organiser).data
    outputs = _outputs(client, outcomes_event)
    for name in ("page", "pdf"):
        text = outputs[name]
        assert "How this report was made" in text, name
        for machine in ("silhouette", "tfidf", "kmeans", "score 0", "groups ("):
            assert machine not in text.lower(), (name, machine)
    # The open data keeps the method, documented in its schema.
    assert data["method"]["algorithm"].startswith("tfidf")
    assert {t["label"] for t in data["themes"]} <= {f"Our subject {n}" for n in range(1, 20)}


def test_editor_shows_automatic_names_as_hints(outcomes_event, organiser_client, organiser):
    services.build_themes(outcomes_event, by=organiser, k=2)
    theme = Theme.objects.filter(event=outcomes_event).first()
    page = organiser_client.get(f"/manage/{outcomes_event.slug}/outcomes/").content.decode()
    assert "Not named yet" in page and f"(automatic: {theme.label})" in page
    assert f'id="rename-{theme.pk}" name="label" value=""' in page
    assert "still has its automatic name" in page  # the publication section says why
    services.rename_theme(outcomes_event, theme.pk, theme.label, by=organiser)
    assert Theme.objects.get(pk=theme.pk).named_by_organiser


# Withdrawal ---------------------------------------------------------------------------------


def _two_versions(event, organiser):
    services.build_themes(event, by=organiser, k=2)
    name_themes(event, organiser)
    first = services.publish(event, by=organiser)
    services.rename_theme(event, Theme.objects.filter(event=event).first().pk,
                          "Renamed for version 2", by=organiser)
    second = services.publish(event, by=organiser, comment="Renamed")
    return first, second


def test_withdraw_service_rules(outcomes_event, organiser, make_user):
    first, second = _two_versions(outcomes_event, organiser)
    stranger = make_user("stranger@test.invalid")
    with pytest.raises(services.EditorialError, match="organisers"):
        services.withdraw(outcomes_event, 2, by=stranger, reason="No")
    with pytest.raises(services.EditorialError, match="why"):
        services.withdraw(outcomes_event, 2, by=organiser, reason="   ")
    with pytest.raises(services.EditorialError, match="No such version"):
        services.withdraw(outcomes_event, 7, by=organiser, reason="Typo")
    assert services.latest_published(outcomes_event).version == 2
    services.withdraw(outcomes_event, 2, by=organiser, reason="A quote was misattributed")
    with pytest.raises(services.EditorialError, match="already withdrawn"):
        services.withdraw(outcomes_event, 2, by=organiser, reason="Again")
    second = ReportVersion.every.get(pk=second.pk)
    assert second.withdrawn_by == organiser and second.withdrawn_at is not None
    assert second.data["version"] == 2  # kept, unchanged
    assert services.latest_published(outcomes_event).version == 1
    entry = AuditEntry.objects.get(action="outcomes.withdraw")
    assert entry.actor == organiser and "misattributed" in entry.summary
    # The next publication is version 3 and compares with version 1, the current one.
    services.rename_theme(outcomes_event, Theme.objects.filter(event=outcomes_event).first().pk,
                          "Third name", by=organiser)
    assert services.publish(outcomes_event, by=organiser).version == 3


def test_withdrawn_version_is_gone_everywhere(outcomes_event, organiser, client, make_event):
    _two_versions(outcomes_event, organiser)
    base = f"/{outcomes_event.slug}/outcomes/"
    editor = login_verified(client, organiser)
    # The confirmation step, then the withdrawal.
    confirm = editor.get(f"/manage/{outcomes_event.slug}/outcomes/versions/2/withdraw/")
    assert confirm.status_code == 200
    assert "The public will see version 1" in confirm.content.decode()
    refused = editor.post(f"/manage/{outcomes_event.slug}/outcomes/versions/2/withdraw/",
                          {"confirm": "yes", "reason": ""})
    assert refused.status_code == 400 and services.latest_published(outcomes_event).version == 2
    done = editor.post(f"/manage/{outcomes_event.slug}/outcomes/versions/2/withdraw/",
                       {"confirm": "yes", "reason": "Wrong figures"})
    assert done.status_code == 302
    page = editor.get(f"/manage/{outcomes_event.slug}/outcomes/").content.decode()
    assert "withdrawn" in page and "by organiser@test.invalid: Wrong figures" in page
    client.logout()
    for suffix in ("", "report.pdf", "report.json", "themes.csv"):
        gone = client.get(f"{base}v/2/{suffix}")
        assert gone.status_code == 410, suffix
        assert "Wrong figures" in gone.content.decode()
        assert "Renamed for version 2" not in gone.content.decode()
    # The latest address serves version 1 again, and lists version 2 as withdrawn.
    latest = client.get(base).content.decode()
    assert "Version 1" in latest and "Renamed for version 2" not in latest
    assert "withdrawn" in latest and "Wrong figures" in latest
    assert client.get(base + "report.json").json()["version"] == 1
    # The comparison reads version 1.
    comparison = _comparison(client, outcomes_event, organiser, make_event)
    assert "Renamed for version 2" not in comparison and "version 1" in comparison
    # With every version withdrawn: gone, and nothing to compare.
    services.withdraw(outcomes_event, 1, by=organiser, reason="Report replaced")
    assert client.get(base).status_code == 410
    assert "No other version" in client.get(base).content.decode()
    assert client.get(base + "report.json").status_code == 410


def test_withdrawal_invalidates_the_public_page_cache(outcomes_event, organiser, client,
                                                       settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    services.build_themes(outcomes_event, by=organiser, k=2)
    name_themes(outcomes_event, organiser)
    services.publish(outcomes_event, by=organiser)
    home = f"/{outcomes_event.slug}/"
    first = client.get(home)
    assert ">Outcomes</a>" in first.content.decode()
    again = client.get(home)
    assert again["X-Page-Cache"] == "hit"  # the menu is served from the cache
    services.withdraw(outcomes_event, 1, by=organiser, reason="Withdrawn for a check")
    after = client.get(home)
    assert after["X-Page-Cache"] == "miss"
    assert ">Outcomes</a>" not in after.content.decode()


def test_withdraw_authorization(outcomes_event, organiser, client, make_user):
    services.build_themes(outcomes_event, by=organiser, k=2)
    name_themes(outcomes_event, organiser)
    services.publish(outcomes_event, by=organiser)
    url = f"/manage/{outcomes_event.slug}/outcomes/versions/1/withdraw/"
    assert client.post(url, {"confirm": "yes", "reason": "x"}).status_code == 302  # to login
    login_verified(client, make_user("nobody@test.invalid"))
    assert client.post(url, {"confirm": "yes", "reason": "x"}).status_code == 404
    assert services.latest_published(outcomes_event).version == 1


# Survey link and editions comparison ---------------------------------------------------------


def test_organiser_survey_link_previews_the_form(outcomes_event, organiser_client):
    editor = organiser_client.get(f"/manage/{outcomes_event.slug}/outcomes/").content.decode()
    assert f'href="/{outcomes_event.slug}/outcomes/survey/"' in editor
    preview = organiser_client.get(f"/{outcomes_event.slug}/outcomes/survey/")
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Preview: this is the survey as confirmed participants see it" in text
    assert "<button type=\"submit\" disabled>" in text
    assert organiser_client.post(f"/{outcomes_event.slug}/outcomes/survey/", {
        "usefulness": "4", "likely_to_engage": "4"}).status_code == 200
    assert not services.SurveyResponse.objects.exists()


def test_compare_without_a_choice_explains(outcomes_event, organiser_client):
    page = organiser_client.get(f"/manage/{outcomes_event.slug}/editions/compare/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "has no published outcomes report yet" in text
    assert "No other edition you can see has a published outcomes report yet" in text


# The PDF and the charts -----------------------------------------------------------------------


def test_pdf_is_tagged_and_uses_the_report_font(outcomes_event, organiser, client):
    services.build_themes(outcomes_event, by=organiser, k=2)
    name_themes(outcomes_event, organiser)
    services.publish(outcomes_event, by=organiser)
    response = client.get(f"/{outcomes_event.slug}/outcomes/report.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert str(root["/Lang"]) == "en"
    assert "Outcomes report" in reader.metadata.title
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # Only the report's font (DejaVu Sans from the app's static files, embedded under the
    # family name the CSS gives it).
    assert fonts and all(f.split("+")[-1].startswith("Fusion-Forum-Report") for f in fonts), fonts


def test_chart_text_is_never_scaled():
    from fusionforum.outcomes.charts import FONT_SIZE, Chart

    svg = Chart("c", "Title <b>", [("A label", [3]), ("B", [1])], ["Organisations"]).svg
    assert "viewBox" not in svg and 'width="100%"' in svg
    assert f'font-size="{FONT_SIZE}"' in svg and FONT_SIZE >= 12
    assert "Title &lt;b&gt;" in svg
