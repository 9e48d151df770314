"""`create_with_hooks_rules`: contacts created one at a time through the write pipeline with
10 plug-in hooks (before validation, before save and after save) and 10 active business rules
on contacts (conditions of the kinds admins write: filters, "field changed", one rule that sets
a value on every record), against the same contacts with neither, in the same run.
`create_many_with_hooks_rules` does the same through the import path (`records.create_many`,
batches of 1,000)."""

from __future__ import annotations

import time

from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World

FULL_SINGLES = 3_000
FULL_BULK = 10_000
BATCH = 1_000
HOOKS = 10
RULES = 10
ROUNDS = 4


def run(world: World, sizes: Sizes, reporter: Reporter) -> None:
    singles = FULL_SINGLES if sizes.scale >= 1 else max(100, round(FULL_SINGLES * sizes.scale))
    bulk = FULL_BULK if sizes.scale >= 1 else max(200, round(FULL_BULK * sizes.scale))
    _singles(world, min(singles, 100), "warm")  # first-use costs count in neither figure
    _forget()
    rule_ids = _rules()
    _switch_rules(rule_ids, False)
    names: list[tuple[str, str]] = []
    # Plain and ruled runs alternate in rounds, so that drift on a shared machine (disk,
    # other processes) falls on both sides alike.
    times = {"plain-one": 0.0, "ruled-one": 0.0, "plain-many": 0.0, "ruled-many": 0.0}
    progress(f"creating {singles:,} + {bulk:,} contacts with no hooks or rules and as many "
             f"through {HOOKS} plug-in hooks and {RULES} business rules, in {ROUNDS} rounds")
    try:
        for r in range(ROUNDS):
            for ruled in (False, True) if r % 2 == 0 else (True, False):
                side = "ruled" if ruled else "plain"
                if ruled:
                    names = _hooks()
                    _switch_rules(rule_ids, True)
                times[f"{side}-one"] += _singles(world, singles // ROUNDS, f"{side}-one-{r}")
                times[f"{side}-many"] += _bulk(world, bulk // ROUNDS, f"{side}-many-{r}")
                if ruled:
                    _check()
                    _unhook(names)
                    _switch_rules(rule_ids, False)
                _forget()
    finally:
        _forget()
        _forget_rules(rule_ids)
        _unhook(names)
    one, many = (singles // ROUNDS) * ROUNDS, (bulk // ROUNDS) * ROUNDS
    plain_rate, ruled_rate = one / times["plain-one"], one / times["ruled-one"]
    reporter.figure("create_plain_per_s", plain_rate, "records/s")
    reporter.figure("create_with_hooks_rules", ruled_rate, "records/s",
                    ratio=ruled_rate / plain_rate)
    plain_many, ruled_many = many / times["plain-many"], many / times["ruled-many"]
    reporter.figure("create_many_plain_per_s", plain_many, "records/s")
    reporter.figure("create_many_with_hooks_rules", ruled_many, "records/s",
                    ratio=ruled_many / plain_many)


def _switch_rules(ids: list[int], active: bool) -> None:
    from vinculo.automation.models import BusinessRule
    from vinculo.automation.services import touch

    BusinessRule.objects.filter(pk__in=ids).update(active=active)
    touch("contacts")


def _rows(count: int, tag: str) -> list[dict]:
    countries = ("ES", "PT", "FR", "DE", "IT", "GB", "MX", "AR")
    return [{"first_name": f"Ana{i}", "last_name": f"{tag}-{i}", "country": countries[i % 8],
             "email": f"{tag}-{i}@hooks.bench.example", "city": ("Madrid", "Lisboa")[i % 2],
             "title": ("CEO", "CTO", "Buyer", "")[i % 4]} for i in range(count)]


def _singles(world: World, count: int, tag: str) -> float:
    from vinculo.platform import records

    rows = _rows(count, tag)
    start = time.perf_counter()
    for row in rows:
        records.create("contacts", row, actor=world.admin, source="bench")
    return time.perf_counter() - start


def _bulk(world: World, count: int, tag: str) -> float:
    from vinculo.platform import records

    rows = _rows(count, tag)
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        result = records.create_many("contacts", rows[first:first + BATCH], actor=world.admin,
                                     source="bench")
        if result.errors:
            raise RuntimeError(f"rows refused: {dict(list(result.errors.items())[:3])}")
    return time.perf_counter() - start


def _hooks() -> list[tuple[str, str]]:
    """Ten small hooks of the kinds plug-ins have: tidy text, check a value, note a fact."""
    from django.core.exceptions import ValidationError

    from vinculo.platform.hooks_registry import Stage, register

    names = []
    stages = [Stage.BEFORE_VALIDATE] * 4 + [Stage.BEFORE_SAVE] * 4 + [Stage.AFTER_SAVE] * 2

    def make(i: int, stage: Stage):
        def hook(change) -> None:
            if stage == Stage.BEFORE_VALIDATE:
                value = change.data.get("title")
                if isinstance(value, str):
                    change.data["title"] = value.strip()
            elif stage == Stage.BEFORE_SAVE:
                if (change.instance.email or "").endswith(f"@blocked{i}.example"):
                    raise ValidationError({"email": ["blocked"]})
            else:
                change.context[f"bench-{i}"] = change.instance.pk
        return hook

    for i, stage in enumerate(stages):
        name = f"bench.hook{i}"
        register("contacts", stage, order=100 + i, name=name)(make(i, stage))
        names.append((str(stage), name))
    return names


def _unhook(names: list[tuple[str, str]]) -> None:
    from vinculo.platform.hooks_registry import unregister

    for stage, name in names:
        unregister("contacts", stage, name)


def _rules() -> list[int]:
    from vinculo.automation import services

    made = []
    for i in range(RULES - 1):
        data = [
            {"condition": {"all": [{"field": "country", "op": "eq", "value": "US"},
                                   {"field": "title", "op": "changed"}]},
             "action": "refuse", "message": {"en": f"no {i}", "es": f"no {i}"}},
            {"condition": {"field": "email", "op": "icontains", "value": f"@partner{i}."},
             "action": "require", "fields": ["phone"]},
            {"condition": {"any": [{"field": "city", "op": "eq", "value": f"Nowhere {i}"},
                                   {"field": "do_not_contact", "op": "eq", "value": True}]},
             "action": "set", "values": {"email_opt_in": False}},
        ][i % 3]
        made.append(services.create_rule({"entity": "contacts", "name": f"bench {i}",
                                          "order": i, **data}).pk)
    last = services.create_rule({
        "entity": "contacts", "name": "bench tag Iberia", "order": RULES, "action": "set",
        "condition": {"field": "country", "op": "in", "value": ["ES", "PT"]},
        "values": {"region": "Iberia"}})
    return [*made, last.pk]


def _check() -> None:
    from vinculo.customers.models import Contact

    iberian = Contact.all_objects.filter(last_name__startswith="ruled-",
                                         country__in=["ES", "PT"])
    if not iberian.exists() or iberian.exclude(region="Iberia").exists():
        raise RuntimeError("the business rules did not run")


def _forget() -> None:
    from vinculo.customers.models import Contact
    from vinculo.platform import registry, search
    from vinculo.platform.models import AuditEntry

    qs = Contact.all_objects.filter(email__endswith="@hooks.bench.example")
    ids = list(qs.values_list("pk", flat=True))
    search.unindex(registry.get("contacts"), ids)
    AuditEntry.objects.filter(entity="contacts", record_id__in=ids).delete()
    qs.delete()


def _forget_rules(ids: list[int]) -> None:
    from vinculo.automation.models import BusinessRule
    from vinculo.automation.services import touch

    BusinessRule.objects.filter(pk__in=ids).delete()
    touch("contacts")
