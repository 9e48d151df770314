from django.core.management.base import BaseCommand, CommandError

from vinculo.identity.models import User
from vinculo.identity.services import token_create


class Command(BaseCommand):
    help = "Create an API token for a user; the token is printed once, as the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"No user named {opts['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {opts['username']!r} is not active.")
        _token, raw = token_create(user, opts["name"])
        self.stdout.write(raw)
