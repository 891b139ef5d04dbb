import time

from django.core.management.base import BaseCommand

from fusionforum.announcements import reminders


class Command(BaseCommand):
    help = ("Send every automatic reminder that is due (site-access data, tours and meetings "
            "tomorrow, livestreams starting, the survey), each once: run it every few minutes "
            "from cron, or with --every SECONDS beside the worker (scripts/serve.sh does).")

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0,
                            help="Run again every SECONDS until stopped (0: once).")

    def handle(self, *args, every=0, **options):
        while True:
            count = reminders.run_due()
            self.stdout.write(f"{count} reminder(s) queued.")
            if every <= 0:
                return
            time.sleep(every)
