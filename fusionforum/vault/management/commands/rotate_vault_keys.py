from django.core.management.base import BaseCommand

from fusionforum.vault import services


class Command(BaseCommand):
    help = ("Re-encrypt every site-access record with the first key of VAULT_KEYS. Put the new "
            "key first, run this, then remove the old key.")

    def handle(self, *args, **options):
        count = services.rotate_keys()
        self.stdout.write(f"Re-encrypted {count} site-access record(s) with the newest key.")
