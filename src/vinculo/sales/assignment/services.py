"""Assignment rules at work: choose the owner of a new record, log who chose it, apply the
rules on demand to a selection.

Rules are compiled once per process and entity and kept until the entity's rule-set stamp in
the database changes (any rule change gives it a new random value), so every process sees a
change on its next write. What depends on the moment (team members, open-record counts,
related records) is read once per batch: per transaction block of the write pipeline (one
`records.create`, one `records.create_many` call, one apply).
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.identity.models import Team, User
from vinculo.platform import access, filters, records, registry

from .models import Assignment, AssignmentRule, Method, RuleSet

MAX_RULES = 500
MAX_TERRITORIES = 1000
MAX_APPLY = 50_000

# What "open" means when counting a member's records for `fewest_open`.
OPEN_RECORDS: dict[str, dict] = {
    "leads": {"field": "status", "op": "in", "value": ["new", "working"]},
    "opportunities": {"field": "status", "op": "eq", "value": "open"},
    "cases": {"field": "status", "op": "in", "value": ["new", "open", "pending"]},
}


def assignable_entities() -> list[str]:
    """Every registered entity whose records have an owner."""
    return sorted(e.name for e in registry.all_entities() if e.owned and _has_owner(e))


def _has_owner(entity: registry.Entity) -> bool:
    try:
        entity.model._meta.get_field("owner")
    except Exception:
        return False
    return True


# ------------------------------------------------------------------------------ compiled rules


@dataclass
class Territory:
    country: str
    regions: frozenset[str]
    postal_from: str
    postal_to: str
    user_id: int

    def covers(self, country: str, region: str, postal: str) -> bool:
        if self.country and country.upper() != self.country:
            return False
        if self.regions and region.casefold() not in self.regions:
            return False
        if self.postal_from or self.postal_to:
            code = normal_postal(postal)
            if not code:
                return False
            if self.postal_from and code < self.postal_from:
                return False
            if self.postal_to and code[: len(self.postal_to)] > self.postal_to:
                return False
        return True


def normal_postal(code: Any) -> str:
    return "".join(str(code or "").split()).upper()


@dataclass
class CompiledRule:
    id: int
    name: str
    method: str
    user_id: int | None
    team_id: int | None
    only_unowned: bool
    territories: list[Territory]
    test: Any  # filters.matcher


_compiled: dict[str, tuple[int, list[CompiledRule]]] = {}
_compiled_lock = threading.Lock()


def stamp(entity: str) -> int:
    return RuleSet.objects.filter(entity=entity).values_list("version", flat=True).first() or 0


def touch(entity: str) -> None:
    """Give the entity's rule set a new stamp: every process recompiles on its next write."""
    value = secrets.randbits(62) + 1
    if not RuleSet.objects.filter(entity=entity).update(version=value):
        RuleSet.objects.update_or_create(entity=entity, defaults={"version": value})


def compiled_rules(entity: str, current: int | None = None) -> list[CompiledRule]:
    current = stamp(entity) if current is None else current
    cached = _compiled.get(entity)
    if cached is not None and cached[0] == current:
        return cached[1]
    rules = []
    for rule in AssignmentRule.objects.filter(entity=entity, active=True).order_by("order", "id"):
        try:
            test = filters.matcher(entity, rule.condition or {})
        except filters.FilterError:
            continue  # a condition broken by a later change (a custom field removed): skipped
        rules.append(CompiledRule(rule.pk, rule.name, rule.method, rule.user_id, rule.team_id,
                                  rule.only_unowned, _territories(rule.territories), test))
    with _compiled_lock:
        _compiled[entity] = (current, rules)
    return rules


def _territories(items: Any) -> list[Territory]:
    found = []
    for item in items or []:
        found.append(Territory(
            country=str(item.get("country") or "").upper(),
            regions=frozenset(str(r).casefold() for r in item.get("regions") or []),
            postal_from=normal_postal(item.get("postal_from")),
            postal_to=normal_postal(item.get("postal_to")),
            user_id=item.get("user_id")))
    return found


# ------------------------------------------------------------------------------ batches


