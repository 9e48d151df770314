"""`vinculo recommendations build|evaluate|train-leads`: the recommendation model and the
lead-scoring model, on demand (the scheduler also runs both nightly)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vinculo.analytics.recommendations import leadscoring, services


class Command(BaseCommand):
    help = "Build product recommendations, evaluate them, or train the lead-scoring model."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("build", help="Build the recommendation model from the order history.")
        evaluate = sub.add_parser("evaluate", help="Hit rate at k on a time-split holdout.")
        evaluate.add_argument("--cut", help="Train on orders before this date (YYYY-MM-DD).")
        evaluate.add_argument("-k", type=int, default=5)
        sub.add_parser("train-leads", help="Train and evaluate the lead-scoring model.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "build":
            build = services.build()
            self.stdout.write(
                f"Built in {build.seconds:.2f} s: {build.lines} order lines, {build.baskets} "
                f"baskets, {build.contacts} customers, {build.products} products, "
                f"{build.pairs} product pairs, {build.recommendations} recommendations.")
        elif action == "evaluate":
            result = services.evaluate(self._cut(options.get("cut")), k=options["k"])
            self.stdout.write(
                f"Cut {result.cut:%Y-%m-%d}: {result.customers} customers, hit rate at "
                f"{result.k} {result.hit_rate:.3f} (most popular: "
                f"{result.baseline_hit_rate:.3f}).")
        else:
            model = leadscoring.train()
            if model.active:
                self.stdout.write(
                    f"Model version {model.version} on {model.n} closed leads: AUC "
                    f"{model.auc:.3f} (rule score {model.baseline_auc:.3f}), Brier "
                    f"{model.brier:.4f} (base rate {model.baseline_brier:.4f}).")
            else:
                self.stdout.write(model.message)

    @staticmethod
    def _cut(text: str | None) -> dt.datetime | None:
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError("--cut: use a date like 2026-01-31.") from None
        return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
