from django.core.management.base import BaseCommand

from fusionforum.webhooks import services


class Command(BaseCommand):
    help = ("Send every webhook message whose (next) attempt is due. Run it every minute from "
            "the scheduler: it picks up retries when the job backend cannot defer jobs, and "
            "anything a stopped worker left behind; it also deletes finished messages older "
            "than 30 days.")

    def handle(self, *args, **options):
        made = services.run_due()
        purged = services.purge_old_messages()
        self.stdout.write(f"{made} webhook attempt(s) made; {purged} finished message(s) older "
                          f"than {services.RETENTION_DAYS} days deleted.")