@dataclass
class Batch:
    """What one transaction block of the write pipeline reads once and updates in memory."""

    block: Any
    rules: dict[str, list[CompiledRule]] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)
    active_users: dict[int, bool] = field(default_factory=dict)
    open_counts: dict[tuple[str, int], dict[int, int]] = field(default_factory=dict)
    related: dict = field(default_factory=dict)
    logs: list[Assignment] = field(default_factory=list)
    unsaved: int = 0
    # Round-robin turns taken in this block: rule id -> [last turn, turns not yet stored].
    turns: dict[int, list[int]] = field(default_factory=dict)

    def take_turn(self, rule_id: int) -> int:
        """The rule's next turn. The first turn of a block is taken in the database (one
        atomic UPDATE, which also locks the rule's row until the transaction ends); the
        following ones are counted here and stored by `store_turns`, so a batch of
        thousands of records costs two statements, and no other writer can take a turn in
        between."""
        known = self.turns.get(rule_id)
        if known is None:
            self.turns[rule_id] = [next_turn(rule_id), 0]
            return self.turns[rule_id][0]
        known[0] += 1
        known[1] += 1
        return known[0]

    def store_turns(self) -> None:
        for rule_id, known in self.turns.items():
            if known[1]:
                AssignmentRule.objects.filter(pk=rule_id).update(turn=F("turn") + known[1])
                known[1] = 0

    def rules_for(self, entity: str) -> list[CompiledRule]:
        found = self.rules.get(entity)
        if found is None:
            found = self.rules[entity] = compiled_rules(entity)
        return found

    def team_members(self, team_id: int | None) -> list[int]:
        if team_id is None:
            return []
        found = self.members.get(team_id)
        if found is None:
            found = self.members[team_id] = list(
                User.objects.filter(teams=team_id, is_active=True).order_by("pk")
                .values_list("pk", flat=True))
        return found

    def is_active(self, user_id: int | None) -> bool:
        if user_id is None:
            return False
        found = self.active_users.get(user_id)
        if found is None:
            found = self.active_users[user_id] = User.objects.filter(
                pk=user_id, is_active=True).exists()
        return found

    def counts(self, entity: str, team_id: int, members: list[int]) -> dict[int, int]:
        key = (entity, team_id)
        found = self.open_counts.get(key)
        if found is None:
            model = registry.get(entity).model
            qs = model.objects.filter(owner_id__in=members)
            node = OPEN_RECORDS.get(entity)
            if node is not None:
                qs = qs.filter(filters.compile_filter(entity, node))
            found = dict.fromkeys(members, 0)
            found.update(qs.order_by().values_list("owner_id").annotate(n=Count("pk")))
            self.open_counts[key] = found
        return found

    def counted(self, entity: str, owner: int | None, delta: int) -> None:
        for (name, _team), counts in self.open_counts.items():
            if name == entity and owner in counts:
                counts[owner] += delta


_local = threading.local()


def current_batch(model: type[models.Model]) -> Batch:
    """The batch of the innermost transaction block (a new one outside any). Batches are
    kept per block, so that a write nested in another (a hook creating a record) has its
    own and leaves the outer one intact."""
    connection = connections[router.db_for_write(model)]
    block = connection.atomic_blocks[-1] if connection.atomic_blocks else None
    if block is None:
        return Batch(lambda: None)
    batches = getattr(_local, "batches", None)
    if batches is None:
        batches = _local.batches = weakref.WeakKeyDictionary()
    batch = batches.get(block)
    if batch is None:
        batch = batches[block] = Batch(weakref.ref(block))
    return batch


# ------------------------------------------------------------------------------ choosing


def next_turn(rule_id: int) -> int:
    """Take the rule's next round-robin turn: one atomic UPDATE, so that no two writers (in
    any process) ever get the same turn."""
    table = AssignmentRule._meta.db_table
    connection = connections[router.db_for_write(AssignmentRule)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(table)} SET {quote('turn')} = {quote('turn')} + 1 "
                       f"WHERE {quote('id')} = %s RETURNING {quote('turn')}", [rule_id])
        row = cursor.fetchone()
    return row[0] if row else 0


