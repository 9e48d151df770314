"""The report engine: validate a definition and run it as ONE grouped query.

A definition is `{"entity", "scope" (filter language), "dimensions": [{"field", "bucket"?}],
"aggregates": [{"fn", "field"?}], "sort", "limit", "chart"}`. Running it scopes the entity's
records to what the user may see (`access.scope`), applies the scope filter, groups with
`values(...).annotate(...)` (date fields bucketed with `Trunc*`) and resolves the labels of
the groups (owner names, stage names, translated choices) with one query per foreign key.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Avg, Count, F, Func, Max, Min, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vinculo.platform import access, filters, registry

from .models import Chart

MAX_DIMENSIONS = 2
MAX_AGGREGATES = 6
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
BUCKETS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter,
           "year": TruncYear}
FUNCTIONS = {"count": Count, "sum": Sum, "avg": Avg, "min": Min, "max": Max}
DIMENSION_KINDS = {"fk", "text", "boolean", "number", "date", "datetime"}
NUMERIC_KINDS = {"number", "decimal"}
CENTS = decimal.Decimal("0.01")


class DefinitionError(ValueError):
    """A report definition that cannot run; `problems` are (loc, message) pairs (HTTP 422)."""

    def __init__(self, problems: list[tuple[list, str]]):
        super().__init__("; ".join(message for _loc, message in problems))
        self.problems = problems


@dataclass
class Dimension:
    field: str  # as the user wrote it, normalised: "owner", "stage", "ordered_at"
    lookup: str  # ORM path of the grouped value
    kind: str
    label: str
    bucket: str = ""
    model_field: models.Field | None = None

    def as_json(self) -> dict:
        return {"field": self.field, "bucket": self.bucket} if self.bucket else {
            "field": self.field}


@dataclass
class Aggregate:
    fn: str
    field: str  # "" for count
    lookup: str
    kind: str  # of the aggregated field: number / decimal ("" for count)
    label: str

    @property
    def alias(self) -> str:
        return self.fn if not self.field else f"{self.fn}_{self.field.replace('.', '_')}"

    def as_json(self) -> dict:
        return {"fn": self.fn, "field": self.field} if self.field else {"fn": self.fn}


@dataclass
class Definition:
    entity: str
    scope: dict
    dimensions: list[Dimension]
    aggregates: list[Aggregate]
    sort: str
    limit: int
    chart: str

    def as_json(self) -> dict:
        return {"entity": self.entity, "scope": self.scope,
                "dimensions": [d.as_json() for d in self.dimensions],
                "aggregates": [a.as_json() for a in self.aggregates],
                "sort": self.sort, "limit": self.limit, "chart": self.chart}


@dataclass
class Result:
    """Rows of a report: each `{"keys": [...], "labels": [...], "values": {alias: value}}`."""

    dimensions: list[dict]  # {"field", "label"}
    measures: list[dict]  # {"key", "label", "kind"}: kind "count", "number" or "decimal"
    rows: list[dict] = field(default_factory=list)
    chart: str = Chart.BAR
    title: str = ""

    def series(self, chartable: bool = False) -> dict:
        """Chart data: categories (first dimension) and one series per second-dimension value,
        or per measure when there is no second dimension. `chartable` keeps only the measures
        that share the first one's scale (a count beside a sum of money would be a flat line)."""
        if not self.rows or not self.measures:
            return {"categories": [], "series": []}
        if len(self.dimensions) < 2:
            first = self.measures[0]
            measures = [m for m in self.measures if not chartable or (
                m["kind"] == first["kind"] and m.get("additive") == first.get("additive"))]
            categories = [" · ".join(r["labels"]) or self.title for r in self.rows]
            series = [{"name": m["label"], "key": m["key"],
                       "values": [as_float(r["values"].get(m["key"])) for r in self.rows]}
                      for m in measures]
            return {"categories": categories, "series": series}
        first = self.measures[0]["key"]
        categories: list[str] = []
        names: list[str] = []
        cells: dict[tuple[str, str], float] = {}
        for row in self.rows:
            cat, name = row["labels"][0], row["labels"][1]
            if cat not in categories:
                categories.append(cat)
            if name not in names:
                names.append(name)
            cells[(cat, name)] = cells.get((cat, name), 0.0) + as_float(row["values"][first])
        series = [{"name": name, "key": first,
                   "values": [cells.get((cat, name), 0.0) for cat in categories]}
                  for name in names]
        return {"categories": categories, "series": series}

    def totals(self) -> dict[str, Any]:
        """Column totals of additive measures (counts and sums)."""
        out: dict[str, Any] = {}
        for m in self.measures:
            if m.get("additive", m["kind"] == "count"):
                out[m["key"]] = sum((r["values"].get(m["key"]) or 0 for r in self.rows),
                                    start=decimal.Decimal(0) if m["kind"] == "decimal" else 0)
        return out

    def as_json(self) -> dict:
        return {"dimensions": self.dimensions, "measures": self.measures,
                "rows": [{"keys": r["keys"], "labels": r["labels"],
                          "values": {k: json_value(v) for k, v in r["values"].items()}}
                         for r in self.rows],
                **self.series()}


