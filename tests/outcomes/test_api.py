"""The outcomes API: the published reports, their frozen content as the JSON download gives
it; a withdrawn version is gone (410) as its page says; nothing aggregate-only or
confidential is in any answer."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fusionforum.outcomes import services

from .conftest import name_themes

pytestmark = pytest.mark.django_db


def url(event, part=""):
    return f"/api/v1/events/{event.slug}/outcomes/{part}"


def test_published_reports_for_anyone(outcomes_event, organiser):
    event = outcomes_event
    client = Client()
    assert client.get(url(event, "reports/")).json()["results"] == []
    services.build_themes(event, by=organiser, k=2)
    name_themes(event, organiser)
    first = services.publish(event, by=organiser, comment="First")
    from fusionforum.outcomes.models import Theme

    services.rename_theme(event, Theme.objects.filter(event=event).first().pk, "Renamed",
                          by=organiser)
    second = services.publish(event, by=organiser, comment="Second")
    listed = client.get(url(event, "reports/")).json()["results"]
    assert [(v["version"], v["comment"]) for v in listed] == [(1, "First"), (2, "Second")]
    assert "report" not in listed[0]
    detail = client.get(url(event, "reports/2/"))
    assert detail.status_code == 200
    assert detail.json()["report"] == json.loads(json.dumps(second.data))
    assert set(detail.json()["links"]) == {"report", "json"}
    # Zeta's answers are confidential and Eta's aggregate only: never quoted.
    text = detail.content.decode()
    assert "Zeta" not in text
    services.withdraw(event, 1, by=organiser, reason="A wrong figure")
    gone = client.get(url(event, "reports/1/"))
    assert gone.status_code == 410 and "A wrong figure" in gone.json()["detail"]
    assert [v["version"] for v in client.get(url(event, "reports/")).json()["results"]] == [2]
    assert client.get(url(event, "reports/9/")).status_code == 404
    assert first.pk
