"""Import a list of organisations from CSV, so organisers can prepare it before registration
opens.

All or nothing: the whole file is read and every row checked first (encoding, size, header,
the model's own validation, forbidden characters, duplicates inside the file and against the
organisations already known); only a file without a single error is written, in one
transaction.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_countries import countries

from fusionforum.accounts.models import Organisation
from fusionforum.core import audit
from fusionforum.core.text import validate_single_line

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
COLUMNS = ("name", "kind", "country", "website", "fusion_approach")
HEADER_HINT = ",".join(COLUMNS)


class MalformedFile(Exception):
    """The file cannot be read as the expected CSV at all; ``details`` lists where."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportCheck:
    organisations: list[Organisation] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.organisations)


def normalise_name(name: str) -> str:
    """The name as Organisation.clean stores it."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


def name_key(name: str) -> str:
    return normalise_name(name).casefold()


def _too_large() -> str:
    return _("The file is larger than %(megabytes)s MB. Split it into smaller files.") % {
        "megabytes": MAX_BYTES // 1_000_000}


def decode(uploaded) -> str:
    """The upload's text, or MalformedFile if it is too big, empty, not UTF-8 or binary."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise MalformedFile(_too_large())
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise MalformedFile(_too_large())
    if not data.strip():
        raise MalformedFile(_("The file is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(
            _("The file is not UTF-8 text (unreadable byte at position %(position)s). "
              "Save it as “CSV UTF-8” and upload it again.") % {"position": exc.start + 1}
        ) from exc
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls > max(8, len(text) // 20):
        raise MalformedFile(_("This is not a CSV text file: it holds binary data."))
    return text


def _dialect_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to a European locale save CSV with semicolons.
    return ";" if ";" in first_line and "," not in first_line else ","


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells by column) for every non-blank data row; MalformedFile if the CSV
    itself is broken: quotes, header, column counts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect_delimiter(text),
                        strict=True)
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
            if number > MAX_ROWS + 1:
                raise MalformedFile(_("The file has more than %(rows)s rows. Split it into "
                                      "smaller files.") % {"rows": MAX_ROWS})
    except csv.Error as exc:
        raise MalformedFile(
            _("The file is not valid CSV: row %(row)s could not be read (%(problem)s). Check "
              "for a quotation mark that is opened but never closed.")
            % {"row": number + 1, "problem": exc}) from exc
    if not records:
        raise MalformedFile(_("The file is empty."))
    header = [cell.strip().lower().replace(" ", "_") for cell in records[0][1]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        details = []
        if missing:
            details.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            details.append(_("Unknown columns: %(columns)s.") % {
                "columns": ", ".join(c or _("(empty)") for c in unknown)})
        if len(set(header)) != len(header):
            details.append(_("A column appears twice."))
        raise MalformedFile(
            _("The first row must name the columns: %(columns)s.") % {"columns": HEADER_HINT},
            details)
    rows, wrong = [], []
    for number, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue  # blank line
        if len(record) != len(header):
            wrong.append(_("Row %(row)s has %(found)s columns instead of %(expected)s.") % {
                "row": number, "found": len(record), "expected": len(header)})
            continue
        rows.append((number, dict(zip(header, record, strict=True))))
    if wrong:
        raise MalformedFile(
            _("Some rows do not have the same number of columns as the header."), wrong)
    if not rows:
        raise MalformedFile(_("The file has a header but no organisations."))
    return rows


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().casefold()
    for key, label in choices:
        if wanted in (key.casefold(), label.casefold()):
            return key
    return None


def _country(value: str) -> str | None:
    value = value.strip()
    if len(value) == 2 and value.upper() in countries:
        return value.upper()
    return countries.by_name(value) or None


def check_rows(rows: list[tuple[int, dict[str, str]]]) -> ImportCheck:
    """Validate every row; nothing is written."""
    result = ImportCheck()
    existing = {name_key(n) for n in Organisation.objects.values_list("name", flat=True)}
    seen: dict[str, int] = {}
    for number, cells in rows:
        errors: list[RowError] = []
        for column in COLUMNS:
            try:
                validate_single_line(cells[column])
            except ValidationError as exc:
                errors.append(RowError(number, column, " ".join(exc.messages)))
        if errors:
            result.errors.extend(errors)
            continue
        values = {column: cells[column].strip() for column in COLUMNS}
        kind = _choice(values["kind"], Organisation.Kind.choices) if values["kind"] else ""
        if kind is None:
            errors.append(RowError(number, "kind", _(
                "“%(value)s” is not a kind. Use one of: %(kinds)s.") % {
                    "value": values["kind"], "kinds": ", ".join(Organisation.Kind.values)}))
        approach = ""
        if values["fusion_approach"]:
            approach = _choice(values["fusion_approach"], Organisation.Approach.choices)
            if approach is None:
                errors.append(RowError(
                    number, "fusion_approach", _(
                        "“%(value)s” is not an approach. Use one of: %(approaches)s.") % {
                        "value": values["fusion_approach"],
                        "approaches": ", ".join(Organisation.Approach.values)}))
        country = _country(values["country"]) if values["country"] else ""
        if country is None:
            errors.append(RowError(number, "country", _(
                "“%(value)s” is not a country. Use the two-letter code, e.g. FR.") % {
                    "value": values["country"]}))
        website = values["website"]
        if website and "://" not in website:
            website = "https://" + website
        key = name_key(values["name"])
        duplicate = False
        if key and key in seen:
            duplicate = True
            errors.append(RowError(number, "name", _("Same name as row %(row)s.") % {
                "row": seen[key]}))
        elif key and key in existing:
            duplicate = True
            errors.append(RowError(number, "name", _(
                "An organisation named “%(name)s” already exists.") % {
                    "name": normalise_name(values["name"])}))
        if key and key not in seen:
            seen[key] = number
        organisation = Organisation(name=values["name"], kind=kind or "",
                                    country=country or "", website=website,
                                    fusion_approach=approach or "")
        try:
            organisation.full_clean(validate_constraints=not duplicate)
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                if column in ("kind", "country", "fusion_approach") and any(
                        e.column == column for e in errors):
                    continue  # already explained above
                label = "row" if column == NON_FIELD_ERRORS else column
                errors.append(RowError(number, label, " ".join(messages)))
        if errors:
            result.errors.extend(errors)
        else:
            result.organisations.append(organisation)
    return result


def check_file(uploaded) -> ImportCheck:
    return check_rows(read_rows(decode(uploaded)))


def import_organisations(check: ImportCheck, *, by, event=None) -> list[Organisation]:
    """Write the checked organisations, all or none."""
    if not check.ok:
        raise ValueError("Only a file without errors is imported.")
    try:
        with transaction.atomic():
            for organisation in check.organisations:
                organisation.save()
            audit.record("organisations.imported", event, actor=by,
                         summary=f"{len(check.organisations)} organisations imported from CSV",
                         rows=len(check.organisations))
    except IntegrityError as exc:
        raise MalformedFile(_("An organisation with one of these names was added while the "
                              "file was being checked. Nothing was imported; upload it again.")
                            ) from exc
    return check.organisations
