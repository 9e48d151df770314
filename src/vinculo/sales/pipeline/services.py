"""Writes of pipelines, stages, opportunities and quotas: the write-pipeline hooks that keep an
opportunity consistent with its stage, its lines and its history, and the board's move.

Rules (checked on every write: API, pages, imports, workflows):
- an opportunity's stage belongs to its pipeline; the pipeline defaults to the default pipeline
  and the stage to the pipeline's first open stage;
- the status follows the stage's kind (won/lost set `closed_at`, back to open clears it);
- the probability follows the stage unless the user sets it;
- a lost stage needs a lost reason (one of the pipeline's list when it has one);
- each stage change is recorded (`StageChange`) with the time spent in the stage left;
- `lines` travel with the opportunity like order lines, and the amount is their sum;
- a pipeline keeps at least one open stage; a stage holding deals is neither deleted, moved to
  another pipeline nor given another kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.identity.models import Scope
from vinculo.platform import access, records
from vinculo.platform.hooks_registry import Stage as HookStage
from vinculo.platform.hooks_registry import register
from vinculo.platform.models import AuditEntry
from vinculo.platform.records import Change, StaleVersion, jsonable
from vinculo.sales.models import Product

from .models import (
    Opportunity,
    OpportunityLine,
    Pipeline,
    QuotaPeriod,
    Stage,
    StageChange,
    StageKind,
)

MAX_ID = 2**63 - 1
MAX_LINES = 1000
LINE_KEYS = ("product_id", "description", "quantity", "unit_price", "discount")


def _as_id(value: Any) -> int | None:
    """An id given in the input (int or digit string), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number <= MAX_ID else None
    return None


# ------------------------------------------------------------------------------ lines


def _decimal(value: Any, where: str, errors: dict) -> Decimal:
    try:
        if isinstance(value, bool) or value is None:
            raise InvalidOperation
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError):
        errors[where] = [_("Expected a number.")]
        return Decimal("0")


