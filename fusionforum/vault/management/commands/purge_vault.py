from django.core.management.base import BaseCommand

from fusionforum.vault import services


class Command(BaseCommand):
    help = ("Delete the site-access values of everyone whose last tour ended more than the "
            "event's retention ago (run daily from cron; the db_worker also runs it at each "
            "record's date).")

    def handle(self, *args, **options):
        count = services.purge_due()
        self.stdout.write(f"Purged the values of {count} site-access record(s).")
