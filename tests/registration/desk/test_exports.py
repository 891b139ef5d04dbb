"""CSV and XLSX exports: the current filter, answers as columns, formula injection neutralised,
UTF-8 with BOM, private headers, an audit entry without personal values."""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from fusionforum.core.models import AuditEntry
from fusionforum.registration import exports
from fusionforum.registration.models import Question

pytestmark = pytest.mark.django_db

PAYLOADS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"]


@pytest.fixture
def hostile(desk_world, event, diet_question, make_organisation, make_person, register):
    """Registrations whose name, organisation and answers are formula payloads."""
    motto = Question.objects.create(event=event, label="=Motto", kind=Question.Kind.TEXT,
                                    position=2)
    topics = Question.objects.create(event=event, label="Topics",
                                     kind=Question.Kind.MULTIPLE_CHOICE,
                                     choices=["Magnets", "Lasers"], position=3)
    evil_org = make_organisation("+1", kind="supplier")
    mallory = make_person(evil_org, full_name=PAYLOADS[0], email="mallory@test.invalid")
    register(mallory, answers={str(diet_question.pk): "-1", str(motto.pk): "@SUM(1)",
                               str(topics.pk): ["Magnets", "Lasers"]})
    zoe = make_person(make_organisation("Société Générale de Fusion"), full_name="Zoë Ölçer",
                      email="zoe@test.invalid")
    registration = register(zoe, answers={str(diet_question.pk): "Fish"})
    # Stored before today's validation (the form strips and refuses these): tab and CR first.
    registration.answers = {str(diet_question.pk): "\tTab first", str(motto.pk): "\rCR"}
    registration.save(update_fields=["answers"])
    return desk_world


def export_url(event, fmt, query=""):
    url = reverse(f"registration:desk_export_{fmt}", kwargs={"slug": event.slug})
    return f"{url}?{query}" if query else url


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("+1", "'+1"), ("-1", "'-1"),
     ("@SUM(1)", "'@SUM(1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("  =1+1", "'  =1+1"),
     ("\uff1d1+1", "'\uff1d1+1"), ("Plain", "Plain"), ("a=b", "a=b"), ("", ""), (None, ""),
     (5, "5")],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_csv_export(hostile, desk_client, event):
    response = desk_client.get(export_url(event, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="workshop-2027-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["Cache-Control"] == "no-store"
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert header[:4] == ["Registration", "Name", "E-mail", "Organisation"]
    assert header[-3:] == ["Dietary needs", "'=Motto", "Topics"]
    by_mail = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_mail) == {"alice.registrant@test.invalid", "mallory@test.invalid",
                            "zoe@test.invalid"}
    mallory = by_mail["mallory@test.invalid"]
    assert mallory["Name"] == "'=cmd|' /C calc'!A0"
    assert mallory["Organisation"] == "'+1"
    assert mallory["Dietary needs"] == "'-1"
    assert mallory["'=Motto"] == "'@SUM(1)"
    assert mallory["Topics"] == "Magnets; Lasers"
    zoe = by_mail["zoe@test.invalid"]
    assert zoe["Name"] == "Zoë Ölçer"
    assert zoe["Organisation"] == "Société Générale de Fusion"
    assert zoe["Dietary needs"] == "'\tTab first"
    assert zoe["'=Motto"] == "'\rCR"
    # No cell of the file starts with a formula character.
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_xlsx_export(hostile, desk_client, event):
    response = desk_client.get(export_url(event, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[-3:] == ["Dietary needs", "'=Motto", "Topics"]
    cells = {}
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        cells[record["E-mail"].value] = record
    mallory = cells["mallory@test.invalid"]
    for column, expected in [("Name", "'=cmd|' /C calc'!A0"), ("Organisation", "'+1"),
                             ("Dietary needs", "'-1"), ("'=Motto", "'@SUM(1)")]:
        assert mallory[column].value == expected
        assert mallory[column].data_type == "s"
    assert cells["zoe@test.invalid"]["Name"].value == "Zoë Ölçer"
    # Numbers stay numbers; nothing anywhere is a formula.
    assert isinstance(mallory["Registration"].value, int)
    for row in rows:
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_export_follows_the_filter_and_is_audited(hostile, desk_client, event, organiser):
    response = desk_client.get(export_url(event, "csv", "q=Zo%C3%AB&status=pending"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert [row[1] for row in rows[1:]] == ["Zoë Ölçer"]
    desk_client.get(export_url(event, "xlsx", "status=confirmed"))
    entries = list(AuditEntry.objects.filter(action="registration.exported").order_by("id"))
    assert [(e.actor, e.data["format"], e.data["rows"]) for e in entries] == [
        (organiser, "csv", 1), (organiser, "xlsx", 0)]
    assert entries[0].data["filters"] == {"status": "pending", "search": True}
    assert entries[1].data["filters"] == {"status": "confirmed"}
    assert entries[0].object_id == str(event.pk)
    # The search term and nobody's name or address is in the log.
    logged = json.dumps([(e.summary, e.data) for e in entries], ensure_ascii=False)
    for personal in ("Zoë", "Zo", "zoe@test.invalid", "Ölçer", "Alice"):
        assert personal not in logged


def test_illegal_xml_characters_do_not_break_the_xlsx(desk_world, desk_client, event):
    from fusionforum.accounts.models import User

    User.objects.filter(pk=desk_world["alice"].pk).update(full_name="\x01=1+1 Alice\x02")
    response = desk_client.get(export_url(event, "xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["'=1+1 Alice"]