def _clean_line(line: Any, where: str, products: dict[int, Product], errors: dict
                ) -> dict | None:
    if not isinstance(line, dict):
        errors[where] = [_("Expected an object.")]
        return None
    unknown = sorted(set(line) - set(LINE_KEYS))
    if unknown:
        errors[f"{where}.{unknown[0]}"] = [_("Unknown field.")]
        return None
    product = None
    if line.get("product_id") is not None:
        product = products.get(_as_id(line["product_id"]) or 0)
        if product is None:
            errors[f"{where}.product_id"] = [_("No such product.")]
            return None
    if line.get("unit_price") is None and product is None:
        errors[f"{where}.unit_price"] = [_("Give a unit price or a product.")]
        return None
    before = len(errors)
    quantity = _decimal(line.get("quantity", 1), f"{where}.quantity", errors)
    price = _decimal(line["unit_price"] if line.get("unit_price") is not None
                     else product.unit_price, f"{where}.unit_price", errors)
    discount = _decimal(line.get("discount") if line.get("discount") is not None else 0,
                        f"{where}.discount", errors)
    description = line.get("description")
    if description is not None and not isinstance(description, str):
        errors[f"{where}.description"] = [_("Expected text.")]
    if len(errors) > before:
        return None
    cleaned = {"product_id": product.pk if product else None,
               "description": (description or (product.name if product else "")).strip()[:300],
               "quantity": quantity, "unit_price": price, "discount": discount}
    try:
        OpportunityLine(**cleaned).full_clean(exclude=["opportunity", "product"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors[f"{where}.{name}"] = messages
        return None
    for name in ("quantity", "unit_price", "discount"):  # as the database will store them
        places = OpportunityLine._meta.get_field(name).decimal_places
        cleaned[name] = cleaned[name].quantize(Decimal(1).scaleb(-places))
    return cleaned


def clean_lines(lines: Any, actor: Any = None) -> list[dict]:
    """Validated opportunity lines (the price defaults to the product's), or a ValidationError
    naming each bad line as `lines.<index>.<field>`."""
    if lines is None:
        return []
    if not isinstance(lines, list):
        raise ValidationError({"lines": [_("Expected a list of lines.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": MAX_LINES}]})
    ids = {_as_id(ln.get("product_id")) for ln in lines if isinstance(ln, dict)} - {None}
    products: dict[int, Product] = {}
    if ids:
        qs = Product.objects.filter(pk__in=ids)
        if actor is not None:
            qs = access.scope(actor, "products", "view", qs)
        products = {p.pk: p for p in qs}
    errors: dict[str, list[str]] = {}
    cleaned = [_clean_line(line, f"lines.{i}", products, errors) for i, line in enumerate(lines)]
    if errors:
        raise ValidationError(errors)
    return [c for c in cleaned if c is not None]


# ------------------------------------------------------------------------------ reads used here


def default_pipeline() -> Pipeline | None:
    return (Pipeline.objects.filter(is_default=True).order_by("order", "id").first()
            or Pipeline.objects.order_by("order", "id").first())


def first_open_stage_id(pipeline_id: int) -> int | None:
    return (Stage.objects.filter(pipeline_id=pipeline_id, kind=StageKind.OPEN)
            .order_by("order", "id").values_list("pk", flat=True).first())


# ------------------------------------------------------------------------------ permissions


def _require_admin(change: Change) -> None:
    actor = change.actor
    if actor is not None and not access.is_admin(actor):
        raise access.PermissionDenied(_("Only administrators may change pipelines and stages."))


def _require_manager(change: Change) -> None:
    actor = change.actor
    if actor is None or access.is_admin(actor):
        return
    if access.role_scope(actor, "opportunities", "view") not in (Scope.TEAM, Scope.ALL):
        raise access.PermissionDenied(_("Only managers and administrators may set quotas."))


for _entity, _guard in (("pipelines", _require_admin), ("stages", _require_admin),
                        ("quotas", _require_manager)):
    register(_entity, HookStage.BEFORE_VALIDATE, order=1, name=f"pipeline.guard_{_entity}",
             operations=("create", "update"))(_guard)
    register(_entity, HookStage.BEFORE_SAVE, order=1, name=f"pipeline.guard_{_entity}_bin",
             operations=("delete", "restore"))(_guard)


# ------------------------------------------------------------------------------ pipelines


@register("pipelines", HookStage.BEFORE_VALIDATE, order=10, name="pipeline.lost_reasons_in")
def take_lost_reasons(change: Change) -> None:
    """The API gives `lost_reasons` as a list; the record keeps one reason per line."""
    value = change.data.get("lost_reasons")
    if isinstance(value, list):
        if not all(isinstance(v, str) and "\n" not in v for v in value):
            raise ValidationError({"lost_reasons": [_("Expected a list of texts.")]})
        reasons = [v.strip()[:200] for v in value if v.strip()]
        change.data["lost_reasons"] = "\n".join(dict.fromkeys(reasons))


@register("pipelines", HookStage.BEFORE_SAVE, operations=("delete",), order=20,
          name="pipeline.pipeline_delete")
def refuse_pipeline_delete(change: Change) -> None:
    pipeline = change.instance
    if Opportunity.objects.filter(pipeline=pipeline).exists():
        raise ValidationError({"__all__": [_("This pipeline still has opportunities; move "
                                             "them to another pipeline first.")]})
    if pipeline.is_default:
        raise ValidationError({"is_default": [_("Make another pipeline the default before "
                                                "deleting this one.")]})


@register("pipelines", HookStage.AFTER_SAVE, order=20, name="pipeline.one_default")
def keep_one_default(change: Change) -> None:
    pipeline = change.instance
    if not pipeline.is_default or change.old.get("is_default") is True:
        return
    for other in Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk):
        records.update(other, {"is_default": False}, actor=change.actor, source=change.source,
                       depth=change.depth + 1)


# ------------------------------------------------------------------------------ stages


def _other_open_stages(stage: Stage, pipeline_id: int) -> bool:
    return Stage.objects.filter(pipeline_id=pipeline_id, kind=StageKind.OPEN).exclude(
        pk=stage.pk).exists()


@register("stages", HookStage.BEFORE_SAVE, operations=("update",), order=20,
          name="pipeline.stage_rules")
def check_stage_change(change: Change) -> None:
    stage = change.instance
    old_pipeline = change.old.get("pipeline_id")
    old_kind = change.old.get("kind")
    moved = old_pipeline is not None and old_pipeline != stage.pipeline_id
    rekinded = old_kind is not None and old_kind != stage.kind
    if not (moved or rekinded):
        return
    if Opportunity.objects.filter(stage=stage).exists():
        field = "pipeline_id" if moved else "kind"
        raise ValidationError({field: [_("This stage holds opportunities; move them to another "
                                         "stage first.")]})
    if old_kind == StageKind.OPEN and (moved or rekinded) and not _other_open_stages(
            stage, old_pipeline):
        field = "pipeline_id" if moved else "kind"
        raise ValidationError({field: [_("A pipeline needs at least one open stage.")]})


@register("stages", HookStage.BEFORE_SAVE, operations=("delete",), order=20,
          name="pipeline.stage_delete")
def refuse_stage_delete(change: Change) -> None:
    stage = change.instance
    if Opportunity.all_objects.filter(stage=stage).exists():
        raise ValidationError({"__all__": [_("This stage holds opportunities; move them to "
                                             "another stage before deleting it.")]})
    if stage.kind == StageKind.OPEN and not _other_open_stages(stage, stage.pipeline_id):
        raise ValidationError({"__all__": [_("A pipeline needs at least one open stage.")]})


@register("stages", HookStage.BEFORE_VALIDATE, operations=("create",), order=20,
          name="pipeline.stage_order")
def default_stage_order(change: Change) -> None:
    """A new stage without an order goes before the closed stages (won, lost) of its pipeline,
    or at the end."""
    if "order" in change.data:
        return
    pipeline_id = _as_id(change.data.get("pipeline_id"))
    if pipeline_id is None:
        return
    stages = Stage.objects.filter(pipeline_id=pipeline_id)
    kind = change.data.get("kind", StageKind.OPEN)
    if kind == StageKind.OPEN:
        last_open = stages.filter(kind=StageKind.OPEN).aggregate(m=Max("order"))["m"]
        first_closed = (stages.exclude(kind=StageKind.OPEN).order_by("order")
                        .values_list("order", flat=True).first())
        if last_open is not None and (first_closed is None or last_open + 1 < first_closed):
            change.data["order"] = last_open + 1
            return
    highest = stages.aggregate(m=Max("order"))["m"]
    change.data["order"] = (highest or 0) + 10


def reorder_stages(pipeline: Pipeline, stage_ids: list[int], *, actor: Any) -> list[Stage]:
    """Give the pipeline's stages the order of `stage_ids` (every stage, each once)."""
    stages = {s.pk: s for s in Stage.objects.filter(pipeline=pipeline)}
    if sorted(stage_ids) != sorted(stages) or len(set(stage_ids)) != len(stage_ids):
        raise ValidationError({"stage_ids": [_("List every stage of this pipeline once.")]})
    result = []
    for position, pk in enumerate(stage_ids, start=1):
        stage = stages[pk]
        if stage.order != position * 10:
            stage = records.update(stage, {"order": position * 10}, actor=actor, source="api")
        result.append(stage)
    return result


# ------------------------------------------------------------------------------ opportunities


@register("opportunities", HookStage.BEFORE_VALIDATE, order=10, name="pipeline.opportunity_in")
def opportunity_defaults(change: Change) -> None:
    """Lines out of the data; the pipeline and the stage filled in when not given."""
    data = change.data
    data.pop("status", None)  # follows the stage
    if "closed_at" in data:  # history brought from another system keeps its close date
        closed_at = data.pop("closed_at")
        if change.operation == "create" and closed_at not in (None, ""):
            change.context["closed_at"] = records.convert(
                Opportunity._meta.get_field("closed_at"), "closed_at", closed_at)
    if "lines" in data:
        change.context["lines"] = clean_lines(data.pop("lines"), change.actor)
    if change.operation == "create":
        if "stage_id" not in data or data["stage_id"] is None:
            pipeline_id = _as_id(data.get("pipeline_id"))
            if "pipeline_id" not in data or data["pipeline_id"] is None:
                pipeline = default_pipeline()
                pipeline_id = pipeline.pk if pipeline else None
                if pipeline_id:
                    data["pipeline_id"] = pipeline_id
            if pipeline_id is not None:
                stage_id = first_open_stage_id(pipeline_id)
                if stage_id is not None:
                    data["stage_id"] = stage_id
        elif "pipeline_id" not in data or data["pipeline_id"] is None:
            stage_id = _as_id(data["stage_id"])
            pipeline_id = (Stage.objects.filter(pk=stage_id).values_list("pipeline_id", flat=True)
                           .first() if stage_id else None)
            if pipeline_id is None:
                pipeline = default_pipeline()
                pipeline_id = pipeline.pk if pipeline else None
            if pipeline_id is not None:
                data["pipeline_id"] = pipeline_id
    elif "pipeline_id" in data and "stage_id" not in data:
        pipeline_id = _as_id(data["pipeline_id"])
        if pipeline_id is not None and pipeline_id != change.instance.pipeline_id:
            stage_id = first_open_stage_id(pipeline_id)
            if stage_id is not None:
                data["stage_id"] = stage_id


def _stage_cache() -> dict[int, Stage]:
    """Stages read in the current transaction (a bulk import reads each pipeline's stages once);
    cleared whenever a stage is written, and never kept across transactions."""
    connection = transaction.get_connection()
    outermost = connection.atomic_blocks[0] if connection.atomic_blocks else None
    cached = getattr(connection, "_pipeline_stages", None)
    if outermost is None:
        return {}
    if cached is None or cached[0] is not outermost:
        cached = (outermost, {})
        connection._pipeline_stages = cached
    return cached[1]


def _stage_of(instance: Opportunity) -> Stage:
    stages = _stage_cache()
    stage = stages.get(instance.stage_id)
    if stage is None:
        stage = Stage.all_objects.get(pk=instance.stage_id)
        stages.update((s.pk, s) for s in Stage.all_objects.filter(pipeline_id=stage.pipeline_id))
        stages[stage.pk] = stage
    return stage


@register("stages", HookStage.AFTER_SAVE, operations=("create", "update", "delete", "restore"),
          order=90, name="pipeline.stage_cache")
def forget_stages(change: Change) -> None:
    _stage_cache().clear()


def _line_values(lines: list[dict]) -> list[dict]:
    return [{k: jsonable(ln[k]) for k in LINE_KEYS} for ln in lines]


def lines_total(lines: list[dict]) -> Decimal:
    return sum((OpportunityLine(**ln).amount for ln in lines), Decimal("0"))


@register("opportunities", HookStage.BEFORE_SAVE, order=10, name="pipeline.opportunity_rules")
def apply_stage_rules(change: Change) -> None:
    opp = change.instance
    creating = change.operation == "create"
    stage = _stage_of(opp)
    if stage.pipeline_id != opp.pipeline_id:
        raise ValidationError({"stage_id": [_("This is a stage of another pipeline.")]})
    moved = creating or change.old.get("stage_id") != opp.stage_id
    now = timezone.now()
    if moved:
        change.context["stage_move"] = (
            None if creating else change.old.get("stage_id"),
            None if creating else (opp.stage_changed_at or opp.created_at))
        opp.stage_changed_at = now
        given = change.data.get("probability")
        explicit = "probability" in change.data and given is not None and (
            creating or opp.probability != change.old.get("probability"))
        if not explicit:
            opp.probability = stage.probability
        reason_given = "lost_reason" in change.data and (
            creating or opp.lost_reason != change.old.get("lost_reason"))
        if stage.kind != StageKind.LOST and not reason_given:
            opp.lost_reason = ""
    if opp.status != stage.kind or moved:
        if stage.kind == StageKind.OPEN:
            opp.closed_at = None
        elif opp.status != stage.kind or opp.closed_at is None:
            opp.closed_at = change.context.get("closed_at") or now
        opp.status = stage.kind
    if creating and opp.closed_at is not None and change.context.get("closed_at"):
        opp.stage_changed_at = opp.closed_at
    if stage.kind == StageKind.LOST:
        reason = (opp.lost_reason or "").strip()
        if not reason:
            raise ValidationError({"lost_reason": [_("Say why the deal was lost.")]})
        allowed = Pipeline.all_objects.get(pk=opp.pipeline_id).lost_reason_list()
        if allowed and reason not in allowed and (moved or "lost_reason" in change.data):
            raise ValidationError({"lost_reason": [
                _("Choose one of: %(reasons)s.") % {"reasons": ", ".join(allowed)}]})
    _apply_lines(change)


def _apply_lines(change: Change) -> None:
    opp = change.instance
    lines = change.context.get("lines")
    if lines is None:
        if "amount" in change.data and change.operation == "update" and (
                OpportunityLine.objects.filter(opportunity_id=opp.pk).exists()):
            current = list(OpportunityLine.objects.filter(opportunity_id=opp.pk)
                           .values(*LINE_KEYS))
            opp.amount = lines_total(current)
        return
    before = []
    if change.operation == "update":
        before = _line_values(list(OpportunityLine.objects.filter(opportunity_id=opp.pk)
                                   .order_by("id").values(*LINE_KEYS)))
    after = _line_values(lines)
    if before == after:
        del change.context["lines"]
        return
    change.extra["lines"] = [before, after]
    if lines:
        total = lines_total(lines)
        try:
            Opportunity._meta.get_field("amount").clean(total, opp)
        except ValidationError as exc:
            raise ValidationError({"amount": exc.messages}) from None
        opp.amount = total


def _insert_stage_change(opportunity_id: int, from_stage_id: int | None, to_stage_id: int,
                         at: dt.datetime, actor_id: int | None, seconds: int | None) -> None:
    """One history row, with a plain INSERT (an import writes thousands in a transaction)."""
    connection = transaction.get_connection()
    meta = StageChange._meta
    names = ["opportunity", "from_stage", "to_stage", "at", "actor", "seconds_in_previous"]
    fields = [meta.get_field(n) for n in names]
    values = [opportunity_id, from_stage_id, to_stage_id, at, actor_id, seconds]
    params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})", params)


