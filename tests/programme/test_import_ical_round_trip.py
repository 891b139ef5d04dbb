"""Our own programme.ics read back by the iCalendar import: titles, times, rooms, speakers
and stable UIDs survive the round trip (what a calendar written by Fusion Forum holds)."""

from __future__ import annotations

import pytest

from fusionforum.programme.imports import ical

from .test_exports import SLUG, XSS_TITLE, event, programme, released  # noqa: F401

pytestmark = pytest.mark.django_db


def test_our_programme_ics_reads_back(client, released, programme, settings):  # noqa: F811
    body = client.get(f"/{SLUG}/programme/programme.ics").content
    parsed = ical.parse(body)
    assert parsed["source_system"] == "Fusion Forum"
    assert parsed["timezone"] == "Europe/Paris"
    assert not [p for p in parsed["problems"] if p["level"] == "error"]
    titles = {i["title"]: i for i in parsed["items"]}
    assert {"Opening", "Compact torus results", "HTS magnet campaign",
            "Stellarator coil winding"} <= set(titles)
    host = settings.SITE_URL.split("//")[1].split(":")[0].split("/")[0]
    [xss] = [i for i in parsed["items"] if i["source_id"] == f"{programme['xss'].guid}@{host}"]
    # The title is plain text once imported (its markup is stripped, never rendered).
    assert "<" not in xss["title"] and xss["title"].endswith("& co")
    assert xss["speakers"] == ["Quinn Quench", "Rafaël Ümlaut"]
    assert (xss["date"], xss["start"], xss["minutes"]) == ("2027-05-26", "10:00", 30)
    assert xss["room"] == "Room B"
    assert "Speakers:" not in xss["abstract"]
    assert xss["title"] != XSS_TITLE
