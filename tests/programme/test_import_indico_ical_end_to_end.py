"""Done-when for Indico exports and iCalendar files: the same end-to-end path as the real
samples (tests/programme/test_import_end_to_end.py): upload, preview, confirm, fix, release,
and every export carries the file's speakers, wall-clock times and ids."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from . import test_import_end_to_end as end_to_end

FIXTURES = Path(__file__).resolve().parent / "import_fixtures"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_programmes():
    from fusionforum.programme import public

    public.clear_cache()
    yield
    public.clear_cache()


@pytest.fixture(scope="module")
def frab_xsd():
    return xmlschema.XMLSchema(str(end_to_end.FORMATS / "schedule.xml.xsd"))




@pytest.mark.parametrize("name", [
    "indico-timetable-pwi2025.json",  # a 22:30-00:30 entry: sessions may cross midnight
    "indico-event-sessions-xdc2021.json",
    "ical-google.ics",  # more days than the event: the preview extends its dates
    "ical-outlook.ics",
    "ical-apple.ics",
    "ical-pretalx.ics", "ical-fault-adelaide-truncated.ics", "ical-fault-duplicate-uids.ics",
    "ical-fault-stray-lines.ics", "ical-fault-unfolded-lines.ics",
])
def test_import_fix_release_and_export_again(client, event, organiser, frab_xsd, clock, name,
                                             monkeypatch):
    monkeypatch.setattr(end_to_end, "FIXTURES", FIXTURES)
    end_to_end.test_import_fix_release_and_export_again(client, event, organiser, frab_xsd,
                                                        clock, name)
