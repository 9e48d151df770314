"""A generated lead history with a real signal, for testing predictive lead scoring.

Seeded; each lead's chance of converting is a logistic function of what the model can see:
referral and event leads convert more, company e-mail domains more than free webmail, senior
titles more and junior titles less, and every activity in the first days helps. Leads older
than 90 days that were not converted are disqualified (or left open: stale); newer ones stay
open for the model to predict. The rule-based score is what a sales team would configure: 20
points for a referral, computed by the real scoring rules.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from django.utils import timezone

SOURCES = ["web", "email", "referral", "event", "social"]
TITLES = ["CEO", "Sales Manager", "Intern", "Engineer", "Director of IT", "Assistant", ""]


def make_leads(count: int, seed: int = 3, owner=None, now: dt.datetime | None = None) -> list:
    from vinculo.activities.models import Activity
    from vinculo.sales.leads import scoring
    from vinculo.sales.leads.models import Lead, ScoringRule

    rng = np.random.default_rng(seed)
    now = now or timezone.now()
    leads, activity_plan = [], []
    for i in range(count):
        source = SOURCES[rng.integers(len(SOURCES))]
        title = TITLES[rng.integers(len(TITLES))]
        business = rng.random() < 0.5
        activities = int(rng.poisson(1.5))
        logit = (-2.0 + 1.5 * (source == "referral") + 0.8 * (source == "event")
                 + 0.9 * business + 1.0 * (title in ("CEO", "Director of IT"))
                 - 1.0 * (title in ("Intern", "Assistant")) + 0.5 * activities)
        converted = rng.random() < 1 / (1 + math.exp(-logit))
        created = now - dt.timedelta(days=float(rng.uniform(1, 500)))
        old = created < now - dt.timedelta(days=90)
        if not old:
            status = "new"
        elif converted:
            status = "converted"
        else:
            status = "disqualified" if rng.random() < 0.7 else "working"
        leads.append(Lead(
            first_name=f"L{i}", last_name="Lead", company=f"Co {i}" if business else "",
            email=f"l{i}@{'acme' + str(i % 7) + '.com' if business else 'gmail.com'}",
            title=title, source=source, status=status, owner=owner,
            disqualified_reason="no budget" if status == "disqualified" else "",
            created_at=created, updated_at=created,
            converted_at=created + dt.timedelta(days=20) if status == "converted" else None))
        activity_plan.append(activities)
    leads = Lead.objects.bulk_create(leads)
    Activity.objects.bulk_create([
        Activity(lead=lead, kind="call", direction="outbound", owner=owner,
                 occurred_at=lead.created_at + dt.timedelta(hours=6 + 20 * k),
                 created_at=lead.created_at, updated_at=lead.created_at)
        for lead, n in zip(leads, activity_plan, strict=True) for k in range(n)])
    ScoringRule.objects.create(name="Referral", kind="fit", points=20,
                               condition={"field": "source", "op": "eq", "value": "referral"})
    scoring.forget_rules()
    scoring.rescore_all()
    return leads
