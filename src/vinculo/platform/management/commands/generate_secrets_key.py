from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Print a new key for VINCULO_SECRETS_KEYS (put it first in the list, then run "
            "`vinculo rotate_secrets`).")

    def handle(self, *args, **opts):
        self.stdout.write(Fernet.generate_key().decode())