def as_float(value: Any) -> float:
    if value is None:
        return 0.0
    return float(value)


def json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


# --------------------------------------------------------------------------- validation


def report_entities() -> list[registry.Entity]:
    """Entities a report may be built on: those whose records the filter language selects."""
    return sorted((e for e in registry.all_entities()
                   if e.filter_fields and hasattr(e.model, "deleted_at")),
                  key=lambda e: str(e.label_plural))


def _field_label(f: models.Field) -> str:
    text = str(getattr(f, "verbose_name", f.name))
    return text[:1].upper() + text[1:]


def resolve_field(entity: registry.Entity, path: Any, loc: list
                  ) -> tuple[str, models.Field, str, str]:
    """(normalised path, model field, ORM lookup, label) of `path` ("owner", "owner_id",
    "account.industry"); DefinitionError when the entity has no such field."""
    if not isinstance(path, str) or not path:
        raise DefinitionError([(loc, _("Give a field name."))])
    head, _dot, rest = path.partition(".")
    f = entity.model_field(head)
    if (f is None or head == "tags" or head.startswith("custom")
            or (head not in entity.filter_fields and f.name not in entity.filter_fields
                and getattr(f, "attname", "") not in entity.filter_fields)):
        raise DefinitionError([(loc, _("Unknown field '%(field)s' for %(entity)s.") % {
            "field": path, "entity": entity.name})])
    if isinstance(f, models.ForeignKey):
        if not rest:
            return f.name, f, f.attname, _field_label(f)
        target = registry._by_model.get(f.related_model)
        if target is None or "." in rest:
            raise DefinitionError([(loc, _("Unknown field '%(field)s' for %(entity)s.") % {
                "field": path, "entity": entity.name})])
        inner, inner_f, inner_lookup, inner_label = resolve_field(target, rest, loc)
        return (f"{f.name}.{inner}", inner_f, f"{f.name}__{inner_lookup}",
                f"{_field_label(f)} · {inner_label}")
    if rest:
        raise DefinitionError([(loc, _("Unknown field '%(field)s' for %(entity)s.") % {
            "field": path, "entity": entity.name})])
    return f.name, f, f.name, _field_label(f)


def field_kind(f: models.Field) -> str:
    if isinstance(f, models.ForeignKey):
        return "fk"
    if isinstance(f, (models.TextField, models.JSONField)):
        return "long_text"
    return filters._field_target(f).kind


def _dimension(entity: registry.Entity, raw: Any, loc: list) -> Dimension:
    if isinstance(raw, str):
        raw = {"field": raw}
    if not isinstance(raw, dict) or set(raw) - {"field", "bucket"}:
        raise DefinitionError([(loc, _("A dimension is {\"field\": …, \"bucket\": …}."))])
    path, f, lookup, label = resolve_field(entity, raw.get("field"), [*loc, "field"])
    kind = field_kind(f)
    if kind not in DIMENSION_KINDS or f.primary_key:
        raise DefinitionError([([*loc, "field"], _("Cannot group by '%(field)s'.") % {
            "field": path})])
    bucket = raw.get("bucket") or ""
    if kind in ("date", "datetime"):
        bucket = bucket or "month"
        if bucket not in BUCKETS:
            raise DefinitionError([([*loc, "bucket"], _(
                "Unknown date bucket '%(bucket)s' (day, week, month, quarter or year).") % {
                "bucket": bucket})])
    elif bucket:
        raise DefinitionError([([*loc, "bucket"], _(
            "Only date fields are bucketed; '%(field)s' is not a date.") % {"field": path})])
    return Dimension(path, lookup, kind, label, bucket, f)


