"""``manage.py clone_event SOURCE NEW_SLUG "New title" YYYY-MM-DD [--by EMAIL]``: the next
edition of an event (see ``fusionforum.outcomes.editions``)."""

from django.core.management.base import BaseCommand, CommandError

from fusionforum.accounts.models import User
from fusionforum.events.models import Event
from fusionforum.outcomes import editions


class Command(BaseCommand):
    help = "Clone an event's set-up (no participants' data) into its next edition."

    def add_arguments(self, parser):
        parser.add_argument("source", help="slug of the event to clone")
        parser.add_argument("slug", help="slug of the new edition")
        parser.add_argument("title", help="title of the new edition")
        parser.add_argument("start_date", help="first day of the new edition (YYYY-MM-DD)")
        parser.add_argument("--by", default="", help="e-mail of the account that becomes the "
                                                     "new edition's organiser")
        parser.add_argument("--dry-run", action="store_true", help="only show what is copied")

    def handle(self, *args, **options):
        event = Event.objects.filter(slug=options["source"]).first()
        if event is None:
            raise CommandError(f"No event “{options['source']}”.")
        by = None
        if options["by"]:
            by = User.objects.filter(email__iexact=options["by"]).first()
            if by is None:
                raise CommandError(f"No account “{options['by']}”.")
        try:
            editions.validate_request(event, new_slug=options["slug"], new_title=options["title"],
                                      new_start_date=options["start_date"])
        except editions.CloneError as exc:
            raise CommandError(str(exc)) from exc
        for row in editions.plan(event):
            self.stdout.write(f"{row['count']:5d}  {row['label']}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing created.")
            return
        try:
            new = editions.clone_edition(event, new_slug=options["slug"],
                                         new_title=options["title"],
                                         new_start_date=options["start_date"], by=by)
        except editions.CloneError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Created “{new.title}” (/{new.slug}/, {new.start_date} to {new.end_date}), "
            "unpublished."))
