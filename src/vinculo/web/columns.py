"""List columns: which columns an entity offers, how each is fetched and shown.

Cells are computed here, in a fixed number of queries whatever the page size: foreign keys
are joined, tags prefetched, and the related records the user may open are found with one
query per linked column.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vinculo.identity.models import User
from vinculo.platform import access, registry
from vinculo.platform.models import CustomField

from .forms import capfirst
from .resources import record_url

TITLE = "name"  # the pseudo-column showing the record's title (e.g. a contact's full name)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str | None = None  # the ordering key, when the column can be sorted
    fk: str | None = None  # the model's foreign key behind the column
    custom: CustomField | None = None
    field: models.Field | None = None


@dataclass
class Cell:
    text: str
    url: str = ""
    kind: str = "text"  # text, bool, number, muted, tags
    items: tuple[str, ...] = ()


def available_columns(entity: registry.Entity,
                      custom_defs: dict[str, CustomField] | None = None) -> list[Column]:
    """Every column the entity's list can show: the declared ones first, then the others."""
    keys: list[str] = list(entity.list_columns)
    for name in entity.filter_fields:
        field = entity.model_field(name)
        if name == "tags" or (field is not None and not field.primary_key
                              and name == field.name and name not in keys):
            keys.append(name)
    found = [c for c in (column_for(entity, key) for key in dict.fromkeys(keys)) if c]
    defs = custom_defs if custom_defs is not None else (
        {d.key: d for d in CustomField.objects.filter(entity=entity.name)}
        if entity.custom_fields else {})
    for definition in defs.values():
        found.append(Column(f"custom.{definition.key}", definition.label, custom=definition))
    return found


def column_for(entity: registry.Entity, key: str) -> Column | None:
    field = entity.model_field(key)
    if key == "tags":
        return Column("tags", _("Tags"))
    if field is None:
        if key == TITLE:
            first = entity.default_ordering[0].lstrip("-") if entity.default_ordering else None
            return Column(TITLE, _("Name"), sort=first if first in entity.ordering_fields
                          else None)
        return None
    if field.many_to_many or field.one_to_many:
        return None
    label = capfirst(getattr(field, "verbose_name", key))
    sort = key if key in entity.ordering_fields else None
    if isinstance(field, models.ForeignKey):
        return Column(key, label, sort=None, fk=field.name, field=field)
    return Column(key, label, sort=sort, field=field)


def resolve(entity: registry.Entity, keys: list[str], available: list[Column]) -> list[Column]:
    by_key = {c.key: c for c in available}
    chosen = [by_key[k] for k in keys if k in by_key]
    return chosen or [by_key[k] for k in entity.list_columns if k in by_key]


def optimise(qs: models.QuerySet, columns: list[Column]) -> models.QuerySet:
    joins = [c.fk for c in columns if c.fk]
    if joins:
        qs = qs.select_related(*joins)
    if any(c.key == "tags" for c in columns):
        qs = qs.prefetch_related("tags")
    return qs


def visible_related_ids(user: Any, rows: list[Any], columns: list[Column]) -> dict[str, set]:
    """For each linked column, the ids of the related records this user may open."""
    found: dict[str, set] = {}
    for column in columns:
        if not column.fk:
            continue
        target = registry._by_model.get(column.field.related_model)
        if target is None:
            continue
        ids = {getattr(row, column.field.attname) for row in rows} - {None}
        if not ids:
            found[column.key] = set()
            continue
        qs = access.scope(user, target.name, "view", target.model.objects.filter(pk__in=ids))
        found[column.key] = set(qs.values_list("pk", flat=True))
    return found


def cells(entity: registry.Entity, obj: Any, columns: list[Column],
          visible: dict[str, set]) -> list[Cell]:
    return [cell(entity, obj, column, visible) for column in columns]


def cell(entity: registry.Entity, obj: Any, column: Column, visible: dict[str, set]) -> Cell:
    if column.key == TITLE and column.field is None:
        return Cell(str(entity.title(obj) or f"#{obj.pk}"), url=record_url(entity.name, obj.pk))
    if column.key == "tags":
        return Cell("", kind="tags", items=tuple(t.name for t in obj.tags.all()))
    if column.custom is not None:
        return custom_cell(column.custom, (obj.custom or {}).get(column.custom.key))
    if column.fk:
        return related_cell(obj, column, visible)
    field = column.field
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return Cell(str(getattr(obj, f"get_{field.name}_display")()))
    if value is not None and field.name in entity.percent_fields:
        return percent_cell(value)
    return value_cell(value)


def percent_cell(probability: float) -> Cell:
    return Cell(formats.number_format(round(probability * 100), use_l10n=True) + " %",
                kind="number")


def related_cell(obj: Any, column: Column, visible: dict[str, set]) -> Cell:
    related = getattr(obj, column.fk)
    if related is None:
        return Cell("")
    if isinstance(related, User):
        return Cell(related.display_name())
    target = registry._by_model.get(type(related))
    if target is None:
        return Cell(str(related))
    if related.pk not in visible.get(column.key, set()):
        return Cell(_("Restricted"), kind="muted")
    return Cell(str(target.title(related)), url=record_url(target.name, related.pk))


def value_cell(value: Any) -> Cell:
    if value is None or value == "":
        return Cell("")
    if isinstance(value, bool):
        return Cell(_("Yes") if value else _("No"), kind="bool")
    if isinstance(value, dt.datetime):
        return Cell(formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"))
    if isinstance(value, dt.date):
        return Cell(formats.date_format(value, "SHORT_DATE_FORMAT"))
    if isinstance(value, (int, float, decimal.Decimal)):
        return Cell(formats.number_format(value, use_l10n=True, force_grouping=True),
                    kind="number")
    return Cell(str(value))


def custom_cell(definition: CustomField, value: Any) -> Cell:
    if value is None or value == "" or value == []:
        return Cell("")
    if isinstance(value, list):
        return Cell("", kind="tags", items=tuple(map(str, value)))
    if definition.type == CustomField.Type.DATE:
        try:
            return value_cell(dt.date.fromisoformat(str(value)))
        except ValueError:
            return Cell(str(value))
    return value_cell(value)


def display(user: Any, entity: registry.Entity, obj: Any, name: str) -> Cell:
    """One field of one record for the detail page (names are API field names)."""
    column = column_for(entity, name.removesuffix("_id")) if name.endswith("_id") else None
    if column is None:
        column = column_for(entity, name)
    if column is None:
        value = getattr(obj, name, None)
        return value_cell(value() if callable(value) else value)
    visible = visible_related_ids(user, [obj], [column]) if column.fk else {}
    return cell(entity, obj, column, visible)