def aggregate_label(fn: str, field_label: str) -> str:
    if fn == "count":
        return _("Count")
    labels = {"sum": _("Sum of %(field)s"), "avg": _("Average %(field)s"),
              "min": _("Minimum %(field)s"), "max": _("Maximum %(field)s")}
    return labels[fn] % {"field": field_label.lower()}


def _aggregate(entity: registry.Entity, raw: Any, loc: list) -> Aggregate:
    if isinstance(raw, str):
        fn, _colon, path = raw.partition(":")
        raw = {"fn": fn, "field": path} if path else {"fn": fn}
    if not isinstance(raw, dict) or set(raw) - {"fn", "field"}:
        raise DefinitionError([(loc, _("An aggregate is {\"fn\": …, \"field\": …}."))])
    fn = raw.get("fn")
    if fn not in FUNCTIONS:
        raise DefinitionError([([*loc, "fn"], _(
            "Unknown aggregate '%(fn)s' (count, sum, avg, min or max).") % {"fn": fn})])
    if fn == "count":
        if raw.get("field"):
            raise DefinitionError([([*loc, "field"], _("A count takes no field."))])
        return Aggregate("count", "", "id", "", aggregate_label("count", ""))
    path, f, lookup, label = resolve_field(entity, raw.get("field"), [*loc, "field"])
    kind = field_kind(f)
    if kind not in NUMERIC_KINDS or f.primary_key:
        raise DefinitionError([([*loc, "field"], _(
            "'%(field)s' is not a number: %(fn)s needs a numeric field.") % {
            "field": path, "fn": fn})])
    return Aggregate(fn, path, lookup, kind, aggregate_label(fn, label))


def parse(data: Any) -> Definition:
    """A validated definition; DefinitionError lists every problem with its location."""
    if not isinstance(data, dict):
        raise DefinitionError([([], _("Expected an object."))])
    problems: list[tuple[list, str]] = []
    entity = registry.maybe(data.get("entity") or "")
    if entity is None or entity not in report_entities():
        raise DefinitionError([(["entity"], _("Unknown entity '%(entity)s'.") % {
            "entity": data.get("entity")})])
    scope = data.get("scope") or {}
    try:
        filters.validate(entity.name, scope)
    except filters.FilterError as exc:
        problems.append((["scope", *exc.loc[1:]], exc.message))
    dims_raw = data.get("dimensions") or []
    aggs_raw = data.get("aggregates") or [{"fn": "count"}]
    if not isinstance(dims_raw, list) or len(dims_raw) > MAX_DIMENSIONS:
        raise DefinitionError([*problems, (["dimensions"], _(
            "Group by at most %(n)d dimensions.") % {"n": MAX_DIMENSIONS})])
    if not isinstance(aggs_raw, list) or len(aggs_raw) > MAX_AGGREGATES:
        raise DefinitionError([*problems, (["aggregates"], _(
            "At most %(n)d aggregates.") % {"n": MAX_AGGREGATES})])
    dimensions, aggregates = [], []
    for i, raw in enumerate(dims_raw):
        try:
            dimensions.append(_dimension(entity, raw, ["dimensions", i]))
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if len({d.field for d in dimensions}) != len(dimensions) and not any(
            d.bucket for d in dimensions):
        problems.append((["dimensions"], _("The same field twice.")))
    for i, raw in enumerate(aggs_raw):
        try:
            aggregates.append(_aggregate(entity, raw, ["aggregates", i]))
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if len({a.alias for a in aggregates}) != len(aggregates):
        problems.append((["aggregates"], _("The same aggregate twice.")))
    chart = data.get("chart") or Chart.BAR
    if chart not in Chart.values:
        problems.append((["chart"], _("Unknown chart type '%(chart)s'.") % {"chart": chart}))
    elif chart == Chart.KPI and dimensions:
        problems.append((["chart"], _("A KPI number shows one total: remove the group by.")))
    elif chart in (Chart.PIE, Chart.DONUT) and len(dimensions) != 1:
        problems.append((["chart"], _("A pie or donut chart needs exactly one group by.")))
    limit = data.get("limit")
    limit = DEFAULT_LIMIT if limit is None else limit
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        problems.append((["limit"], _("The limit is a whole number from 1 to %(n)d.") % {
            "n": MAX_LIMIT}))
        limit = DEFAULT_LIMIT
    sort = data.get("sort") or ""
    allowed = {"dimension", *(a.alias for a in aggregates)}
    if not isinstance(sort, str) or (sort and sort.removeprefix("-") not in allowed):
        problems.append((["sort"], _("Sort by 'dimension' or an aggregate (%(keys)s), with "
                                     "'-' for descending.") % {
            "keys": ", ".join(sorted(allowed - {"dimension"}))}))
        sort = ""
    if problems:
        raise DefinitionError(problems)
    return Definition(entity.name, scope, dimensions, aggregates, sort, limit, chart)


