"""`assignment_leads_per_s`: new leads given an owner by 50 active assignment rules (the
matching one last, a round-robin over the sales team), against as many leads created with no
rules, in the same run. Both through the import path (`records.create_many`, batches of
1,000), the two kinds of batch alternating so that both meet the same machine;
`assignment_single_create_per_s` does the same one `records.create` at a time."""

from __future__ import annotations

import time
from collections import Counter

from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World

FULL_LEADS = 10_000
BATCH = 1_000
RULES = 50


def run(world: World, sizes: Sizes, reporter: Reporter) -> None:
    leads = FULL_LEADS if sizes.scale >= 1 else max(200, round(FULL_LEADS * sizes.scale))
    batch = min(BATCH, leads)
    singles = max(50, leads // 10)
    rule_ids = _rules(world)
    try:
        _switch(rule_ids, on=False)
        _bulk(world, _rows(batch, "warm-up"))  # first-use costs count in neither figure
        progress(f"creating {leads:,} leads through {RULES} assignment rules, and {leads:,} "
                 "with none, in alternate batches")
        plain_rows, ruled_rows = _rows(leads, "plain"), _rows(leads, "ruled")
        plain_seconds = ruled_seconds = 0.0
        plain_one = ruled_one = 0.0
        for first in range(0, leads, batch):
            _switch(rule_ids, on=False)
            plain_seconds += _bulk(world, plain_rows[first:first + batch])
            _switch(rule_ids, on=True)
            ruled_seconds += _bulk(world, ruled_rows[first:first + batch])
        _check_fair(world, leads)
        step = max(1, singles // 10)
        one_plain, one_ruled = _rows(singles, "plain-one"), _rows(singles, "ruled-one")
        for first in range(0, singles, step):
            _switch(rule_ids, on=False)
            plain_one += _singles(world, one_plain[first:first + step])
            _switch(rule_ids, on=True)
            ruled_one += _singles(world, one_ruled[first:first + step])
    finally:
        _forget_leads()
        _forget_rules(rule_ids)
    plain_rate, ruled_rate = leads / plain_seconds, leads / ruled_seconds
    reporter.figure("assignment_plain_create_per_s", plain_rate, "leads/s")
    reporter.figure("assignment_leads_per_s", ruled_rate, "leads/s",
                    ratio=ruled_rate / plain_rate)
    reporter.figure("assignment_single_create_per_s", singles / ruled_one, "leads/s",
                    ratio=plain_one / ruled_one)


def _switch(rule_ids: list[int], *, on: bool) -> None:
    """Turn the benchmark's rules on or off (as an administrator would: a new stamp)."""
    from vinculo.sales.assignment.models import AssignmentRule
    from vinculo.sales.assignment.services import touch

    AssignmentRule.objects.filter(pk__in=rule_ids).update(active=on)
    touch("leads")


def _rows(count: int, tag: str) -> list[dict]:
    countries = ("ES", "PT", "FR", "DE", "IT", "GB", "MX", "AR")
    sources = ("web", "email", "phone", "event", "referral")
    return [{"first_name": f"Lead{i}", "last_name": f"{tag}-{i}", "company": f"Co {i % 997}",
             "email": f"{tag}-{i}@leads.bench.example", "country": countries[i % 8],
             "postal_code": f"{10000 + i % 90000}", "source": sources[i % 5],
             "employees": i % 5000} for i in range(count)]


def _bulk(world: World, rows: list[dict]) -> float:
    from vinculo.platform import records

    start = time.perf_counter()
    result = records.create_many("leads", rows, actor=world.admin, source="bench")
    seconds = time.perf_counter() - start
    if result.errors:
        raise RuntimeError(f"lead rows refused: {dict(list(result.errors.items())[:3])}")
    return seconds


def _singles(world: World, rows: list[dict]) -> float:
    from vinculo.platform import records

    start = time.perf_counter()
    for row in rows:
        records.create("leads", row, actor=world.admin, source="bench")
    return time.perf_counter() - start


def _rules(world: World) -> list[int]:
    """49 rules that match none of the leads (conditions of the kinds admins write), then a
    round-robin over the sales team for every lead from the web, email, phone, events or
    referrals."""
    from vinculo.identity.models import Team
    from vinculo.sales.assignment import services

    team = Team.objects.get(name="Iberia")
    ids = []
    for i in range(RULES - 1):
        condition = [
            {"all": [{"field": "country", "op": "eq", "value": "US"},
                     {"field": "employees", "op": "gte", "value": 100 + i}]},
            {"field": "email", "op": "icontains", "value": f"@partner{i}.example"},
            {"any": [{"field": "company", "op": "startswith", "value": f"Partner {i}"},
                     {"field": "source", "op": "eq", "value": "chat"}]},
            {"all": [{"field": "postal_code", "op": "between", "value": ["00000", "00999"]},
                     {"not": {"field": "status", "op": "eq", "value": "working"}}]},
        ][i % 4]
        rule = services.create_rule({"entity": "leads", "name": f"bench {i}", "method": "user",
                                     "user_id": world.reps[i % len(world.reps)].pk,
                                     "condition": condition})
        ids.append(rule.pk)
    last = services.create_rule({
        "entity": "leads", "name": "bench round-robin", "method": "round_robin",
        "team_id": team.pk, "condition": {"field": "source", "op": "in",
                                          "value": ["web", "email", "phone", "event",
                                                    "referral"]}})
    return [*ids, last.pk]


def _check_fair(world: World, count: int) -> None:
    from vinculo.sales.leads.models import Lead

    counts = Counter(Lead.all_objects.filter(last_name__startswith="ruled-").values_list(
        "owner_id", flat=True))
    reps = {r.pk for r in world.reps}
    if set(counts) != reps or max(counts.values()) - min(counts.values()) > 1:
        raise RuntimeError(f"the round-robin was not fair: {dict(counts)}")
    if sum(counts.values()) != count:
        raise RuntimeError("not every lead was assigned")


def _forget_leads() -> None:
    from vinculo.platform import registry, search
    from vinculo.platform.models import AuditEntry
    from vinculo.sales.leads.models import Lead

    ids = list(Lead.all_objects.values_list("pk", flat=True))
    search.unindex(registry.get("leads"), ids)
    AuditEntry.objects.filter(entity="leads").delete()
    Lead.all_objects.all().delete()


def _forget_rules(ids: list[int]) -> None:
    from vinculo.sales.assignment.models import Assignment, AssignmentRule
    from vinculo.sales.assignment.services import touch

    Assignment.objects.filter(entity="leads").delete()
    AssignmentRule.objects.filter(pk__in=ids).delete()
    touch("leads")
