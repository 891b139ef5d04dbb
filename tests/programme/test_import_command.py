"""``manage.py import_programme``: the same import service as the organisers' page, its
JSON summary, dry runs, refusals and exit status."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fusionforum.cfp.models import SpeakerProfile
from fusionforum.core.models import AuditEntry
from fusionforum.programme.models import ProgrammeSession

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "formats" / "samples"

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("import_programme", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_dry_run_prints_the_preview_summary_and_writes_nothing(event):
    summary, _err = run(event.slug, str(FIXTURES / "voc-pretalx-democon.schedule.json"),
                        "--dry-run", "--json")
    assert summary["format"] == "frab-json"
    assert summary["source_system"] == "pretalx"
    assert summary["counts"]["sessions"] == 36
    assert summary["counts"]["talks"] == 36
    assert summary["counts"]["breaks"] == 0
    assert summary["counts"]["speakers"] == 27
    assert summary["counts"]["rooms"] == 2
    # One warning for the zone, saying which wall-clock times were kept.
    zone = [w for w in summary["warnings"] if "wall-clock" in w["message"]]
    assert len(zone) == 1
    assert "UTC" in zone[0]["message"] and "Europe/Paris" in zone[0]["message"]
    assert "at 09:00 in the file is at 09:00 Europe/Paris" in zone[0]["message"]
    assert "imported" not in summary
    assert not ProgrammeSession.objects.filter(event=event).exists()
    assert not SpeakerProfile.objects.filter(event=event).exists()


def test_without_dry_run_it_applies_and_a_second_run_updates(event):
    path = str(FIXTURES / "lswt2019-schedule.xml")
    summary, _err = run(event.slug, path, "--json")
    assert summary["imported"]["sessions"] == 31
    assert ProgrammeSession.objects.filter(event=event).count() == 31
    entry = AuditEntry.objects.filter(action="programme.imported").latest("id")
    assert entry.actor is None and entry.data["sessions_created"] == 31
    again, _err = run(event.slug, path, "--json")
    assert again["counts"]["updated"] == 31
    assert again["imported"] == {"rooms": 0, "sessions": 0, "updated": 31, "persons": 0,
                                 "to_place": 0}
    assert ProgrammeSession.objects.filter(event=event).count() == 31
    assert SpeakerProfile.objects.filter(event=event).count() == 22


def test_a_refused_file_exits_non_zero_with_the_reason(event):
    with pytest.raises(CommandError, match="gpn11-schedule.csv is refused: This file is not a "
                                           "format we can import"):
        run(event.slug, str(SAMPLES / "gpn11-schedule.csv"), "--json")


def test_an_unknown_event_or_file_is_a_clear_error(event, tmp_path):
    with pytest.raises(CommandError, match="No event with the short name"):
        run("nope", str(FIXTURES / "lswt2019-schedule.xml"))
    with pytest.raises(CommandError, match="Cannot read"):
        run(event.slug, str(tmp_path / "missing.xml"))


def test_blocking_problems_exit_with_status_2(event, make_session):
    make_session("break", title="Closed for works", day=1, start="08:00", end="18:00")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_programme", event.slug, str(FIXTURES / "lswt2019-schedule.xml"),
                     "--json", stdout=out, stderr=StringIO())
    assert exit_info.value.code == 2
    summary = json.loads(out.getvalue())
    assert summary["errors"] and "already in the programme" in summary["errors"][0]["message"]


def test_text_output(event):
    out = StringIO()
    call_command("import_programme", event.slug, str(FIXTURES / "voc-hub-schedule2.schedule.json"),
                 "--dry-run", stdout=out)
    text = out.getvalue()
    assert "schedule2 (hub)" in text or "schedule2" in text
    assert "sessions 2 (talks 2, breaks 0), speakers 3" in text
    assert "dry run: nothing was written" in text
