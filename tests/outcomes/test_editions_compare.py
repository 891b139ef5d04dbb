"""Comparing editions through their published outcomes reports, and the demo's next edition."""

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse

from fusionforum.events.models import TeamMembership
from fusionforum.outcomes import compare, editions
from tests.conftest import login_verified, paris

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(compare.__file__).parent / "report.schema.json").read_text())


def theme(tid, label, terms, organisations, total, by_approach=None):
    return {"id": f"T{tid}", "label": label, "position": tid, "key_terms": terms,
            "organisations": organisations, "answers": organisations,
            "share": round(organisations / total, 4), "by_approach": by_approach or {},
            "by_sector": {}, "by_question": {}, "categories": {}, "quotes": []}


def report(slug, total, themes, *, submissions, held, by_approach):
    return {
        "format": "fusionforum-outcomes/1",
        "event": {"slug": slug, "title": slug, "start_date": "2027-05-26",
                  "end_date": "2027-05-28"},
        "title": "Outcomes", "version": 1, "published_at": "2027-06-10T10:00:00+02:00",
        "licence": {"id": "CC-BY-4.0", "name": "CC BY 4.0",
                    "url": "https://creativecommons.org/licenses/by/4.0/", "attribution": "x"},
        "inputs": {"submissions": submissions, "organisations": total, "answers_counted": 1,
                   "answers_quotable": 0},
        "method": {"algorithm": "test", "k": None, "silhouette": None, "edited": False},
        "narrative_markdown": "", "narrative_html": "", "themes": themes, "priorities": [],
        "demand": {"by_approach": by_approach, "by_sector": {}},
        "labels": {"approach": {"tokamak": "Tokamak", "stellarator": "Stellarator"}},
        "categories": [],
        "meetings": {"published": True, "scheduled": held + 2, "held": held, "no_show": 2,
                     "unmet": 1, "follow_ups": 3, "by_discipline": [], "by_outcome": {}},
        "survey": {"responses": 0, "usefulness": None, "meetings_rating": None,
                   "likely_to_engage": None},
    }


BEFORE = report("w-2027", 20, [
    theme(1, "High-temperature superconducting magnets", ["hts", "magnets", "quench"], 8, 20),
    theme(2, "Tritium handling and fuel cycle", ["tritium", "fuel cycle", "permeation"], 6, 20),
    theme(3, "Remote handling and maintenance", ["remote handling", "robotics"], 5, 20),
    theme(4, "Neutron irradiation of materials", ["neutron", "irradiation", "tungsten"], 4, 20),
], submissions=24, held=30, by_approach={"tokamak": 9, "stellarator": 4})

AFTER = report("w-2028", 40, [
    # Relabelled but the same subject: matched; 40% -> 60%.
    theme(7, "HTS magnets and quench protection", ["hts", "quench", "magnets", "cable"], 24, 40),
    # Same subject; 30% -> 10%.
    theme(8, "Tritium fuel cycle", ["tritium", "fuel cycle"], 4, 40),
    # Same label; 25% -> 25% (steady) although the count doubled.
    theme(9, "Remote handling and maintenance", ["remote handling", "robotics"], 10, 40),
    theme(10, "Licensing and regulation", ["licensing", "regulator", "safety case"], 12, 40),
], submissions=45, held=52, by_approach={"tokamak": 15, "stellarator": 9})


def test_documents_follow_the_schema():
    jsonschema.validate(BEFORE, SCHEMA)
    jsonschema.validate(AFTER, SCHEMA)


def test_grew_shrank_appeared_disappeared():
    result = compare.compare_reports(BEFORE, AFTER)
    by_status = {s: [(c.label_before, c.label_after) for c in cs]
                 for s, cs in result["groups"].items()}
    assert by_status["grew"] == [("High-temperature superconducting magnets",
                                  "HTS magnets and quench protection")]
    assert by_status["shrank"] == [("Tritium handling and fuel cycle", "Tritium fuel cycle")]
    assert by_status["steady"] == [("Remote handling and maintenance",
                                    "Remote handling and maintenance")]
    assert by_status["appeared"] == [(None, "Licensing and regulation")]
    assert by_status["disappeared"] == [("Neutron irradiation of materials", None)]
    grew = result["groups"]["grew"][0]
    assert grew.delta_points == 20 and grew.organisations_before == 8
    assert result["groups"]["shrank"][0].delta_points == -20
    figures = {f["label"]: (f["before"], f["after"], f["delta"]) for f in result["figures"]}
    assert figures["Submissions"] == (24, 45, 21)
    assert figures["Organisations behind the report"] == (20, 40, 20)
    assert figures["Organisations: Tokamak"] == (9, 15, 6)
    assert figures["Organisations: Stellarator"] == (4, 9, 5)
    assert figures["Expert meetings held"] == (30, 52, 22)


def test_matching_is_deterministic_and_order_independent():
    a = compare.compare_reports(BEFORE, AFTER)
    shuffled = {**AFTER, "themes": list(reversed(AFTER["themes"]))}
    b = compare.compare_reports({**BEFORE, "themes": list(reversed(BEFORE["themes"]))}, shuffled)
    assert [c.as_dict() for c in a["changes"]] == [c.as_dict() for c in b["changes"]]


def test_one_generic_shared_word_is_not_a_match():
    before = [{"label": "Plasma diagnostics", "key_terms": ["interferometry", "thomson"]}]
    after = [{"label": "Plasma heating", "key_terms": ["ecrh", "gyrotron", "neutral beam"]}]
    assert compare.match_themes(before, after) == []
    assert compare.match_themes(before, before)[0][2] > 0.9


