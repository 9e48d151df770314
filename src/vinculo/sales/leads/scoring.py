"""Lead scoring: points for fit (the lead's values) and engagement (what the lead did).

A lead's `score` is the sum of the points of the active rules it meets, and `score_reasons`
lists each of them: `{"rule_id", "kind", "name", "points", "count"?}`. Both are derived values,
recomputed after every write of the lead and of an activity on it (hooks) and for every lead
after the rules change (a background task).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity
from vinculo.activities.models import Kind as ActivityKind
from vinculo.platform import filters

from .models import EngagementEvent, Lead, LeadEvent, RuleKind, ScoringRule

SCORE_LIMIT = 100_000


def active_rules() -> list[ScoringRule]:
    """The active rules, ready to test leads in memory, read once per transaction (an import
    scores thousands of leads in one): the memo is tied to the outermost atomic block and
    ends with it."""
    connection = transaction.get_connection()
    outer = connection.atomic_blocks[0] if connection.in_atomic_block else None
    memo = getattr(connection, "_vinculo_scoring_rules", None)
    if outer is not None and memo is not None and memo[0]() is outer:
        return memo[1]
    rules = prepare(ScoringRule.objects.filter(active=True).order_by("order", "id"))
    if outer is not None:
        connection._vinculo_scoring_rules = (weakref.ref(outer), rules)
    return rules


def forget_rules() -> None:
    """Drop the memo of this transaction (after the rules changed in it)."""
    connection = transaction.get_connection()
    connection._vinculo_scoring_rules = None


def prepare(rules: Iterable[ScoringRule]) -> list[ScoringRule]:
    """The rules with their fit conditions turned into in-memory tests (`filters.matcher`:
    the same answer as the database gives). A condition made invalid later (a custom field
    removed) matches nothing."""
    prepared = []
    for rule in rules:
        if rule.kind == RuleKind.FIT and not hasattr(rule, "_matcher"):
            try:
                rule._matcher = filters.matcher("leads", rule.condition or {"all": []})
            except filters.FilterError:
                rule._matcher = None
        prepared.append(rule)
    return prepared


def _fits(lead: Lead, rule: ScoringRule, cache: dict) -> bool:
    test = getattr(rule, "_matcher", None)
    return bool(test is not None and test(lead, cache))


def _since(rule: ScoringRule, now: dt.datetime) -> dt.datetime | None:
    return now - dt.timedelta(days=rule.within_days) if rule.within_days else None


def _engagement_count(lead_id: int, rule: ScoringRule, now: dt.datetime,
                      cache: dict[Any, dict[str, int]]) -> int:
    since = _since(rule, now)
    if rule.event == EngagementEvent.ACTIVITY:
        key = ("activity", since)
        if key not in cache:
            qs = Activity.objects.filter(lead_id=lead_id)
            if since is not None:
                qs = qs.filter(occurred_at__gte=since)
            cache[key] = dict(qs.values_list("kind").annotate(n=Count("id")).order_by())
        counts = cache[key]
        return counts.get(rule.activity_kind, 0) if rule.activity_kind else sum(counts.values())
    key = ("event", since)
    if key not in cache:
        qs = LeadEvent.objects.filter(lead_id=lead_id)
        if since is not None:
            qs = qs.filter(at__gte=since)
        cache[key] = dict(qs.values_list("kind").annotate(n=Count("id")).order_by())
    return cache[key].get(rule.event, 0)


def compute(lead: Lead, rules: Iterable[ScoringRule] | None = None, *, new: bool = False
            ) -> tuple[int, list[dict[str, Any]]]:
    """The score of a lead (as saved) and the reasons for it, from the current rules. A `new`
    lead has done nothing yet: its engagement is not looked up."""
    rules = active_rules() if rules is None else prepare(rules)
    now = timezone.now()
    total, reasons = 0, []
    counts: dict[Any, dict[str, int]] = {}
    related: dict = {}
    for rule in rules:
        if rule.kind == RuleKind.FIT:
            if _fits(lead, rule, related):
                total += rule.points
                reasons.append({"rule_id": rule.pk, "kind": "fit", "name": rule.name,
                                "points": rule.points})
            continue
        count = 0 if new else _engagement_count(lead.pk, rule, now, counts)
        if not count:
            continue
        points = rule.points * count
        if rule.max_points is not None:
            points = min(points, rule.max_points) if rule.points >= 0 else max(
                points, rule.max_points)
        total += points
        reasons.append({"rule_id": rule.pk, "kind": "engagement", "name": rule.name,
                        "points": points, "count": count})
    return max(-SCORE_LIMIT, min(SCORE_LIMIT, total)), reasons


def rescore(lead: Lead | int, rules: Iterable[ScoringRule] | None = None, *,
            new: bool = False) -> int | None:
    """Recompute and store a lead's score (a derived column: no version, audit or event);
    nothing is written when it did not change. `lead` is the record as saved, or its id."""
    if not isinstance(lead, Lead):
        lead = Lead.all_objects.filter(pk=lead).first()
        if lead is None:
            return None
    score, reasons = compute(lead, rules, new=new)
    if (lead.score, lead.score_reasons) != (score, reasons):
        lead.score, lead.score_reasons = score, reasons
        Lead.all_objects.filter(pk=lead.pk).update(score=score, score_reasons=reasons)
    return score


def rescore_all(batch: int = 500) -> int:
    """Recompute every lead's score (after the rules changed); returns how many leads."""
    rules = active_rules()
    last, done = 0, 0
    while True:
        ids = list(Lead.all_objects.filter(pk__gt=last).order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        with transaction.atomic():
            if rules:
                for lead in Lead.all_objects.filter(pk__in=ids).order_by("pk"):
                    rescore(lead, rules)
            else:
                Lead.all_objects.filter(pk__in=ids).exclude(score=0, score_reasons=[]).update(
                    score=0, score_reasons=[])
        done += len(ids)
        last = ids[-1]


def schedule_rescore_all() -> None:
    """Rescore every lead in the background once the current transaction commits."""
    from .tasks import rescore_leads

    forget_rules()
    transaction.on_commit(rescore_leads.enqueue)


# ---------------------------------------------------------------------------- rule checks


def clean_rule(rule: ScoringRule) -> None:
    """A rule's parts fit its kind; the fit condition is a valid filter on leads."""
    errors: dict[str, list[str]] = {}
    if rule.kind == RuleKind.FIT:
        rule.event, rule.activity_kind, rule.within_days = "", "", None
        if not isinstance(rule.condition, dict) or not rule.condition:
            errors["condition"] = [_("A fit rule needs a condition.")]
        else:
            try:
                filters.validate("leads", rule.condition)
            except filters.FilterError as exc:
                where = ".".join(str(p) for p in exc.loc[1:])
                errors["condition"] = [f"{where}: {exc.message}" if where else exc.message]
    else:
        rule.condition = {}
        if rule.event not in EngagementEvent.values:
            errors["event"] = [_("Choose the event that earns the points.")]
        if rule.event != EngagementEvent.ACTIVITY:
            rule.activity_kind = ""
        elif rule.activity_kind and rule.activity_kind not in ActivityKind.values:
            errors["activity_kind"] = [_("Unknown activity kind.")]
    if errors:
        raise ValidationError(errors)
