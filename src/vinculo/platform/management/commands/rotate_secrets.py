from django.core.management.base import BaseCommand
from django.db import transaction

from vinculo.platform.encryption import encrypt_existing, encrypted_fields


class Command(BaseCommand):
    help = ("Encrypt every stored credential again with the first key of VINCULO_SECRETS_KEYS "
            "(after adding a key; the old keys can be removed afterwards).")

    def handle(self, *args, **opts):
        for model, field in encrypted_fields():
            with transaction.atomic():
                done = encrypt_existing(model, field)
            self.stdout.write(f"{model._meta.label}.{field}: {done}")