def test_empty_and_odd_reports():
    empty = {**BEFORE, "themes": []}
    result = compare.compare_reports(empty, AFTER)
    assert [c.status for c in result["changes"]] == ["appeared"] * 4
    assert compare.compare_reports({}, {})["changes"] == []
    odd = {"themes": [{"label": "the and of", "key_terms": []}, "junk", None]}
    assert len(compare.compare_reports(odd, odd)["changes"]) == 1


# --- pages -----------------------------------------------------------------------------------

@pytest.fixture
def two_editions(event, organiser, clock):
    from fusionforum.outcomes.models import ReportVersion

    new = editions.clone_edition(event, new_slug="workshop-2028", new_title="Workshop 2028",
                                 new_start_date=dt.date(2028, 5, 24), by=organiser)
    ReportVersion.objects.create(event=event, version=1, published_at=clock.now(), data=BEFORE)
    ReportVersion.objects.create(event=new, version=1, published_at=clock.now(), data=AFTER)
    return event, new


def _compare_url(slug):
    return reverse("editions:compare", kwargs={"slug": slug})


def test_compare_page(client, two_editions, organiser):
    event, new = two_editions
    login_verified(client, organiser)
    # Without ?with=: the choice of edition, the previous one (which has a report) chosen.
    response = client.get(_compare_url(new.slug))
    assert response.status_code == 200
    assert '<option value="workshop-2027" selected>' in response.content.decode()
    for slug, other in ((new.slug, event.slug), (event.slug, new.slug)):
        page = client.get(_compare_url(slug) + f"?with={other}")
        assert page.status_code == 200
        text = page.content.decode()
        for label in ("HTS magnets and quench protection", "Licensing and regulation",
                      "Neutron irradiation of materials", "grew", "shrank", "appeared",
                      "disappeared", "Expert meetings held"):
            assert label in text
        # Always earlier -> later, whichever page it is asked from.
        assert text.index("From <strong>Test Fusion Workshop 2027") >= 0


def test_compare_refusals(client, two_editions, organiser, make_event):
    from fusionforum.outcomes.models import ReportVersion

    event, new = two_editions
    login_verified(client, organiser)
    assert client.get(_compare_url(event.slug) + "?with=nope").status_code == 400
    assert client.get(_compare_url(event.slug) + "?with=workshop-2027").status_code == 400
    # No previous edition: the choice of the editions that have a published report.
    response = client.get(_compare_url(event.slug))
    assert response.status_code == 200
    assert '<option value="workshop-2028"' in response.content.decode()
    # An unpublished event the organiser does not organise: not comparable.
    stranger = make_event(slug="stranger", title="Stranger", status="draft")
    ReportVersion.objects.create(event=stranger, version=1, published_at=new.created_at,
                                 data=AFTER)
    assert client.get(_compare_url(event.slug) + "?with=stranger").status_code == 400
    # No published report yet: 409 with a message.
    ReportVersion.objects.filter(event=new).delete()
    response = client.get(_compare_url(event.slug) + "?with=workshop-2028")
    assert response.status_code == 409
    assert "no published outcomes report" in response.content.decode()


def test_compare_authorization(client, two_editions, make_user):
    event, new = two_editions
    url = _compare_url(event.slug) + "?with=workshop-2028"
    assert client.get(url).status_code == 302
    client.force_login(make_user("someone@test.invalid"))
    assert client.get(url).status_code == 404
    organiser_of_new = make_user("new-org@test.invalid")
    TeamMembership.objects.create(event=new, user=organiser_of_new, role="organiser")
    login_verified(client, organiser_of_new)
    assert client.get(url).status_code == 404
    assert client.get(_compare_url(new.slug) + "?with=workshop-2027").status_code == 200


def test_compare_reads_only_published_data(two_editions, monkeypatch):
    """The comparison reads ReportVersion.data and nothing of the working copy or answers."""
    from fusionforum.cfp import models as cfp_models

    event, new = two_editions

    def forbidden(*args, **kwargs):
        raise AssertionError("the comparison must not read submissions")

    monkeypatch.setattr(cfp_models.Submission.objects, "filter", forbidden)
    result = compare.compare_events(event, new)
    assert len(result["changes"]) == 5


def test_demo_next_edition(clock):
    from fusionforum.events.models import Event
    from fusionforum.outcomes import demo_editions
    from fusionforum.outcomes.models import ReportVersion
    from tests.demo_snapshot import load_full_demo

    # The whole demo but its next edition, which the loader then makes for real.
    clock.set(paris(2027, 5, 26, 10))
    demo = load_full_demo(dt.date(2027, 5, 26))
    Event.objects.filter(slug="demo-workshop-2028").delete()
    message = demo_editions.load(demo)
    assert "demo-workshop-2028" in message and "cloned" in message
    nxt = Event.objects.get(slug="demo-workshop-2028")
    assert nxt.is_demo and not nxt.is_published and nxt.start_date.year == 2028
    assert editions.previous_edition(nxt) == demo
    data = ReportVersion.objects.get(event=nxt).data
    jsonschema.validate(data, SCHEMA)
    assert all(t["quotes"] == [] for t in data["themes"])
    result = compare.compare_events(demo, nxt)
    for status in ("grew", "shrank", "appeared", "disappeared"):
        assert result["groups"][status], status
    # Idempotent.
    counts = (Event.objects.count(), ReportVersion.objects.count())
    demo_editions.load(demo)
    assert (Event.objects.count(), ReportVersion.objects.count()) == counts