@register("opportunities", HookStage.AFTER_SAVE, order=10, name="pipeline.opportunity_out")
def record_stage_and_lines(change: Change) -> None:
    opp = change.instance
    move = change.context.pop("stage_move", None)
    if move is not None:
        from_stage_id, since = move
        seconds = None
        if since is not None:
            seconds = max(0, int((opp.stage_changed_at - since).total_seconds()))
        _insert_stage_change(opp.pk, from_stage_id, opp.stage_id, opp.stage_changed_at,
                             getattr(change.actor, "pk", None), seconds)
    lines = change.context.get("lines")
    if lines is not None:
        OpportunityLine.objects.filter(opportunity_id=opp.pk).delete()
        OpportunityLine.objects.bulk_create(
            [OpportunityLine(opportunity_id=opp.pk, **ln) for ln in lines])


# ------------------------------------------------------------------------------ the board's move


class MovedMeanwhile(Exception):
    """The card was changed by someone else since the board showed it (HTTP 412)."""

    def __init__(self, by: str, version: int, stage_id: int):
        self.by, self.version, self.stage_id = by, version, stage_id
        super().__init__(_("This deal was moved by %(who)s meanwhile; the card now shows where "
                           "it is.") % {"who": by})


def last_changed_by(opp: Opportunity) -> str:
    entry = (AuditEntry.objects.filter(entity="opportunities", record_id=opp.pk)
             .select_related("actor").order_by("-id").first())
    if entry is None or entry.actor is None:
        return _("someone else")
    return entry.actor.display_name()


