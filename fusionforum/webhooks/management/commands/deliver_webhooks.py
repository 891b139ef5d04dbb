from django.core.management.base import BaseCommand

from fusionforum.webhooks import services


class Command(BaseCommand):
    help = ("Send every webhook message whose (next) attempt is due. Run it every minute from "
            "the scheduler: it picks up retries when the job backend cannot defer jobs, and "
            "anything a stopped worker left behind.")

    def handle(self, *args, **options):
        made = services.run_due()
        self.stdout.write(f"{made} webhook attempt(s) made.")
