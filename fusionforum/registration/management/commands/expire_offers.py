from django.core.management.base import BaseCommand

from fusionforum.registration.services import expire_offers


class Command(BaseCommand):
    help = "Expire seat offers past their deadline and offer the seats to the next people."

    def handle(self, *args, **options):
        self.stdout.write(f"{expire_offers()} offer(s) expired.")
