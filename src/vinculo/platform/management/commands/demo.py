import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vinculo.platform.importexport import demo
from vinculo.platform.importexport.commands import actor_for


class Command(BaseCommand):
    help = ("Load a believable demo data set: users of every role in teams, accounts, "
            "contacts, two years of activities, tasks, products and orders.")

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=300, help="how many contacts")
        parser.add_argument("--seed", type=int, default=42,
                            help="the same seed gives the same data set")
        parser.add_argument("--as", dest="username", default="",
                            help="the user the records are created as (default: the first "
                                 "administrator)")

    def handle(self, *args, **opts):
        if not 1 <= opts["contacts"] <= 1_000_000:
            raise CommandError(_("--contacts must be between 1 and 1,000,000."))
        started = time.monotonic()
        try:
            actor = actor_for(opts["username"])
        except CommandError:
            summary = demo.Summary()
            demo.ensure_users(summary)
            actor = actor_for("")

        def step(name: str) -> None:
            if opts["verbosity"] > 0:
                self.stderr.write(_("  %(step)s done (%(seconds).1f s)")
                                  % {"step": name, "seconds": time.monotonic() - started})

        summary = demo.build(contacts=opts["contacts"], seed=opts["seed"], actor=actor,
                             on_step=step)
        if opts["verbosity"] > 0:
            counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items())
            self.stdout.write(_("Demo data loaded: %(counts)s.") % {"counts": counts})
            self.stdout.write(_("Demo users (password %(password)s): %(users)s")
                              % {"password": summary.password,
                                 "users": ", ".join(summary.users)})
