import os
import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from vinculo.identity.models import Role, User
from vinculo.identity.services import roles_ensure_builtin


class Command(BaseCommand):
    help = ("Prepare a fresh installation: built-in roles, the admin user (from "
            "DJANGO_SUPERUSER_USERNAME/_PASSWORD/_EMAIL, else 'admin' with a generated "
            "password) and, when the database is empty, the demo data set.")

    def add_arguments(self, parser):
        parser.add_argument("--demo-contacts", type=int, default=300)

    def handle(self, *args, **opts):
        roles_ensure_builtin()
        call_command("createcachetable", verbosity=0)
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "admin@example.com")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        user = User.objects.filter(username=username).first()
        shown = "(unchanged; set DJANGO_SUPERUSER_PASSWORD to choose one)"
        if user is None:
            if not password:
                password = secrets.token_urlsafe(12)
                credentials = settings.VAR_DIR / "admin-password.txt"
                credentials.parent.mkdir(parents=True, exist_ok=True)
                credentials.write_text(f"{username}\n{password}\n")
                os.chmod(credentials, 0o600)
            user = User.objects.create_superuser(username=username, email=email,
                                                 password=password)
            user.role = Role.objects.get(name="admin")
            user.save(update_fields=["role"])
            shown = password
        else:
            credentials = settings.VAR_DIR / "admin-password.txt"
            if password:
                shown = "(from DJANGO_SUPERUSER_PASSWORD)"
            elif credentials.exists():
                shown = credentials.read_text().splitlines()[-1]
        from vinculo.customers.models import Contact

        if settings.VINCULO_DEMO and not Contact.all_objects.exists():
            try:
                call_command("demo", contacts=opts["demo_contacts"], verbosity=0)
                self.stdout.write("Loaded the demo data set.")
            except Exception as exc:  # demo data is a convenience; never block start-up
                self.stderr.write(f"Demo data not loaded: {exc}")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(self.style.SUCCESS(
            f"\n  Vínculo: http://127.0.0.1:{port}/\n  user: {username}\n  password: {shown}\n"))
