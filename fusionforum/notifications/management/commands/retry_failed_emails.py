from django.core.management.base import BaseCommand

from fusionforum.notifications.services import retry_failed


class Command(BaseCommand):
    help = "Queue every failed outbound e-mail that has attempts left for another delivery."

    def handle(self, *args, **options):
        count = retry_failed()
        self.stdout.write(f"Queued {count} e-mail(s) for another attempt.")
