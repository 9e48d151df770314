"""Figures of surveys and loyalty:

- `service_dashboard_page` / `service_dashboard_api`: the service dashboard (`/service/
  dashboard/`, `GET /api/v1/service/dashboard`) over every case the run has (the service
  queue figure's 100,000 open cases at full scale) plus survey answers; `ratio` against the
  `/contacts/` list page and `GET /api/v1/contacts` page 1 in the same run.
- `loyalty_awards_per_s`: awards posted through the ledger (row lock, idempotency key, balance
  and tier on the contact, one transaction each); `ratio` against plain single-row inserts
  of the same entries in the same run (the price of never losing or double-counting)."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from ..report import Reporter, median, progress, samples_ms
from ..sizes import PAGE_SIZE, Sizes
from ..world import World
from .board import page_getter

SEED = 8008


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    _dashboard(world, api, sizes, reporter)
    _loyalty(world, sizes, reporter)


def _dashboard(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.service.models import Case

    answers = max(200, round(20_000 * min(sizes.scale, 1)))
    progress(f"service dashboard: {answers:,} survey answers")
    _answers(answers)
    cases = Case.all_objects.count()
    progress(f"service dashboard over {cases:,} cases")
    check = api.get_json("service/dashboard")
    if "backlog" not in check:
        raise RuntimeError("the service dashboard answered without a backlog")
    contacts_page = median(samples_ms(page_getter("/contacts/"), min_runs=5, max_runs=20))
    page = median(samples_ms(page_getter("/service/dashboard/"), min_runs=5, max_runs=20))
    reporter.figure("service_dashboard_page", page, "ms", ratio=page / contacts_page)
    contacts_api = median(samples_ms(lambda: api.get("contacts", limit=PAGE_SIZE)))
    board = median(samples_ms(lambda: api.get("service/dashboard")))
    reporter.figure("service_dashboard_api", board, "ms", ratio=board / contacts_api)


def _answers(count: int) -> None:
    """CSAT answers on existing cases and NPS answers, spread over the last 12 weeks."""
    from vinculo.customers.models import Contact
    from vinculo.service.models import Case
    from vinculo.service.surveys import services
    from vinculo.service.surveys.models import Invitation, Survey, SurveyResponse

    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC)
    csat = services.case_survey()
    nps = Survey.objects.create(kind="nps", name="Bench NPS")
    case_rows = list(Case.all_objects.order_by("id").values_list("id", "contact_id")[:count])
    contacts = list(Contact.all_objects.order_by("id").values_list("id", flat=True)[:count])
    plans = [(csat, case_id, contact_id, rng.randint(1, 5)) for case_id, contact_id in case_rows
             if contact_id] + [(nps, None, c, rng.randint(0, 10)) for c in contacts]
    invitations = [Invitation(survey=s, case_id=case_id, contact_id=contact_id,
                              email="bench@example.com", status="sent")
                   for s, case_id, contact_id, _score in plans]
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    if any(i.pk is None for i in invitations):
        return  # a backend without returned ids: the dashboard is measured without answers
    responses = []
    for invitation, (survey, case_id, contact_id, score) in zip(invitations, plans,
                                                                strict=True):
        at = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 84))
        responses.append(SurveyResponse(invitation=invitation, survey=survey, case_id=case_id,
                                        contact_id=contact_id, score=score, answered_at=at,
                                        updated_at=at))
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)


def _loyalty(world: World, sizes: Sizes, reporter: Reporter) -> None:
    from django.db import transaction

    from vinculo.channels.loyalty import services
    from vinculo.channels.loyalty.models import EntryKind, LedgerEntry
    from vinculo.customers.models import Contact

    count = max(200, min(2_000, round(2_000 * sizes.scale * 10)))
    contacts = list(Contact.all_objects.order_by("id").values_list("id", flat=True)[:count])
    if not contacts:
        return
    progress(f"loyalty: {len(contacts):,} awards through the ledger and as plain inserts")
    services.programme()
    started = time.perf_counter()
    for i, contact_id in enumerate(contacts):
        services.award(contact_id, "review", f"bench-{i}")
    ledger_rate = len(contacts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for i, contact_id in enumerate(contacts):
        with transaction.atomic():
            LedgerEntry.objects.create(contact_id=contact_id, kind=EntryKind.REVIEW, points=50,
                                       key=f"bench-plain-{i}", balance_after=50,
                                       lifetime_after=50)
    plain_rate = len(contacts) / (time.perf_counter() - started)
    reporter.figure("loyalty_awards_per_s", ledger_rate, "awards/s",
                    ratio=ledger_rate / plain_rate)
