"""Leads: what scoring costs and how long a conversion takes.

- `lead_scoring_create_per_s`: new leads through the import path (`records.create_many`,
  batches of 1,000) scored by 8 rules (4 fit rules in the filter language, 4 engagement
  rules), against the same leads with no rules (`ratio`), in the same run.
- `lead_convert_ms`: the median time of `POST /api/v1/leads/<id>/convert` with the defaults
  (matching an existing account and contact, else creating them) and an opportunity in the
  default pipeline, each lead with two activities to carry over.
- `lead_web_form_submit_ms`: the median time of a submission of the public web form
  `/f/<key>/` (validation, the lead, its score, the form-submission event).
"""

from __future__ import annotations

import time

from ..report import Reporter, median, progress
from ..sizes import Sizes
from ..world import World

FULL_LEADS = 10_000
BATCH = 1_000
CONVERSIONS = 50
SUBMISSIONS = 50

RULES = [
    {"name": "bench software", "kind": "fit", "points": 20,
     "condition": {"field": "industry", "op": "in", "value": ["Software", "Technology"]}},
    {"name": "bench big", "kind": "fit", "points": 15,
     "condition": {"field": "employees", "op": "gte", "value": 200}},
    {"name": "bench decision maker", "kind": "fit", "points": 10,
     "condition": {"any": [{"field": "title", "op": "icontains", "value": "director"},
                           {"field": "title", "op": "icontains", "value": "ceo"}]}},
    {"name": "bench spain", "kind": "fit", "points": 5,
     "condition": {"field": "country", "op": "eq", "value": "ES"}},
    {"name": "bench calls", "kind": "engagement", "event": "activity",
     "activity_kind": "call", "points": 5, "max_points": 20},
    {"name": "bench meetings", "kind": "engagement", "event": "activity",
     "activity_kind": "meeting", "points": 15},
    {"name": "bench clicks", "kind": "engagement", "event": "email_click", "points": 3,
     "within_days": 30},
    {"name": "bench forms", "kind": "engagement", "event": "form_submission", "points": 10},
]


def run(world: World, sizes: Sizes, reporter: Reporter) -> None:
    leads = FULL_LEADS if sizes.scale >= 1 else max(500, round(FULL_LEADS * sizes.scale))
    _bulk(world, min(leads, BATCH), "warm-up")  # caches and query plans, not measured
    _forget_leads()
    progress(f"creating {leads:,} leads with no scoring rules (baseline)")
    plain = _bulk(world, leads, "plain")
    _forget_leads()
    rule_ids = _rules()
    try:
        progress(f"creating {leads:,} leads scored by {len(RULES)} rules")
        scored = _bulk(world, leads, "scored")
        _check_scored()
        _forget_leads()
        progress(f"converting {CONVERSIONS} leads")
        convert_ms = _conversions(world)
        progress(f"{SUBMISSIONS} web-form submissions")
        submit_ms = _submissions(world)
    finally:
        _forget_leads()
        _forget_rules(rule_ids)
    plain_rate, scored_rate = leads / plain, leads / scored
    reporter.figure("lead_plain_create_per_s", plain_rate, "leads/s")
    reporter.figure("lead_scoring_create_per_s", scored_rate, "leads/s",
                    ratio=scored_rate / plain_rate)
    reporter.figure("lead_convert_ms", convert_ms, "ms")
    reporter.figure("lead_web_form_submit_ms", submit_ms, "ms")


def _rows(count: int, tag: str) -> list[dict]:
    industries = ("Software", "Retail", "Logistics", "Technology", "Healthcare")
    titles = ("CEO", "Sales director", "Buyer", "Engineer", "Office manager")
    countries = ("ES", "MX", "AR", "CO", "GB", "US")
    return [{"first_name": f"Lead{i}", "last_name": f"{tag}-{i}", "company": f"Co {i % 997}",
             "email": f"{tag}-{i}@leads.bench.example", "country": countries[i % 6],
             "industry": industries[i % 5], "title": titles[i % 5],
             "employees": (i * 37) % 5000, "source": "import"} for i in range(count)]


def _bulk(world: World, count: int, tag: str) -> float:
    from vinculo.platform import records

    rows = _rows(count, tag)
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        result = records.create_many("leads", rows[first:first + BATCH], actor=world.admin,
                                     source="bench")
        if result.errors:
            raise RuntimeError(f"lead rows refused: {dict(list(result.errors.items())[:3])}")
    return time.perf_counter() - start