# --------------------------------------------------------------------------- running


def base_queryset(user, entity: str) -> models.QuerySet:
    """The entity's live records the user may see."""
    return access.scope(user, entity, "view", registry.get(entity).model.objects.all())


# SQLite's Trunc* call a Python function per row; in UTC (dates stored as ISO text) these
# built-in date functions give the same buckets at C speed, as ISO date strings. ("%%%%" is
# "%%" in the SQL after the Func template, which the backend turns into one "%".)
SQLITE_BUCKETS = {
    "day": "strftime('%%%%Y-%%%%m-%%%%d', {col})",
    "week": "date({col}, 'weekday 0', '-6 days')",
    "month": "strftime('%%%%Y-%%%%m-01', {col})",
    "quarter": "(strftime('%%%%Y-', {col}) || printf('%%%%02d', "
               "((CAST(strftime('%%%%m', {col}) AS INTEGER) - 1) / 3) * 3 + 1) || '-01')",
    "year": "strftime('%%%%Y-01-01', {col})",
}


def _sqlite_bucket(d: Dimension) -> bool:
    if not d.bucket or connection.vendor != "sqlite":
        return False
    return d.kind == "date" or timezone.get_current_timezone_name() in ("UTC", "Etc/UTC")


def _group_expression(d: Dimension) -> Any:
    if _sqlite_bucket(d):
        template = SQLITE_BUCKETS[d.bucket].replace("{col}", "%(expressions)s")
        return Func(F(d.lookup), template=template, output_field=models.CharField())
    if d.bucket:
        trunc = BUCKETS[d.bucket]
        if d.kind == "datetime":
            return trunc(d.lookup, tzinfo=timezone.get_current_timezone())
        return trunc(d.lookup, output_field=models.DateField())
    return F(d.lookup)


def _ordering(defn: Definition) -> list[Any]:
    keys = [f"d{i}" for i in range(len(defn.dimensions))]
    sort = defn.sort or (
        "dimension" if defn.dimensions and defn.dimensions[0].bucket
        else f"-{defn.aggregates[0].alias}")
    desc = sort.startswith("-")
    name = sort.removeprefix("-")
    first = keys if name == "dimension" else [name]
    rest = [] if name == "dimension" else keys
    order = [F(k).desc(nulls_last=True) if desc else F(k).asc(nulls_last=True) for k in first]
    return order + [F(k).asc(nulls_last=True) for k in rest]


def queryset(defn: Definition, user) -> models.QuerySet:
    """The one grouped query of a report (unsliced)."""
    qs = base_queryset(user, defn.entity).filter(
        filters.compile_filter(defn.entity, defn.scope, user=user))
    keys = {f"d{i}": _group_expression(d) for i, d in enumerate(defn.dimensions)}
    aggs = {a.alias: FUNCTIONS[a.fn](a.lookup) for a in defn.aggregates}
    return qs.annotate(**keys).values(*keys).annotate(**aggs).order_by(*_ordering(defn))


def run(defn: Definition, user, *, title: str = "") -> Result:
    """Run a definition for `user`: one grouped query plus one per foreign-key dimension."""
    aggs = {a.alias: FUNCTIONS[a.fn](a.lookup) for a in defn.aggregates}
    if defn.dimensions:
        raw_rows = list(queryset(defn, user)[:defn.limit])
    else:
        qs = base_queryset(user, defn.entity).filter(
            filters.compile_filter(defn.entity, defn.scope, user=user))
        raw_rows = [qs.aggregate(**aggs)]
    for i, d in enumerate(defn.dimensions):
        if _sqlite_bucket(d):
            for r in raw_rows:
                value = r[f"d{i}"]
                r[f"d{i}"] = dt.date.fromisoformat(value) if value else None
    labels = [_labeller(d, [r[f"d{i}"] for r in raw_rows])
              for i, d in enumerate(defn.dimensions)]
    rows = []
    for r in raw_rows:
        keys = [_key(r[f"d{i}"]) for i in range(len(defn.dimensions))]
        rows.append({"keys": keys,
                     "labels": [labels[i](r[f"d{i}"]) for i in range(len(defn.dimensions))],
                     "values": {a.alias: _measure(a, r[a.alias]) for a in defn.aggregates}})
    return Result(
        dimensions=[{"field": d.field, "label": d.label, "bucket": d.bucket}
                    for d in defn.dimensions],
        measures=[{"key": a.alias, "label": a.label,
                   "kind": "count" if a.fn == "count" else (
                       "number" if a.kind == "number" and a.fn != "avg" else "decimal"),
                   "additive": a.fn in ("count", "sum")} for a in defn.aggregates],
        rows=rows, chart=defn.chart, title=title)


