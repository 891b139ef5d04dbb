from django.core.management.base import BaseCommand

from fusionforum.events.demo import (
    DEMO_BACKUP_CODES,
    DEMO_PARTICIPANT,
    DEMO_PASSWORD,
    EXTRA_LOADERS,
    EXTRA_SUMMARIES,
    load_demo,
)


class Command(BaseCommand):
    help = ("Load (or refresh) the synthetic demo workshop. Idempotent: running it again on the "
            "same day changes nothing.")

    def handle(self, *args, **options):
        event = load_demo()
        for loader in EXTRA_LOADERS:
            self.stdout.write(f"  {loader(event)}")
        for summary in EXTRA_SUMMARIES:
            self.stdout.write(f"  {summary(event)}")
        self.stdout.write(self.style.SUCCESS(
            f"Demo workshop “{event.title}” ready at {event.get_absolute_url()} "
            f"({event.start_date} to {event.end_date})."
        ))
        self.stdout.write(
            "Back office: /admin/  organiser@demo.fusionforum.invalid or "
            f"admin@demo.fusionforum.invalid, password {DEMO_PASSWORD}; second factor: any "
            f"of the single-use codes {DEMO_BACKUP_CODES[0]} … {DEMO_BACKUP_CODES[-1]} "
            "(demo only, refilled by every load_demo)"
        )
        self.stdout.write(
            f"Participants: {DEMO_PARTICIPANT} (and the other demo people), "
            f"password {DEMO_PASSWORD}"
        )
