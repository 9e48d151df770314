"""The filter language (contract §3): validate a JSON node and compile it to a Django `Q`.

One compiler for every feature that selects records: API `?filter=`, saved views, segments,
rules and workflows, reports and exports. Anything unknown or ill-typed raises `FilterError`
naming where it is, which the API turns into a 422.
"""

from __future__ import annotations

import datetime as dt
import decimal
import operator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Avg, Count, F, FloatField, Max, Min, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from . import access, customfields, registry
from .models import CustomField

TEXT_OPS = {"eq", "ieq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains",
            "icontains", "startswith", "is_null", "between"}
ORDERED_OPS = {"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "is_null", "between"}
DATE_OPS = ORDERED_OPS | {"within_last_days", "older_than_days"}
BOOL_OPS = {"eq", "ne", "is_null"}
TAG_OPS = {"eq", "contains", "in", "not_in", "is_null"}
ALL_OPS = TEXT_OPS | DATE_OPS
AGGREGATES = {"count", "sum", "avg", "max", "min"}
MAX_DEPTH = 12
MAX_NODES = 200
MAX_LIST = 1000
MAX_TEXT = 1000
MAX_INT = 2**63 - 1
MAX_DECIMAL = decimal.Decimal("1e18")
EQUALITY_OPS = {"eq", "ne", "in", "not_in"}
AGG_ALIAS = "filter_aggregate"
ORDERED_KINDS = {"number", "decimal", "date", "datetime", "fk"}


class FilterError(ValueError):
    def __init__(self, message: str, loc: list[Any] | None = None):
        super().__init__(message)
        self.message = message
        self.loc = loc or []


@dataclass
class Context:
    user: Any = None
    nodes: int = 0


def compile_filter(entity: str, node: Any, *, user: Any = None) -> Q:
    """The Q for `node` over `entity`; an empty node ({} or None) selects everything."""
    if node in (None, {}):
        return Q()
    return _node(registry.get(entity), node, ["filter"], Context(user=user), 0)


def validate(entity: str, node: Any, *, user: Any = None) -> None:
    """Raise FilterError if `node` is not a valid filter of `entity`."""
    compile_filter(entity, node, user=user)


def _node(entity: registry.Entity, node: Any, loc: list, ctx: Context, depth: int) -> Q:
    ctx.nodes += 1
    if ctx.nodes > MAX_NODES:
        raise FilterError(_("The filter has too many conditions (at most %(n)d).") %
                          {"n": MAX_NODES}, loc)
    if depth > MAX_DEPTH:
        raise FilterError(_("The filter is nested too deeply."), loc)
    if not isinstance(node, dict):
        raise FilterError(_("Expected an object."), loc)
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        if set(node) != {key}:
            raise FilterError(_("'%(key)s' must be alone in its object.") % {"key": key}, loc)
        children = node[key]
        if not isinstance(children, list):
            raise FilterError(_("Expected a list of conditions."), [*loc, key])
        q = Q() if key == "all" else Q(pk__in=[])
        for i, child in enumerate(children):
            part = _node(entity, child, [*loc, key, i], ctx, depth + 1)
            q = (q & part) if key == "all" else (q | part) if i else part
        return q
    if "not" in node:
        if set(node) != {"not"}:
            raise FilterError(_("'not' must be alone in its object."), loc)
        return ~_node(entity, node["not"], [*loc, "not"], ctx, depth + 1)
    if "related" in node:
        return _related(entity, node, loc, ctx, depth)
    if "field" in node:
        return _condition(entity, node, loc, ctx)
    raise FilterError(_("Expected 'all', 'any', 'not', 'field' or 'related'."), loc)


# --------------------------------------------------------------------------- conditions


@dataclass
class Target:
    lookup: str  # the ORM path (for tags: the path to the tagged record, "" for the row itself)
    kind: str  # text, number, decimal, date, datetime, boolean, fk, tags, json_*
    nullable_text: bool = False
    choices: tuple | None = None
    model: type[models.Model] | None = None  # for tags: the tagged model


def resolve(entity: registry.Entity, path: Any, loc: list, depth: int = 0) -> Target:
    if not isinstance(path, str) or not path:
        raise FilterError(_("Expected a field name."), loc)
    head, _sep, rest = path.partition(".")
    if head == "custom" and rest:
        return _custom_target(entity, rest, loc)
    if head not in entity.filter_fields:
        raise FilterError(_("Unknown field '%(field)s' for %(entity)s.") %
                          {"field": path, "entity": entity.name}, loc)
    if head == "tags":
        if rest:
            raise FilterError(_("Unknown field '%(field)s'.") % {"field": path}, loc)
        return Target("", "tags", model=entity.model)
    f = entity.model_field(head)
    if f is None:
        # a declared computed value (annotation) — compared as a number
        return Target(head, "decimal")
    if rest:
        if not isinstance(f, models.ForeignKey) or depth >= 2:
            raise FilterError(_("Unknown field '%(field)s'.") % {"field": path}, loc)
        target_entity = registry._by_model.get(f.related_model)
        if target_entity is None:
            raise FilterError(_("Unknown field '%(field)s'.") % {"field": path}, loc)
        inner = resolve(target_entity, rest, loc, depth + 1)
        lookup = f"{f.name}__{inner.lookup}" if inner.lookup else f.name
        return Target(lookup, inner.kind, inner.nullable_text, inner.choices, inner.model)
    return _field_target(f)


def _field_target(f: models.Field) -> Target:
    choices = tuple(v for v, _label in f.choices) if f.choices else None
    if isinstance(f, models.ForeignKey):
        return Target(f.attname, "fk")
    if isinstance(f, models.BooleanField):
        return Target(f.name, "boolean")
    if isinstance(f, models.DateTimeField):
        return Target(f.name, "datetime")
    if isinstance(f, models.DateField):
        return Target(f.name, "date")
    if isinstance(f, (models.IntegerField, models.AutoField)):
        return Target(f.name, "number")
    if isinstance(f, (models.DecimalField, models.FloatField)):
        return Target(f.name, "decimal")
    return Target(f.name, "text", nullable_text=True, choices=choices)


def _custom_target(entity: registry.Entity, key: str, loc: list) -> Target:
    definition = CustomField.objects.filter(entity=entity.name, key=key).first()
    if definition is None:
        raise FilterError(_("Unknown custom field '%(key)s' for %(entity)s.") %
                          {"key": key, "entity": entity.name}, loc)
    kind = {
        "number": "json_number", "decimal": "json_number", "date": "json_date",
        "boolean": "json_boolean", "multi_choice": "json_multi",
    }.get(definition.type, "json_text")
    target = Target(f"custom__{key}", kind)
    target.definition = definition  # type: ignore[attr-defined]
    return target


OPS_BY_KIND = {
    "text": TEXT_OPS, "json_text": TEXT_OPS,
    "number": ORDERED_OPS, "decimal": ORDERED_OPS, "json_number": ORDERED_OPS,
    "fk": {"eq", "ne", "in", "not_in", "is_null"},
    "date": DATE_OPS, "datetime": DATE_OPS, "json_date": DATE_OPS,
    "boolean": BOOL_OPS, "json_boolean": BOOL_OPS,
    "tags": TAG_OPS, "json_multi": {"contains", "is_null"},
}


def _condition(entity: registry.Entity, node: dict, loc: list, ctx: Context) -> Q:
    unknown = set(node) - {"field", "op", "value"}
    if unknown:
        raise FilterError(_("Unknown key '%(key)s'.") % {"key": sorted(unknown)[0]}, loc)
    target = resolve(entity, node.get("field"), [*loc, "field"])
    op = node.get("op")
    if op not in ALL_OPS:
        raise FilterError(_("Unknown operator '%(op)s'.") % {"op": op}, [*loc, "op"])
    if op not in OPS_BY_KIND[target.kind]:
        raise FilterError(_("The operator '%(op)s' does not apply to '%(field)s'.") %
                          {"op": op, "field": node["field"]}, [*loc, "op"])
    if "value" not in node:
        raise FilterError(_("A value is required."), [*loc, "value"])
    return _lookup(target, op, node["value"], [*loc, "value"], ctx)


def _lookup(target: Target, op: str, value: Any, loc: list, ctx: Context) -> Q:
    if target.kind == "tags":
        return _tags_lookup(target, op, value, loc, ctx)
    path = target.lookup
    if op == "is_null":
        if not isinstance(value, bool):
            raise FilterError(_("Expected true or false."), loc)
        q = Q(**{f"{path}__isnull": True})
        if target.nullable_text or target.kind == "json_text":
            q |= Q(**{path: ""})
        return q if value else ~q
    if op in ("within_last_days", "older_than_days"):
        return _relative_days(target, op, value, loc)
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > MAX_LIST:
            raise FilterError(_("Expected a non-empty list (at most %(n)d values).") %
                              {"n": MAX_LIST}, loc)
        values = [_typed(target, v, [*loc, i], ctx, op) for i, v in enumerate(value)]
        path = _date_path(target, path, values[0]) if all(
            _is_plain_date(v) for v in values) else path
        q = Q(**{f"{path}__in": values})
        return q if op == "in" else ~q
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise FilterError(_("Expected a list of two values."), loc)
        low, high = (_typed(target, v, [*loc, i], ctx, op) for i, v in enumerate(value))
        if target.kind == "datetime" and _is_plain_date(low) != _is_plain_date(high):
            raise FilterError(_("Give two dates or two date-times."), loc)
        path = _date_path(target, path, low)
        return Q(**{f"{path}__gte": low, f"{path}__lte": high, f"{path}__isnull": False})
    typed = _typed(target, value, loc, ctx, op)
    if target.kind == "json_multi":
        # a JSON array compared as its text: '["a", "b"]' contains '"a"'
        return Q(**{f"{path}__icontains": f'"{typed}"'})
    if target.kind == "json_text" and op == "contains":
        # on a JSON key `contains` means containment of JSON values; here it means the text
        return Q(Contains(KT(path), typed))
    path = _date_path(target, path, typed)
    mapping = {
        "eq": "exact", "ieq": "iexact", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte",
        "contains": "contains", "icontains": "icontains", "startswith": "startswith",
    }
    if op == "ne":
        return ~Q(**{path: typed})
    q = Q(**{f"{path}__{mapping[op]}": typed})
    if target.kind in ORDERED_KINDS and op in ("lt", "lte", "gt", "gte"):
        # Django answers a comparison with a bound outside the column's range (employees > -1)
        # with "every row", NULLs included; an unknown value must not match.
        q &= Q(**{f"{path}__isnull": False})
    return q


def _relative_days(target: Target, op: str, value: Any, loc: list) -> Q:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 36500:
        raise FilterError(_("Expected a whole number of days (0 to 36500)."), loc)
    path = target.lookup
    now = timezone.now()
    boundary = now - dt.timedelta(days=value)
    if target.kind in ("date", "json_date"):
        boundary_v: Any = timezone.localdate(boundary)
        now_v: Any = timezone.localdate(now)
        if target.kind == "json_date":
            boundary_v, now_v = boundary_v.isoformat(), now_v.isoformat()
    else:
        boundary_v, now_v = boundary, now
    if op == "within_last_days":
        return Q(**{f"{path}__gte": boundary_v, f"{path}__lte": now_v})
    return Q(**{f"{path}__lt": boundary_v})


def _tags_lookup(target: Target, op: str, value: Any, loc: list, ctx: Context) -> Q:
    """Tag conditions as subqueries on the tag table, so that two of them in one `all` mean
    "has both tags" (a join would demand one tag named both) and rows never repeat."""
    m2m = target.model._meta.get_field("tags")
    through = m2m.remote_field.through
    source, tag = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    tagged = f"{target.lookup}__in" if target.lookup else "pk__in"

    def having(condition: dict) -> Q:
        return Q(**{tagged: through.objects.filter(**condition).values(source)})

    if op == "is_null":
        if not isinstance(value, bool):
            raise FilterError(_("Expected true or false."), loc)
        any_tag = having({})
        return ~any_tag if value else any_tag
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > MAX_LIST:
            raise FilterError(_("Expected a non-empty list (at most %(n)d values).") %
                              {"n": MAX_LIST}, loc)
        names = [_typed(target, v, [*loc, i], ctx, op) for i, v in enumerate(value)]
        q = having({f"{tag}__name__in": names})
        return q if op == "in" else ~q
    return having({f"{tag}__name__iexact": _typed(target, value, loc, ctx, op)})


def _is_plain_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _date_path(target: Target, path: str, value: Any) -> str:
    if target.kind == "datetime" and _is_plain_date(value):
        return f"{path}__date"
    return path


def _text(value: Any, loc: list) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise FilterError(_("Expected text."), loc)
    value = str(value)
    if len(value) > MAX_TEXT:
        raise FilterError(_("The value is too long (at most %(n)d characters).") %
                          {"n": MAX_TEXT}, loc)
    if "\x00" in value:
        raise FilterError(_("Text may not contain NUL characters."), loc)
    return value


def _typed(target: Target, value: Any, loc: list, ctx: Context, op: str = "eq") -> Any:
    kind = target.kind
    if kind in ("text", "json_text", "tags", "json_multi"):
        value = _text(value, loc)
        if target.choices and kind == "text" and op in EQUALITY_OPS and (
            value not in target.choices
        ):
            raise FilterError(_("'%(value)s' is not one of: %(choices)s.") %
                              {"value": value, "choices": ", ".join(target.choices)}, loc)
        return value
    if kind in ("number", "fk"):
        if kind == "fk" and value == "me":
            # the current user; nobody when there is none (a rule running on its own)
            return ctx.user.pk if ctx.user is not None else -1
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise FilterError(_("Expected a whole number."), loc)
        try:
            number = int(value)
        except ValueError:
            raise FilterError(_("Expected a whole number."), loc) from None
        if abs(number) > MAX_INT:
            raise FilterError(_("The number is out of range."), loc)
        return number
    if kind in ("decimal", "json_number"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise FilterError(_("Expected a number."), loc)
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise FilterError(_("Expected a number."), loc) from None
        if not number.is_finite():
            raise FilterError(_("Expected a number."), loc)
        if abs(number) >= MAX_DECIMAL:
            raise FilterError(_("The number is out of range."), loc)
        return float(number) if kind == "json_number" else number
    if kind in ("boolean", "json_boolean"):
        if not isinstance(value, bool):
            raise FilterError(_("Expected true or false."), loc)
        return value
    if kind in ("date", "json_date", "datetime"):
        return _date_value(kind, value, loc)
    raise FilterError(_("Unsupported field."), loc)


def _date_value(kind: str, value: Any, loc: list) -> Any:
    message = (_("Expected a date (YYYY-MM-DD) or a date-time (ISO 8601).") if kind == "datetime"
               else _("Expected a date (YYYY-MM-DD)."))
    if not isinstance(value, str) or len(value) > 40:
        raise FilterError(message, loc)
    try:
        if kind == "datetime" and "T" in value.upper():
            parsed_dt = parse_datetime(value.strip())
            if parsed_dt is None:
                raise ValueError
            if timezone.is_naive(parsed_dt):
                parsed_dt = timezone.make_aware(parsed_dt)
            return parsed_dt
        parsed = parse_date(value.strip())
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise FilterError(message, loc)
    return parsed.isoformat() if kind == "json_date" else parsed


# --------------------------------------------------------------------------- related


def _related(entity: registry.Entity, node: dict, loc: list, ctx: Context, depth: int) -> Q:
    unknown = set(node) - {"related", "agg", "op", "value", "where"}
    if unknown:
        raise FilterError(_("Unknown key '%(key)s'.") % {"key": sorted(unknown)[0]}, loc)
    name = node.get("related")
    rel = entity.related.get(name) if isinstance(name, str) else None
    if rel is None:
        raise FilterError(_("Unknown relation '%(rel)s' for %(entity)s; use one of: %(names)s.") %
                          {"rel": name, "entity": entity.name,
                           "names": ", ".join(sorted(entity.related)) or "—"}, [*loc, "related"])
    child_entity = registry.get(rel.entity)
    reverse = entity.model._meta.get_field(rel.lookup)
    fk_name = reverse.field.name
    agg_text = node.get("agg", "count")
    if not isinstance(agg_text, str):
        raise FilterError(_("Unknown aggregate."), [*loc, "agg"])
    agg, _sep, agg_field = agg_text.partition(":")
    if agg not in AGGREGATES or (agg == "count") == bool(agg_field):
        raise FilterError(_("Unknown aggregate '%(agg)s': use count, sum:<field>, avg:<field>, "
                            "max:<field> or min:<field>.") % {"agg": agg_text}, [*loc, "agg"])
    value_target = Target("c", "number")
    field_target = None
    if agg_field:
        field_target = resolve(child_entity, agg_field, [*loc, "agg"])
        if field_target.kind not in ("number", "decimal", "date", "datetime", "json_number"):
            raise FilterError(_("'%(field)s' cannot be aggregated.") % {"field": agg_field},
                              [*loc, "agg"])
        if agg in ("sum", "avg") and field_target.kind in ("date", "datetime"):
            raise FilterError(_("Dates can only be aggregated with max or min."), [*loc, "agg"])
        value_target = Target("c", field_target.kind if field_target.kind != "json_number"
                              else "decimal")
    op = node.get("op")
    if op not in {"eq", "ne", "lt", "lte", "gt", "gte", "between"}:
        raise FilterError(_("Unknown operator '%(op)s' for an aggregate.") % {"op": op},
                          [*loc, "op"])
    if "value" not in node:
        raise FilterError(_("A value is required."), [*loc, "value"])
    value = node["value"]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise FilterError(_("Expected a list of two values."), [*loc, "value"])
        bounds = [_typed(value_target, v, [*loc, "value", i], ctx) for i, v in enumerate(value)]
    else:
        bounds = [_typed(value_target, value, [*loc, "value"], ctx)]
    if value_target.kind == "datetime":
        bounds = [_start_of_day(b) if _is_plain_date(b) else b for b in bounds]
    children = child_entity.model.objects.filter(**{f"{fk_name}__isnull": False})
    if ctx.user is not None:
        # Only related rows the user may see count, like everywhere else.
        children = access.scope(ctx.user, child_entity.name, "view", children)
    if node.get("where") not in (None, {}):
        children = children.filter(_node(child_entity, node["where"], [*loc, "where"], ctx,
                                         depth + 1))
    func = {"count": Count, "sum": Sum, "avg": Avg, "max": Max, "min": Min}[agg]
    expr = func("pk") if agg == "count" else func(_aggregated(field_target))
    having = _compare(AGG_ALIAS, op, bounds)
    per_parent = children.values(fk_name).annotate(**{AGG_ALIAS: expr})
    if agg in ("count", "sum") and _holds(0, op, bounds):
        # Parents without any matching row pass too (a count or sum of nothing is 0), so
        # select every parent except those whose rows fail.
        return ~Q(pk__in=per_parent.exclude(having).values(fk_name))
    return Q(pk__in=per_parent.filter(having).values(fk_name))


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _aggregated(target: Target | None) -> Any:
    if target is not None and target.kind == "json_number":
        # a custom-field number lives in JSON: aggregate its text read as a number
        return Cast(KT(target.lookup), FloatField())
    return F(target.lookup) if target is not None else F("pk")


def _compare(name: str, op: str, bounds: list) -> Q:
    if op == "between":
        return Q(**{f"{name}__gte": bounds[0], f"{name}__lte": bounds[1]})
    if op == "ne":
        return ~Q(**{name: bounds[0]})
    lookup = {"eq": "exact", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte"}[op]
    return Q(**{f"{name}__{lookup}": bounds[0]})


def _holds(zero: Any, op: str, bounds: list) -> bool:
    try:
        b = [decimal.Decimal(str(x)) for x in bounds]
    except decimal.InvalidOperation:
        return False
    z = decimal.Decimal(zero)
    return {
        "eq": lambda: z == b[0], "ne": lambda: z != b[0], "lt": lambda: z < b[0],
        "lte": lambda: z <= b[0], "gt": lambda: z > b[0], "gte": lambda: z >= b[0],
        "between": lambda: b[0] <= z <= b[1],
    }[op]()


def describe_fields(entity_name: str) -> list[dict]:
    """Fields with their kinds and operators, for the filter builder in the UI."""
    entity = registry.get(entity_name)
    found = []
    for name in entity.filter_fields:
        f = entity.model_field(name)
        if f is None or (isinstance(f, models.ForeignKey) and name != f.attname):
            continue
        target = _field_target(f) if name != "tags" else Target("tags__name", "tags")
        label = str(getattr(f, "verbose_name", name)) if name != "tags" else _("tags")
        found.append({"field": name, "label": label, "kind": target.kind,
                      "ops": sorted(OPS_BY_KIND[target.kind]),
                      "choices": [[v, str(lbl)] for v, lbl in (f.choices or [])]})
    if entity.custom_fields:
        for definition in CustomField.objects.filter(entity=entity_name):
            target = _custom_target(entity, definition.key, [])
            found.append({"field": f"custom.{definition.key}",
                          "label": customfields.label(definition), "kind": target.kind,
                          "ops": sorted(OPS_BY_KIND[target.kind]),
                          "choices": [[c, c] for c in definition.choices or []]})
    return found


# --------------------------------------------------------------------------- in memory


Predicate = Any  # Callable[[_Values], bool]


def matches(entity_name: str, node: Any, obj: Any, *, user: Any = None) -> bool:
    """Whether `obj` (a record, saved or not, or a dict of the values about to be saved)
    satisfies `node`, with the same answer `compile_filter` gives in the database.

    The node is validated like `compile_filter` does (FilterError on a bad node). To test
    many records against one node, build the test once with `matcher`.
    """
    return matcher(entity_name, node, user=user)(obj)


def matcher(entity_name: str, node: Any, *, user: Any = None,
            cache: dict | None = None) -> Any:
    """A function `record_or_dict -> bool` evaluating `node` in memory (see `matches`).

    `cache` (a dict, given here or to each call) keeps the related records loaded for
    `"<fk>.<field>"` paths, so that a batch loads each of them once.
    """
    compile_filter(entity_name, node, user=user)  # the same validation, the same errors
    if node in (None, {}):
        return lambda obj, cache=None: True
    entity = registry.get(entity_name)
    test = _m_node(entity, node, Context(user=user))

    def check(obj: Any, cache: dict | None = cache) -> bool:
        return test(_Values(entity, obj, cache if cache is not None else {})) is True

    return check


class _Values:
    """Reads a record's values by ORM path for the in-memory test, loading related records
    through foreign keys when a path needs them."""

    __slots__ = ("entity", "obj", "cache", "is_dict")

    def __init__(self, entity: registry.Entity, obj: Any, cache: dict):
        self.entity, self.obj, self.cache = entity, obj, cache
        self.is_dict = isinstance(obj, dict)

    @property
    def pk(self) -> Any:
        if self.is_dict:
            return self.obj.get("id")
        return self.obj.pk

    def get(self, lookup: str) -> tuple[bool, Any]:
        """(present, value) at an ORM path such as `name`, `account__industry`,
        `custom__key` or `owner_id`. `present` is False only for a missing custom key."""
        parts = lookup.split("__")
        model, obj, is_dict = self.entity.model, self.obj, self.is_dict
        for i, part in enumerate(parts):
            if obj is None:
                return True, None
            if part == "custom" and i == len(parts) - 2:
                custom = (obj.get("custom") if is_dict else getattr(obj, "custom", None)) or {}
                key = parts[-1]
                return (key in custom and custom[key] is not None), custom.get(key)
            f = model._meta.get_field(part)
            last = i == len(parts) - 1
            if isinstance(f, models.ForeignKey) and not (last and part == f.attname):
                pk = _read(obj, f.attname, f.name, is_dict)
                if isinstance(pk, models.Model):
                    pk = pk.pk
                if last:
                    return True, pk
                obj = self._load(f.related_model, _to_python(f.target_field, pk))
                model, is_dict = f.related_model, False
                continue
            if last:
                value = _read(obj, f.attname, f.name, is_dict)
                if is_dict or not isinstance(value, (str, int, type(None))):
                    value = _to_python(f, value)
                return True, value
            return True, None
        return True, None

    def _load(self, model: type[models.Model], pk: Any) -> Any:
        if pk is None:
            return None
        key = (model, pk)
        if key not in self.cache:
            self.cache[key] = model._base_manager.filter(pk=pk).first()
        return self.cache[key]


def _reader(model: type[models.Model], lookup: str) -> Any:
    """`_Values -> (present, value)` for an ORM path, with the common case (a column of the
    record itself, on a record) a dictionary read."""
    parts = lookup.split("__")
    if len(parts) == 1:
        f = model._meta.get_field(parts[0])
        attname = f.attname
        plain = isinstance(f, models.ForeignKey) or type(f) in _PLAIN_FIELDS

        def read(r: _Values) -> tuple[bool, Any]:
            if not r.is_dict:
                values = r.obj.__dict__
                if attname in values:
                    value = values[attname]
                    if plain or value is None or value.__class__ in (str, int):
                        return True, value
            return r.get(lookup)

        return read
    return lambda r: r.get(lookup)


_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
                 models.EmailField, models.BigIntegerField, models.PositiveIntegerField,
                 models.SmallIntegerField, models.AutoField, models.BigAutoField, models.URLField,
                 models.SlugField, models.DateField, models.DateTimeField,
                 models.PositiveSmallIntegerField)


def _read(obj: Any, attname: str, name: str, is_dict: bool) -> Any:
    if is_dict:
        return obj[attname] if attname in obj else obj.get(name)
    return obj.__dict__[attname] if attname in obj.__dict__ else getattr(obj, attname, None)


def _to_python(f: models.Field, value: Any) -> Any:
    if value is None or isinstance(value, models.Model):
        return value
    try:
        value = f.to_python(value)
    except Exception:  # a value the write would refuse: it matches nothing
        return None
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _m_node(entity: registry.Entity, node: dict, ctx: Context) -> Predicate:
    return _m_part(entity, node, ctx)[0]


def _always(r: _Values) -> bool:
    return True


def _m_part(entity: registry.Entity, node: dict, ctx: Context) -> tuple[Predicate, bool]:
    """(test, empty): `empty` when the node compiles to an empty Q, which Django reads as
    "everything" and drops from `&` and `|` (and which stays empty under `~`).

    Tests follow SQL's three-valued logic: a condition on a missing custom value is unknown
    (None) and stays unknown under `not`, as NULL does in the database.
    """
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        children = [_m_part(entity, child, ctx) for child in node[key]]
        parts = [p for p, empty in children if not empty]
        if key == "any" and not children:
            return (lambda r: False), False
        if not parts:
            return _always, True
        if key == "all":
            def every(r: _Values) -> bool | None:
                answer: bool | None = True
                for p in parts:
                    got = p(r)
                    if got is False:
                        return False
                    if got is None:
                        answer = None
                return answer

            return every, False

        def some(r: _Values) -> bool | None:
            answer: bool | None = False
            for p in parts:
                got = p(r)
                if got is True:
                    return True
                if got is None:
                    answer = None
            return answer

        return some, False
    if "not" in node:
        inner, empty = _m_part(entity, node["not"], ctx)
        if empty:
            return _always, True

        def negated(r: _Values) -> bool | None:
            got = inner(r)
            return None if got is None else not got

        return negated, False
    if "related" in node:
        return _m_related(entity, node, ctx), False
    return _m_condition(entity, node, ctx), False


def _m_related(entity: registry.Entity, node: dict, ctx: Context) -> Predicate:
    """An aggregate over related rows: a record not saved yet has none (a count or sum of
    nothing is 0); a saved one asks the database."""
    q = _related(entity, node, [], Context(user=ctx.user), 0)
    agg, _sep, _field = str(node.get("agg", "count")).partition(":")
    op, value = node["op"], node["value"]
    bounds = value if op == "between" else [value]
    empty_passes = agg in ("count", "sum") and _holds(0, op, bounds)
    model = entity.model

    def test(r: _Values) -> bool:
        pk = r.pk
        if pk is None:
            return empty_passes
        return model._base_manager.filter(q, pk=pk).exists()

    return test


def _m_condition(entity: registry.Entity, node: dict, ctx: Context) -> Predicate:
    target = resolve(entity, node["field"], [])
    op, value = node["op"], node["value"]
    if target.kind == "tags":
        return _m_tags(target, op, value, ctx)
    if target.kind == "decimal" and entity.model_field(target.lookup.split("__")[0]) is None:
        # a computed value (annotation): only the database knows it
        q = _condition(entity, node, [], ctx)
        return lambda r: r.pk is not None and entity.model._base_manager.filter(
            q, pk=r.pk).exists()
    test = _m_test(target, op, value, ctx)
    json = target.kind.startswith("json_")
    unknown_when_missing = json and op not in ("is_null", "between")
    read = _reader(entity.model, target.lookup)

    def check(r: _Values) -> bool | None:
        present, v = read(r)
        if json and not present:
            if unknown_when_missing:
                return None  # NULL in the database
            v = None
        return test(v, present)

    return check


def _sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


def _ascii_lower(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _fold(text: str) -> str:
    """Case folding as the database does it for i-lookups: SQLite's LIKE folds ASCII
    letters only; PostgreSQL compares UPPER() of both sides."""
    return _folder()(text)


def _folder() -> Any:
    return _ascii_lower if _sqlite() else _pg_upper


def _pg_upper(text: str) -> str:
    if text.isascii():
        return text.upper()
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def _m_test(target: Target, op: str, value: Any, ctx: Context) -> Any:
    """`(value, present) -> bool` for one condition on a plain or custom field."""
    kind = target.kind
    json = kind.startswith("json_")
    sqlite = _sqlite()
    _fold = _folder()  # noqa: N806  (the database's folding, chosen once)
    if op == "is_null":
        blank_is_null = target.nullable_text or kind == "json_text"

        def is_null(v: Any, present: bool) -> bool:
            null = v is None or (blank_is_null and v == "")
            return null if value else not null

        return is_null
    if op in ("within_last_days", "older_than_days"):
        now = timezone.now()
        boundary = now - dt.timedelta(days=value)
        if kind in ("date", "json_date"):
            low, high = timezone.localdate(boundary), timezone.localdate(now)
            if kind == "json_date":
                low, high = low.isoformat(), high.isoformat()
        else:
            low, high = boundary, now
        if op == "within_last_days":
            return lambda v, p: v is not None and _cmp(v, low, "gte", kind) and _cmp(
                v, high, "lte", kind)
        return lambda v, p: v is not None and _cmp(v, low, "lt", kind)
    if op in ("in", "not_in"):
        values = [_typed(target, v, [], ctx, op) for v in value]
        as_dates = target.kind == "datetime" and all(_is_plain_date(v) for v in values)
        if target.kind == "datetime" and not as_dates:
            values = [_start_of_day(v) if _is_plain_date(v) else v for v in values]

        def within(v: Any, present: bool) -> bool:
            if v is None:
                return None
            v = _as_date(v) if as_dates else v
            return any(_equal(v, t, kind) for t in values)

        if op == "in":
            return lambda v, p: bool(within(v, p))
        # NOT IN on an unknown value: NULL columns pass (Django adds "OR col IS NULL"),
        # a missing JSON key does not
        return lambda v, p: (not json) if v is None else not within(v, p)
    if op == "between":
        low, high = (_typed(target, v, [], ctx, op) for v in value)
        as_date = kind == "datetime" and _is_plain_date(low)
        return lambda v, p: v is not None and _cmp(_as_date(v) if as_date else v, low, "gte",
                                                   kind) and _cmp(
            _as_date(v) if as_date else v, high, "lte", kind)
    typed = _typed(target, value, [], ctx, op)
    if kind == "json_multi":
        wanted = _fold(typed)
        return lambda v, p: isinstance(v, list) and any(
            isinstance(item, str) and _fold(item) == wanted for item in v)
    as_date = kind == "datetime" and _is_plain_date(typed)
    if op == "ne":
        return lambda v, p: (not json) if v is None else not _equal(
            _as_date(v) if as_date else v, typed, kind)
    if op == "eq":
        return lambda v, p: v is not None and _equal(_as_date(v) if as_date else v, typed,
                                                     kind)
    if op == "ieq":
        folded = _fold(typed)
        return lambda v, p: v is not None and _fold(_as_text(v)) == folded
    if op in ("contains", "icontains", "startswith"):
        insensitive = op == "icontains" or (sqlite and (not json or op == "contains")) or (
            sqlite and op == "startswith")
        needle = _fold(typed) if insensitive else typed

        def like(v: Any, present: bool) -> bool:
            if v is None or (json and not isinstance(v, str) and op != "icontains"):
                return False
            text = _as_text(v)
            text = _fold(text) if insensitive else text
            return text.startswith(needle) if op == "startswith" else needle in text

        return like
    return lambda v, p: v is not None and _cmp(_as_date(v) if as_date else v, typed, op, kind)


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and _sqlite():
        return str(v)
    return str(v)


def _as_date(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return timezone.localtime(v).date() if timezone.is_aware(v) else v.date()
    return v


def _comparable(v: Any, t: Any, kind: str) -> tuple[Any, Any] | None:
    """Both sides in one type, or None when the database would not find them equal/ordered."""
    if kind in _SAME_TYPE_KINDS:
        return v, t
    if kind.startswith("json_"):
        if isinstance(v, bool) != isinstance(t, bool):
            return None
        if isinstance(t, (int, float)) and not isinstance(t, bool):
            if not isinstance(v, (int, float)):
                return None
            return decimal.Decimal(str(v)), decimal.Decimal(str(t))
        if isinstance(t, str) and not isinstance(v, str):
            return None
        return v, t
    if kind == "decimal":
        if isinstance(v, float):
            return v, float(t)
        try:
            return decimal.Decimal(str(v)), t
        except decimal.InvalidOperation:
            return None
    if kind == "datetime" and _is_plain_date(t) and isinstance(v, dt.datetime):
        return v, _start_of_day(t)
    return v, t


def _equal(v: Any, t: Any, kind: str) -> bool:
    pair = _comparable(v, t, kind)
    return pair is not None and pair[0] == pair[1]


def _cmp(v: Any, t: Any, op: str, kind: str) -> bool:
    pair = _comparable(v, t, kind)
    if pair is None:
        return False
    try:
        return _COMPARE[op](*pair)
    except TypeError:
        return False


_COMPARE = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}
_SAME_TYPE_KINDS = frozenset({"text", "number", "fk", "boolean", "date"})


def _m_tags(target: Target, op: str, value: Any, ctx: Context) -> Predicate:
    def names(r: _Values) -> list[str]:
        if r.is_dict and "tags" in r.obj:
            given = r.obj["tags"] or []
            return [given] if isinstance(given, str) else list(given)
        if not r.is_dict and r.obj.pk is None:
            return list(getattr(r.obj, "_pending_tags", None) or [])
        if r.pk is None:
            return []
        return list(target.model._base_manager.filter(pk=r.pk).values_list(
            "tags__name", flat=True).exclude(tags__name=None))

    if op == "is_null":
        return lambda r: (not names(r)) if value else bool(names(r))
    if op in ("in", "not_in"):
        wanted = {_typed(target, v, [], ctx, op) for v in value}
        if op == "in":
            return lambda r: any(n in wanted for n in names(r))
        return lambda r: not any(n in wanted for n in names(r))
    fold = _folder()
    folded = fold(_typed(target, value, [], ctx, op))
    return lambda r: any(fold(n) == folded for n in names(r))