def place(obj: Any, cache: dict | None = None) -> tuple[str, str, str]:
    """(country, region, postal code) of a record, or of its account when it has none (the
    account loaded once per batch)."""
    names = ("country", "region", "postal_code")
    values = tuple(str(getattr(obj, name, "") or "") for name in names)
    account_id = getattr(obj, "account_id", None)
    if not any(values) and account_id:
        model = type(obj)._meta.get_field("account").related_model
        key = (model, account_id)
        cache = {} if cache is None else cache
        if key not in cache:
            cache[key] = model._base_manager.filter(pk=account_id).first()
        account = cache[key]
        values = tuple(str(getattr(account, name, "") or "") for name in names)
    return values  # type: ignore[return-value]


def choose(rule: CompiledRule, entity: str, obj: Any, batch: Batch) -> int | None:
    """The owner `rule` gives `obj`, or None when it finds nobody (the next rule is tried)."""
    if rule.method == Method.USER:
        return rule.user_id if batch.is_active(rule.user_id) else None
    if rule.method == Method.TERRITORY:
        country, region, postal = place(obj, batch.related)
        for territory in rule.territories:
            if territory.covers(country, region, postal) and batch.is_active(territory.user_id):
                return territory.user_id
        return None
    members = batch.team_members(rule.team_id)
    if not members:
        return None
    if rule.method == Method.ROUND_ROBIN:
        return members[(batch.take_turn(rule.id) - 1) % len(members)]
    counts = batch.counts(entity, rule.team_id, members)
    owner = min(members, key=lambda m: (counts.get(m, 0), m))
    return owner


def first_match(entity: str, obj: Any, batch: Batch, *, owner_given: bool,
                rules: list[CompiledRule] | None = None) -> tuple[CompiledRule, int] | None:
    for rule in batch.rules_for(entity) if rules is None else rules:
        if owner_given and rule.only_unowned:
            continue
        if not rule.test(obj, cache=batch.related):
            continue
        owner = choose(rule, entity, obj, batch)
        if owner is not None:
            return rule, owner
    return None


# ------------------------------------------------------------------------------ hooks


def before_save(change: records.Change) -> None:
    """On create: the first matching rule sets the owner (write pipeline, before save)."""
    entity = change.entity
    if change.operation != "create" or not entity.owned or change.depth > 5:
        return
    batch = current_batch(entity.model)
    if not batch.rules_for(entity.name):
        return
    owner_given = change.data.get("owner_id") not in (None, "")
    found = first_match(entity.name, change.instance, batch, owner_given=owner_given)
    if found is None:
        return
    rule, owner = found
    change.instance.owner_id = owner
    change.data["owner_id"] = owner
    batch.counted(entity.name, owner, +1)
    change.context["assignment"] = (rule.id, rule.name, owner)
    batch.unsaved += 1


def after_save(change: records.Change) -> None:
    """Log the assignment in the same transaction; a batch's rows go in with one insert once
    its last record is saved."""
    made = change.context.pop("assignment", None)
    if made is None:
        return
    rule_id, rule_name, owner = made
    batch = current_batch(change.entity.model)
    batch.logs.append(Assignment(
        entity=change.entity.name, record_id=change.instance.pk, rule_id=rule_id,
        rule_name=rule_name, owner_id=owner, actor_id=getattr(change.actor, "pk", None),
        source=Assignment.Source.CREATE, at=timezone.now()))
    batch.unsaved -= 1
    if batch.unsaved <= 0:
        batch.store_turns()
        Assignment.objects.bulk_create(batch.logs, batch_size=1000)
        batch.logs = []
        batch.unsaved = 0


# ------------------------------------------------------------------------------ on demand


@dataclass
class Applied:
    assigned: int = 0
    unchanged: int = 0
    skipped: int = 0


