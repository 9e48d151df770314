from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vinculo.identity.roles import BUILTIN_ROLES
from vinculo.identity.services import user_create


class Command(BaseCommand):
    help = "Create a user with a role (admin, manager, sales, service, marketing, readonly)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True,
                            help=f"one of: {', '.join(BUILTIN_ROLES)} or a custom role")
        parser.add_argument("--team", action="append", default=[], help="team name (repeatable)")
        parser.add_argument("--password", help="default: a generated one, printed")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--language", default="", choices=["", "en", "es"])

    def handle(self, *args, **opts):
        try:
            user, generated = user_create(
                username=opts["username"], role=opts["role"], email=opts["email"],
                password=opts["password"], teams=opts["team"], first_name=opts["first_name"],
                last_name=opts["last_name"], language=opts["language"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(
                f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"Created user {user.username} with role {opts['role']}.")
        if generated:
            self.stdout.write(f"Password: {generated}")
