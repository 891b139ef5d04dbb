"""Registrations as a spreadsheet: CSV (UTF-8 with BOM) and XLSX, one row per registration with
the event's questions as columns.

Spreadsheets run cell text that starts with ``=``, ``+``, ``-`` or ``@`` (and tab or carriage
return) as a formula, so a participant could plant ``=HYPERLINK(...)`` or a DDE command in their
name and have it run on an organiser's computer (CSV/formula injection, see OWASP). Every such
cell is neutralised with a leading single quote; in XLSX the cell is also forced to text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .desk_services import format_answer, pool_label, waitlist_positions
from .models import Registration

# The characters that make a spreadsheet treat text as a formula, and their full-width forms
# some spreadsheet programs accept as well.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Headers for people, in the language of the organiser who downloads the file.
FIXED_COLUMNS = [
    gettext_lazy("Registration"), gettext_lazy("Name"), gettext_lazy("E-mail"),
    gettext_lazy("Organisation"), gettext_lazy("Organisation kind"), gettext_lazy("Country"),
    gettext_lazy("Status"), gettext_lazy("Seat pool"), gettext_lazy("Waiting list position"),
    gettext_lazy("Priority"), gettext_lazy("Submitted"), gettext_lazy("Checked in"),
    gettext_lazy("On public list"),
]


def is_dangerous(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_TRIGGERS)


def neutralise(value) -> str:
    """The cell's text, made inert if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if is_dangerous(text) else text


def _when(moment, tz) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, tz).strftime("%Y-%m-%d %H:%M")


def table(event, registrations: Iterable[Registration]) -> tuple[list[str], list[list]]:
    """Header and rows, values not yet neutralised. Numbers stay numbers."""
    questions = list(event.questions.all())
    positions = waitlist_positions(event)
    header = [str(column) for column in FIXED_COLUMNS] + [q.label for q in questions]
    rows = []
    for r in registrations:
        user, organisation = r.user, r.organisation
        answers = r.answers or {}
        rows.append([
            r.pk, user.full_name, user.email, organisation.name,
            str(organisation.get_kind_display()), organisation.country.code,
            str(r.get_status_display()), pool_label(r.seat_pool) if r.seat_pool else "",
            positions.get(r.pk, ""), r.priority, _when(r.submitted_at, event.tz),
            _when(r.checked_in_at, event.tz), _("Yes") if r.consent_public_list else _("No"),
            *[format_answer(answers.get(str(q.pk))) for q in questions],
        ])
    return header, rows


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([neutralise(value) for value in row])
    # The byte-order mark tells Excel the file is UTF-8, so accents open right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: list[list], *, title: str = "Registrations") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)

    def cell(value, *, heading=False):
        if isinstance(value, bool) or not isinstance(value, int | float):
            # Drop the control characters XLSX cannot hold first, then neutralise what is left.
            text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))
            c = WriteOnlyCell(sheet, value=text)
            # Never a formula, whatever the text: a plain string cell.
            c.data_type = "s"
        else:
            c = WriteOnlyCell(sheet, value=value)
        if heading:
            c.font = bold
        return c

    sheet.append([cell(value, heading=True) for value in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
