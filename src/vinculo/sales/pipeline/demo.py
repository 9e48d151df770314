"""Opportunities of the demo data set: deals on the default pipeline for the demo accounts,
open ones spread over the stages and the next months, won and lost ones over the last year
(with their close dates), some with products, plus monthly quotas for the sales teams.

Called by the demo builder after accounts and products exist:
`make_opportunities(ctx, summary, on_step)`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from vinculo.platform import records

from .models import Pipeline, StageKind

NAMES = {
    "en": ["Annual licence", "Expansion", "Pilot project", "Renewal", "Support plan",
           "Hardware refresh", "Onboarding package", "Multi-year deal"],
    "es": ["Licencia anual", "Ampliación", "Proyecto piloto", "Renovación", "Plan de soporte",
           "Renovación de equipos", "Paquete de implantación", "Contrato plurianual"],
}
BATCH = 1000


def _language(country: str) -> str:
    from vinculo.platform.importexport import demo_data as data

    try:
        return "es" if data.COUNTRIES[country][0] == "es" else "en"
    except (KeyError, IndexError, TypeError):
        return "en"


def make_opportunities(ctx: Any, summary: Any, on_step: Any, per_account: float = 1.6) -> None:
    """About `per_account` deals per demo account, owned by the account's owner."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None or not ctx.accounts:
        return
    stages = list(pipeline.stages.order_by("order", "id"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next((s for s in stages if s.kind == StageKind.WON), None)
    lost = next((s for s in stages if s.kind == StageKind.LOST), None)
    reasons = pipeline.lost_reason_list() or ["Price"]
    rnd = ctx.rnd
    today = ctx.now.date()
    rows: list[dict] = []
    for account in ctx.accounts:
        count = int(per_account) + (1 if rnd.random() < per_account % 1 else 0)
        for _i in range(rnd.choice((0, count, count, count + 1))):
            language = _language(account.get("country", ""))
            domain = (account.get("domain") or "").split(".")[0].replace("-", " ").title()
            row: dict[str, Any] = {
                "name": f"{rnd.choice(NAMES[language])} · {domain}".strip(" ·"),
                "account_id": account["id"], "owner_id": account.get("owner"),
                "pipeline_id": pipeline.pk, "currency": "EUR"}
            if rnd.random() < 0.35 and ctx.products:
                row["lines"] = [
                    {"product_id": p["id"], "quantity": rnd.choice((1, 2, 5, 10, 20)),
                     "discount": rnd.choice((0, 0, 5, 10))}
                    for p in rnd.sample(ctx.products, min(len(ctx.products),
                                                          rnd.randint(1, 3)))]
            else:
                row["amount"] = str(Decimal(rnd.randint(8, 600) * 250))
            roll = rnd.random()
            if roll < 0.6 or won is None or lost is None:
                row["stage_id"] = rnd.choice(open_stages).pk
                row["expected_close_date"] = today + dt.timedelta(days=rnd.randint(-20, 200))
            else:
                closed = ctx.now - dt.timedelta(days=rnd.randint(0, 340), hours=rnd.randint(0, 9))
                row["closed_at"] = closed
                row["expected_close_date"] = closed.date()
                if roll < 0.85:
                    row["stage_id"] = won.pk
                else:
                    row["stage_id"] = lost.pk
                    row["lost_reason"] = rnd.choice(reasons)
            rows.append(row)
    created = 0
    for start in range(0, len(rows), BATCH):
        result = records.create_many("opportunities", rows[start:start + BATCH],
                                     actor=ctx.actor, source="demo")
        if result.errors:
            first = next(iter(result.errors.items()))
            raise RuntimeError(f"Demo opportunities refused: row {first[0]}: {first[1]}")
        created += len(result.created)
    summary.counts["opportunities"] = summary.counts.get("opportunities", 0) + created
    on_step("opportunities")
    make_quotas(ctx, summary, today)


def make_quotas(ctx: Any, summary: Any, today: dt.date) -> None:
    """A monthly quota for each sales team for the last three and the next three months."""
    from vinculo.identity.models import Team

    from .models import Quota

    if Quota.objects.exists():
        return
    first = today.replace(day=1)
    rows = []
    for team in Team.objects.filter(name__in=list(ctx.owners_by_team)):
        members = len(ctx.owners_by_team.get(team.name, ())) or 1
        for offset in range(-3, 4):
            index = first.month - 1 + offset
            month = first.replace(year=first.year + index // 12, month=index % 12 + 1)
            rows.append({"team_id": team.pk, "period": "month", "starts_on": month,
                         "amount": str(Decimal(members * 40_000)), "currency": "EUR"})
    if rows:
        result = records.create_many("quotas", rows, actor=ctx.actor, source="demo")
        summary.counts["quotas"] = summary.counts.get("quotas", 0) + len(result.created)