def _rules() -> list[int]:
    from vinculo.sales.leads import services

    return [services.scoring_rule_save(dict(rule)).pk for rule in RULES]


def _check_scored() -> None:
    from vinculo.sales.leads.models import Lead

    lead = Lead.all_objects.filter(industry="Software", country="ES", title="CEO").first()
    if lead is None or lead.score < 35 or not lead.score_reasons:
        raise RuntimeError("the leads were not scored")


def _conversions(world: World) -> float:
    import json

    from django.test import Client

    from vinculo.platform import records

    client = Client()
    headers = {"Authorization": f"Bearer {world.token}"}
    samples = []
    for i in range(CONVERSIONS):
        lead = records.create("leads", {
            "first_name": "Conv", "last_name": f"Lead {i}", "company": f"Bench Co {i % 10}",
            "email": f"conv{i}@bench-co-{i % 10}.example"}, actor=world.admin, source="bench")
        for kind in ("call", "email"):
            records.create("activities", {"kind": kind, "subject": f"{kind} {i}",
                                          "lead_id": lead.pk}, actor=world.admin,
                           source="bench")
        body = json.dumps({"opportunity": {"amount": "1000"}})
        start = time.perf_counter()
        response = client.post(f"/api/v1/leads/{lead.pk}/convert", body,
                               content_type="application/json", headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"convert answered {response.status_code}: "
                               f"{response.content[:300]!r}")
    return median(samples)


def _submissions(world: World) -> float:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from vinculo.sales.leads import services

    form = services.web_form_save({"name": "bench form", "fields": [
        {"name": "first_name"}, {"name": "last_name", "required": True},
        {"name": "email", "required": True}, {"name": "company"}],
        "consent_text_en": "I agree.", "owner_id": world.admin.pk})
    old = getattr(settings, "VINCULO_WEB_FORM_RATE", None)
    settings.VINCULO_WEB_FORM_RATE = (SUBMISSIONS * 10, 3600)
    client = Client()
    samples = []
    try:
        for i in range(SUBMISSIONS):
            data = {"first_name": "Web", "last_name": f"Visitor {i}",
                    "email": f"web{i}@visitors.bench.example", "company": "Visitors",
                    "consent": "1"}
            start = time.perf_counter()
            response = client.post(f"/f/{form.key}/", data,
                                   REMOTE_ADDR=f"10.9.{i // 250}.{i % 250}")
            samples.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"web form answered {response.status_code}")
    finally:
        settings.VINCULO_WEB_FORM_RATE = old
        cache.delete_many([f"vinculo:webform:ip:10.9.{i // 250}.{i % 250}"
                           for i in range(SUBMISSIONS)])
        form.delete()
    return median(samples)


def _forget_leads() -> None:
    """Remove the leads of this figure and what their conversions created (found by the
    audit entries the conversions wrote), from the tables and the search index."""
    from vinculo.activities.models import Activity
    from vinculo.platform import registry, search
    from vinculo.platform.models import AuditEntry
    from vinculo.sales.leads.models import Lead

    created = {entity: list(AuditEntry.objects.filter(
        entity=entity, operation="create", source="convert").values_list("record_id", flat=True))
        for entity in ("opportunities", "contacts", "accounts")}
    ids = list(Lead.all_objects.values_list("pk", flat=True))
    activity_ids = list(Activity.all_objects.filter(lead_id__in=ids).values_list("pk",
                                                                                flat=True))
    search.unindex(registry.get("activities"), activity_ids)
    search.unindex(registry.get("leads"), ids)
    AuditEntry.objects.filter(entity__in=("leads", "activities"),
                              record_id__in=[*ids, *activity_ids]).delete()
    Lead.all_objects.all().delete()  # their activities and events go with them
    for entity, pks in created.items():
        search.unindex(registry.get(entity), pks)
        registry.get(entity).model.all_objects.filter(pk__in=pks).delete()
        AuditEntry.objects.filter(entity=entity, record_id__in=pks).delete()


def _forget_rules(ids: list[int]) -> None:
    from vinculo.sales.leads.models import ScoringRule

    ScoringRule.objects.filter(pk__in=ids).delete()