def apply(entity: str, *, actor: Any, ids: Iterable[int] | None = None,
          node: Any = None) -> Applied:
    """Run the rules of `entity` over a selection (ids, or a filter) now. Only records the
    actor may change are touched; each new owner goes through `records.update` and is logged
    with source `manual`. Rules apply whatever the current owner ("only when no owner is
    given" concerns creation)."""
    spec = registry.maybe(entity)
    if spec is None or not spec.owned:
        raise ValidationError({"entity": [_("Unknown record type.")]})
    result = Applied()
    changeable = access.scope(actor, entity, "change", spec.model.objects.all())
    if ids is not None:
        wanted = list(dict.fromkeys(ids))
        if len(wanted) > MAX_APPLY:
            raise ValidationError({"ids": [_("At most %(n)d records at a time.") %
                                           {"n": MAX_APPLY}]})
        selection = changeable.filter(pk__in=wanted)
    else:
        wanted = None
        selection = changeable.filter(filters.compile_filter(entity, node or {}, user=actor))
    with transaction.atomic():
        batch = current_batch(spec.model)
        rules = batch.rules_for(entity)
        seen = 0
        for obj in selection.order_by("pk")[:MAX_APPLY].iterator(chunk_size=500):
            seen += 1
            found = first_match(entity, obj, batch, owner_given=False, rules=rules) if (
                rules) else None
            if found is None or found[1] == obj.owner_id:
                result.unchanged += 1
                continue
            rule, owner = found
            previous = obj.owner_id
            records.update(obj, {"owner_id": owner}, actor=actor, source="assignment")
            batch.counted(entity, previous, -1)
            batch.counted(entity, owner, +1)
            Assignment.objects.create(entity=entity, record_id=obj.pk, rule_id=rule.id,
                                      rule_name=rule.name, owner_id=owner,
                                      previous_owner_id=previous,
                                      actor_id=getattr(actor, "pk", None),
                                      source=Assignment.Source.MANUAL)
            result.assigned += 1
        batch.store_turns()
        if wanted is not None:
            result.skipped = len(wanted) - seen
    return result


# ------------------------------------------------------------------------------ rule writes


FIELDS = ("entity", "name", "order", "active", "condition", "method", "user_id", "team_id",
          "territories", "only_unowned")


def clean(data: dict[str, Any], rule: AssignmentRule | None = None) -> dict[str, Any]:
    """Check a rule's values (422 naming the field); returns the values to store."""
    values = {name: getattr(rule, name) for name in FIELDS} if rule is not None else {
        "order": None, "active": True, "condition": {}, "user_id": None, "team_id": None,
        "territories": [], "only_unowned": True}
    values.update({k: v for k, v in data.items() if k in FIELDS})
    errors: dict[str, list[str]] = {}
    entity = values.get("entity")
    if entity not in assignable_entities():
        errors["entity"] = [_("Unknown record type: use one of %(names)s.") %
                            {"names": ", ".join(assignable_entities())}]
    if not str(values.get("name") or "").strip():
        errors["name"] = [_("This field is required.")]
    method = values.get("method")
    if method not in Method.values:
        errors["method"] = [_("Use one of: %(names)s.") % {"names": ", ".join(Method.values)}]
    if "entity" not in errors:
        try:
            filters.validate(entity, values.get("condition") or {})
        except filters.FilterError as exc:
            where = ".".join(str(p) for p in exc.loc[1:])
            errors["condition" + (f".{where}" if where else "")] = [exc.message]
    if method == Method.USER:
        _need_user(values.get("user_id"), "user_id", errors)
    if method in (Method.ROUND_ROBIN, Method.FEWEST_OPEN):
        team_id = values.get("team_id")
        if team_id is None:
            errors["team_id"] = [_("Choose a team for this method.")]
        elif not Team.objects.filter(pk=team_id).exists():
            errors["team_id"] = [_("No such team: %(id)s.") % {"id": team_id}]
    elif values.get("team_id") is not None and not Team.objects.filter(
            pk=values["team_id"]).exists():
        errors["team_id"] = [_("No such team: %(id)s.") % {"id": values["team_id"]}]
    if method != Method.USER and values.get("user_id") is not None:
        _need_user(values.get("user_id"), "user_id", errors)
    values["territories"] = _clean_territories(values.get("territories"), method, errors)
    if errors:
        raise ValidationError(errors)
    values["name"] = str(values["name"]).strip()
    values["condition"] = values.get("condition") or {}
    return values


def _need_user(user_id: Any, key: str, errors: dict) -> None:
    if user_id is None:
        errors[key] = [_("Choose a user for this method.")]
    elif not User.objects.filter(pk=user_id, is_active=True).exists():
        errors[key] = [_("No such active user: %(id)s.") % {"id": user_id}]


