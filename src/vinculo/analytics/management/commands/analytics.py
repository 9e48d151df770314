"""`vinculo analytics fit [--calibration-end DATE]`: fit the customer-base models and score
every contact."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vinculo.analytics import services


class Command(BaseCommand):
    help = "Customer analytics: fit the customer-base models and score contacts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        fit = sub.add_parser("fit", help="Fit BG/NBD, Pareto/NBD and Gamma-Gamma on the order "
                                         "history and write every contact's scores.")
        fit.add_argument("--calibration-end", dest="calibration_end", default=None,
                         help="Last day (YYYY-MM-DD) of the orders the models learn from; "
                              "default: today. Later orders form the holdout report.")

    def handle(self, *args, **options) -> None:
        if options["action"] == "fit":
            self.fit(options.get("calibration_end"))

    def fit(self, raw: str | None) -> None:
        end = None
        if raw:
            try:
                end = dt.date.fromisoformat(raw)
            except ValueError as exc:
                raise CommandError(_("--calibration-end must be a date like 2026-01-31.")) \
                    from exc
        started = time.perf_counter()
        outcome = services.fit(end)
        seconds = time.perf_counter() - started
        if outcome.run is None:
            self.stdout.write(self.style.WARNING(outcome.message))
            self.stdout.write(_("%(n)s contacts scored (RFM only) in %(s).1f s.")
                              % {"n": outcome.scored, "s": seconds})
            return
        run = outcome.run
        bg = run.bgnbd
        self.stdout.write(outcome.message)
        self.stdout.write(f"BG/NBD r={bg['r']:.3f} alpha={bg['alpha']:.3f} a={bg['a']:.3f} "
                          f"b={bg['b']:.3f} LL={bg['log_likelihood']:.1f}")
        if run.gamma_gamma:
            gg = run.gamma_gamma
            self.stdout.write(f"Gamma-Gamma p={gg['p']:.2f} q={gg['q']:.2f} "
                              f"gamma={gg['gamma']:.2f} LL={gg['log_likelihood']:.1f}")
        self.stdout.write(self.style.SUCCESS(
            _("%(n)s contacts scored in %(s).1f s.") % {"n": outcome.scored, "s": seconds}))
