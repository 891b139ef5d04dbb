from django.core.management.base import BaseCommand

from fusionforum.vault import services


class Command(BaseCommand):
    help = ("Delete the site-access values of everyone whose last tour ended more than the "
            "event's retention ago (run daily from cron; the db_worker also runs it at each "
            "record's date), then rewrite the vault's table so no old row version keeps a "
            "value (PostgreSQL; also catches versions an open transaction held back before).")

    def handle(self, *args, **options):
        count = services.purge_due()
        self.stdout.write(f"Purged the values of {count} site-access record(s).")
        if services.reclaim_space():
            self.stdout.write("Rewrote the vault table (VACUUM FULL).")