def _clean_territories(items: Any, method: Any, errors: dict) -> list[dict]:
    if items is None:
        items = []
    if not isinstance(items, list) or len(items) > MAX_TERRITORIES:
        errors["territories"] = [_("Expected a list of at most %(n)d territories.") %
                                 {"n": MAX_TERRITORIES}]
        return []
    if method == Method.TERRITORY and not items:
        errors["territories"] = [_("Give at least one territory for this method.")]
    cleaned = []
    user_ids = {item.get("user_id") for item in items if isinstance(item, dict)}
    known = set(User.objects.filter(pk__in=[u for u in user_ids if isinstance(u, int)],
                                     is_active=True).values_list("pk", flat=True))
    for i, item in enumerate(items):
        where = f"territories.{i}"
        if not isinstance(item, dict):
            errors[where] = [_("Expected an object.")]
            continue
        unknown = set(item) - {"country", "regions", "postal_from", "postal_to", "user_id"}
        if unknown:
            errors[f"{where}.{sorted(unknown)[0]}"] = [_("Unknown field.")]
            continue
        country = item.get("country") or ""
        if not isinstance(country, str) or (country and (len(country) != 2
                                                         or not country.isalpha())):
            errors[f"{where}.country"] = [_("Expected a country code (ISO 3166 alpha-2).")]
        regions = item.get("regions") or []
        if not isinstance(regions, list) or not all(
                isinstance(r, str) and 0 < len(r) <= 100 for r in regions) or len(regions) > 500:
            errors[f"{where}.regions"] = [_("Expected a list of region names.")]
        for key in ("postal_from", "postal_to"):
            value = item.get(key) or ""
            if not isinstance(value, (str, int)) or isinstance(value, bool) or len(
                    str(value)) > 20:
                errors[f"{where}.{key}"] = [_("Expected a postal code (at most 20 characters).")]
        user_id = item.get("user_id")
        if user_id not in known:
            errors[f"{where}.user_id"] = [_("No such active user: %(id)s.") % {"id": user_id}]
        if not (country or regions or item.get("postal_from") or item.get("postal_to")):
            errors[where] = [_("Give a country, regions or a postal-code range.")]
        cleaned.append({"country": country.upper() if isinstance(country, str) else country,
                        "regions": regions,
                        "postal_from": str(item.get("postal_from") or ""),
                        "postal_to": str(item.get("postal_to") or ""),
                        "user_id": user_id})
    return cleaned


def create_rule(data: dict[str, Any]) -> AssignmentRule:
    values = clean(data)
    with transaction.atomic():
        if values.get("order") is None:
            last = AssignmentRule.objects.filter(entity=values["entity"]).aggregate(
                m=models.Max("order"))["m"]
            values["order"] = (last or 0) + 10
        if AssignmentRule.objects.filter(entity=values["entity"]).count() >= MAX_RULES:
            raise ValidationError({"entity": [_("At most %(n)d rules per record type.") %
                                              {"n": MAX_RULES}]})
        rule = AssignmentRule.objects.create(**values)
        touch(rule.entity)
    return rule


def update_rule(rule: AssignmentRule, data: dict[str, Any]) -> AssignmentRule:
    values = clean(data, rule)
    with transaction.atomic():
        before = rule.entity
        for name, value in values.items():
            if name == "order" and value is None:
                continue
            setattr(rule, name, value)
        rule.version += 1
        rule.updated_at = timezone.now()
        rule.save()
        touch(rule.entity)
        if before != rule.entity:
            touch(before)
    return rule


def delete_rule(rule: AssignmentRule) -> None:
    with transaction.atomic():
        entity = rule.entity
        rule.delete()
        touch(entity)


def move_rule(rule: AssignmentRule, direction: str) -> AssignmentRule:
    """Swap the rule with its neighbour above (`up`) or below (`down`)."""
    with transaction.atomic():
        ordered = list(AssignmentRule.objects.select_for_update().filter(entity=rule.entity)
                       .order_by("order", "id"))
        index = next(i for i, r in enumerate(ordered) if r.pk == rule.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        now = timezone.now()
        for position, item in enumerate(ordered):
            wanted = (position + 1) * 10
            if item.order != wanted:
                item.order, item.version, item.updated_at = wanted, item.version + 1, now
                item.save(update_fields=["order", "version", "updated_at"])
        touch(rule.entity)
    return AssignmentRule.objects.get(pk=rule.pk)
