"""The parsed-document contract every import parser hands over (imports/base.py): persons,
source ids, groups, unplaced entries, grouped warnings and the Indico name normaliser."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fusionforum.programme.imports.base import Collector, person_name


@pytest.mark.parametrize("raw, name, title", [
    ("VAN DER BERG, Jan", "Jan van der Berg", ""),
    ("Peres, Martin", "Martin Peres", ""),
    ("Dr. DOE, John", "John Doe", "Dr."),
    ("DOE, Prof. Dr. Jane", "Jane Doe", "Prof. Dr."),
    ("Jan VAN DER BERG", "Jan van der Berg", ""),
    ("Thanh LE", "Thanh Le", ""),  # a final particle-like word is a surname
    ("O'BRIEN, Sean", "Sean O'Brien", ""),
    ("MÜLLER-LÜDENSCHEIDT, Hans", "Hans Müller-Lüdenscheidt", ""),
    ("DE LA CRUZ, Maria", "Maria de la Cruz", ""),
    ("McDonald, Ronald", "Ronald McDonald", ""),  # mixed case is kept as written
    ("Smith, PhD", "Smith", "PhD"),
    ("Prof. Ada LOVELACE PhD", "Ada Lovelace", "Prof. PhD"),
    ("Jack Ma", "Jack Ma", ""),
    ("J. R. R. TOLKIEN", "J. R. R. Tolkien", ""),
    ("Dr.", "Dr.", ""),  # a lone title is a name, not nothing
    ("  ", "", ""),
])
def test_person_names_are_made_readable(raw, name, title):
    assert person_name(raw) == (name, title)


def test_collector_keeps_persons_ids_groups_and_unplaced():
    collector = Collector("test", "Test", source_system="pretalx")
    collector.set_timezone("Europe/Berlin")
    collector.add_day(dt.date(2027, 5, 27))
    collector.add_day(dt.date(2027, 5, 26))
    collector.add(title="Opening", moment=(dt.date(2027, 5, 26), dt.time(9)), minutes=30,
                  room="Hall", where="e1", source_id="guid-1", code="ABC",
                  group={"source_id": "s1", "title": "Morning"},
                  persons=[Collector.person("DOE, Dr. John", affiliation="CERN", source_id="p1"),
                           {"name": "Chair Person", "role": "chair"},
                           {"name": "DOE, Dr. John", "source_id": "p1"}])  # duplicate
    collector.add(title="Later", moment=None, minutes=20, room="", where="e2",
                  speakers=["A Speaker"], source_id="guid-2")
    collector.add_unplaced(title="Also later", minutes=None, where="e3")
    result = collector.result
    json.dumps(result)  # stored between preview and confirmation
    assert result["source_system"] == "pretalx"
    assert result["timezone"] == "Europe/Berlin"
    assert result["days"] == ["2027-05-26", "2027-05-27"]
    item = result["items"][0]
    assert item["source_id"] == "guid-1" and item["code"] == "ABC"
    assert item["group"] == {"source_id": "s1", "title": "Morning"}
    assert item["persons"] == [
        {"name": "John Doe", "title": "Dr.", "affiliation": "CERN", "bio": "",
         "source_id": "p1", "role": "speaker"},
        {"name": "Chair Person", "title": "", "affiliation": "", "bio": "", "source_id": "",
         "role": "chair"},
    ]
    assert item["speakers"] == ["John Doe"]
    assert [u["title"] for u in result["unplaced"]] == ["Later", "Also later"]
    assert result["unplaced"][0]["speakers"] == ["A Speaker"]
    assert result["unplaced"][1]["minutes"] == 30
    grouped = [p for p in result["problems"] if p["kind"] == "unplaced"]
    assert len(grouped) == 1 and grouped[0]["count"] == 2
    assert grouped[0]["message"].startswith("2 items have no time in the file")
    assert grouped[0]["places"] == ["e2", "e3"]


def test_warnings_of_one_kind_are_grouped():
    collector = Collector("test", "Test")
    for n in range(46):
        collector.add(title=f"Talk {n}", moment=(dt.date(2027, 5, 26), dt.time(9)),
                      minutes=30, room="", where=f"entry {n}")
    collector.warn("somewhere", "A one-off problem.")
    problems = collector.result["problems"]
    assert len(problems) == 2
    assert problems[0]["message"] == "46 items have no room: placed in “Main room”."
    assert problems[0]["where"] == "entry 0; entry 1; entry 2 and 43 more places"
    assert problems[1] == {"level": "warning", "where": "somewhere",
                           "message": "A one-off problem.", "kind": ""}
    assert {i["room"] for i in collector.result["items"]} == {"Main room"}


def test_a_single_warning_of_a_kind_keeps_its_own_message():
    collector = Collector("test", "Test")
    collector.add(title="Talk", moment=(dt.date(2027, 5, 26), dt.time(9)), minutes=30,
                  room="", where="entry 1")
    (problem,) = collector.result["problems"]
    assert problem["message"] == "“Talk” has no room; it was put in “Main room”."
    assert problem["where"] == "entry 1"


def test_unknown_time_zone_is_a_warning():
    collector = Collector("test", "Test")
    collector.set_timezone("Mars/Olympus")
    assert collector.result["timezone"] == ""
    assert "not a known IANA zone" in collector.result["problems"][0]["message"]