def opportunity_move(opp: Opportunity, *, stage_id: int, version: int | None, actor: Any,
                     lost_reason: str | None = None, source: str = "api") -> Opportunity:
    """Move a deal to another stage (of its pipeline) if nobody changed it since `version`."""
    data: dict[str, Any] = {"stage_id": stage_id}
    if lost_reason is not None:
        data["lost_reason"] = lost_reason
    try:
        return records.update(opp, data, actor=actor, expected_version=version, source=source)
    except StaleVersion:
        current = Opportunity.all_objects.get(pk=opp.pk)
        raise MovedMeanwhile(last_changed_by(current), current.version,
                             current.stage_id) from None


# ------------------------------------------------------------------------------ history


@dataclass
class StageTime:
    stage_id: int | None
    stage: str
    seconds: int
    current: bool


def stage_history(opp: Opportunity) -> tuple[list[StageChange], list[StageTime]]:
    """The opportunity's moves, oldest first, and the total time spent in each stage (the
    current one counted until now)."""
    changes = list(StageChange.objects.filter(opportunity=opp).select_related(
        "from_stage", "to_stage", "actor").order_by("at", "id"))
    totals: dict[int | None, int] = {}
    names: dict[int | None, str] = {}
    order: list[int | None] = []
    for change in changes:
        if change.from_stage_id is not None or change.seconds_in_previous is not None:
            key = change.from_stage_id
            if key not in totals:
                order.append(key)
                totals[key] = 0
            totals[key] += change.seconds_in_previous or 0
            names[key] = change.from_stage.name if change.from_stage else _("(deleted stage)")
    current = opp.stage_id
    since = opp.stage_changed_at or opp.created_at
    if current not in totals:
        order.append(current)
        totals[current] = 0
    totals[current] += max(0, int((timezone.now() - since).total_seconds()))
    names[current] = _stage_of(opp).name
    times = [StageTime(key, names[key], totals[key], key == current) for key in order]
    return changes, times


# ------------------------------------------------------------------------------ quotas


def period_start(day: dt.date, period: str) -> dt.date:
    if period == QuotaPeriod.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


@register("quotas", HookStage.BEFORE_SAVE, order=10, name="pipeline.quota_period")
def normalise_quota_period(change: Change) -> None:
    quota = change.instance
    if quota.starts_on:
        quota.starts_on = period_start(quota.starts_on, quota.period)
