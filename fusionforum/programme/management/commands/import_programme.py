"""``manage.py import_programme EVENT FILE [--dry-run] [--json] [--extend-dates]``: the
organisers' programme import from the command line, through the same service (imports/).

It prints the preview's summary (counts of sessions, talks, breaks, speakers, rooms; the
grouped warnings; the errors) as text, or as JSON with ``--json``, and applies it unless
``--dry-run``. Exit status: 0 imported (or would be, with --dry-run); 1 the file is refused
or the import failed (the message says why, nothing was written); 2 the preview has problems
that block the import. Run by whoever operates the server: the import is recorded in the
audit log as done by the system.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from fusionforum.events.models import Event
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.apply import ImportRefused, apply_preview
from fusionforum.programme.imports.base import MAX_UPLOAD_BYTES, FileRejected


class Command(BaseCommand):
    help = ("Import a programme file (frab/pretalx schedule.xml or .json, Indico, iCalendar) "
            "into an event's working programme; prints the preview's summary.")

    def add_arguments(self, parser):
        parser.add_argument("event", help="The event's short name (slug).")
        parser.add_argument("file", help="The programme file.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Only print the preview; write nothing.")
        parser.add_argument("--json", action="store_true",
                            help="Print the summary as JSON.")
        parser.add_argument("--extend-dates", action="store_true",
                            help="Extend the event's dates when the file has more days.")

    def handle(self, *args, **options):
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"No event with the short name “{options['event']}”.")
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_UPLOAD_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        with translation.override(event.default_language):
            try:
                parsed = previews.read_upload(data, zone=event.time_zone)
            except FileRejected as error:
                if options["json"]:
                    self.stdout.write(json.dumps({"file": path.name, "refused": str(error)},
                                                 ensure_ascii=False, indent=2))
                raise CommandError(f"{path.name} is refused: {error}") from None
            preview = previews.prepare(event, parsed, filename=path.name)
            summary = previews.summary(preview)
            result = None
            if not options["dry_run"] and not preview["errors"]:
                try:
                    result = apply_preview(event, preview, by=None, system=True,
                                           extend_dates=options["extend_dates"])
                except ImportRefused as error:
                    summary["refused"] = str(error)
                    self._print(summary, options)
                    raise CommandError(f"Nothing was imported: {error}") from None
                summary["imported"] = result
            self._print(summary, options)
        if preview["errors"]:
            self.stderr.write(f"{len(preview['errors'])} problem(s) block the import; nothing "
                              "was written.")
            raise SystemExit(2)

    def _print(self, summary: dict, options) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        counts = summary["counts"]
        self.stdout.write(
            f"{summary['file']}: {summary['format']}"
            + (f" ({summary['source_system']})" if summary["source_system"] else "")
            + f", “{summary['title']}”")
        self.stdout.write(
            f"sessions {counts['sessions']} (talks {counts['talks']}, breaks "
            f"{counts['breaks']}), speakers {counts['speakers']}, people {counts['persons']}, "
            f"rooms {counts['rooms']} ({counts['rooms_new']} new), to place "
            f"{counts['to_place']}, updates {counts['updated']}")
        for warning in summary["warnings"]:
            self.stdout.write(f"warning: {warning['where']}: {warning['message']}")
        for error in summary["errors"]:
            self.stdout.write(f"error: {error['where']}: {error['message']}")
        if summary.get("imported"):
            self.stdout.write(f"imported: {summary['imported']}")
        elif options["dry_run"]:
            self.stdout.write("dry run: nothing was written")