def _measure(a: Aggregate, value: Any) -> Any:
    if a.fn == "count":
        return int(value or 0)
    if value is None:
        return None if a.fn != "sum" else (0 if a.kind == "number" else decimal.Decimal("0.00"))
    if a.kind == "number" and a.fn != "avg":
        return int(value)
    return decimal.Decimal(str(value)).quantize(CENTS, rounding=decimal.ROUND_HALF_UP)


def _key(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date().isoformat() if timezone.is_aware(
            value) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _labeller(d: Dimension, values: list[Any]):
    none = _("(none)")
    f = d.model_field
    if d.kind == "fk":
        names = fk_names(f.related_model, {v for v in values if v is not None})
        return lambda v: none if v is None else names.get(v, f"#{v}")
    if d.bucket:
        return lambda v: none if v is None else bucket_label(v, d.bucket)
    if d.kind == "boolean":
        return lambda v: none if v is None else (_("Yes") if v else _("No"))
    if f is not None and f.choices:
        choices = {k: str(lbl) for k, lbl in f.flatchoices}
        return lambda v: none if v in (None, "") else choices.get(v, str(v))
    if d.kind in NUMERIC_KINDS:
        return lambda v: none if v is None else formats.number_format(v, use_l10n=True)
    return lambda v: none if v in (None, "") else str(v)


def fk_names(model: type[models.Model], ids: set) -> dict[Any, str]:
    """Display names of these rows of `model`, in one query (deleted rows included)."""
    if not ids:
        return {}
    manager = getattr(model, "all_objects", model._default_manager)
    entity = registry._by_model.get(model)
    title = entity.title if entity else str
    return {pk: str(title(obj)) for pk, obj in manager.in_bulk(list(ids)).items()}


def bucket_label(value: Any, bucket: str) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if bucket == "year":
        return str(value.year)
    if bucket == "quarter":
        return _("Q%(quarter)d %(year)d") % {"quarter": (value.month - 1) // 3 + 1,
                                              "year": value.year}
    if bucket == "month":
        return formats.date_format(value, "M Y")
    if bucket == "week":
        iso = value.isocalendar()
        return _("W%(week)d %(year)d") % {"week": iso.week, "year": iso.year}
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --------------------------------------------------------------------------- the builder


def describe(entity_name: str) -> dict:
    """What the builder offers for an entity: dimensions (with kind) and numeric fields."""
    entity = registry.get(entity_name)
    dims, numbers, seen = [], [], set()
    for name in entity.filter_fields:
        f = entity.model_field(name)
        if f is None or f.primary_key or f.name in seen:
            continue
        seen.add(f.name)
        kind = field_kind(f)
        label = _field_label(f)
        if kind in DIMENSION_KINDS:
            dims.append({"field": f.name, "label": label, "kind": kind})
        if kind in NUMERIC_KINDS:
            numbers.append({"field": f.name, "label": label})
        if kind == "fk":
            dims.extend(_choice_fields_of(f, label))
    return {"entity": entity_name, "dimensions": dims, "numbers": numbers}


def _choice_fields_of(fk: models.ForeignKey, fk_label: str) -> list[dict]:
    target = registry._by_model.get(fk.related_model)
    if target is None:
        return []
    out = []
    for name in target.filter_fields:
        f = target.model_field(name)
        if f is not None and not isinstance(f, models.ForeignKey) and f.choices:
            out.append({"field": f"{fk.name}.{f.name}", "label": f"{fk_label} · "
                        f"{_field_label(f)}", "kind": "text"})
    return out
