from django.core.management.base import BaseCommand

from fusionforum.visits import services


class Command(BaseCommand):
    help = "Expire waiting-list places on tour runs that have started."

    def handle(self, *args, **options):
        self.stdout.write(f"{services.expire_waiting()} waiting place(s) expired.")
