"""Exports: the records a user may see, filtered, streamed into CSV, XLSX, JSON or vCard.

Records are read in chunks (`.iterator(chunk_size=…)`) with their references and tags
loaded per chunk, and written as they come, so memory stays flat whatever the size.
Columns: `id`, the record's fields, each reference also by natural key (`account_name`,
`contact_email`, `owner` as a username), `tags` (";"-separated), `custom.<key>` per custom
field, `created_at` and `updated_at`. The import reads these files back.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import access, customfields, filters, registry
from vinculo.platform.records import has_tags, writable_fields

from .columns import REFERENCE_KEYS

FORMATS = ("csv", "xlsx", "json", "jsonl", "vcf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "vcf": "text/vcard; charset=utf-8",
}
CHUNK_SIZE = 2000
MAX_IDS = 10_000
EXPORT_KEY = {"accounts": "name", "contacts": "email", "products": "sku", "orders": "number"}
ADDRESS = ("street", "city", "region", "postal_code", "country")


class ExportRefused(Exception):
    """The export cannot run as asked; `field` names the option at fault."""

    def __init__(self, message: str, field: str = "entity"):
        super().__init__(message)
        self.field = field


@dataclass
class ExportColumn:
    name: str
    get: Callable[[Any], Any]


def exportable_names() -> list[str]:
    return sorted(e.name for e in registry.all_entities() if e.importable)


def check_request(entity_name: str, fmt: str) -> registry.Entity:
    entity = registry.maybe(entity_name)
    if entity is None or not entity.importable:
        raise ExportRefused(_("'%(entity)s' cannot be exported. Choose one of: %(names)s.")
                            % {"entity": entity_name, "names": ", ".join(exportable_names())})
    if fmt not in FORMATS:
        raise ExportRefused(_("Unknown format '%(format)s': use csv, xlsx, json, jsonl or vcf.")
                            % {"format": fmt}, "format")
    if fmt == "vcf" and entity_name != "contacts":
        raise ExportRefused(_("vCard is for contacts only."), "format")
    return entity


def columns_for(entity: registry.Entity) -> list[ExportColumn]:
    columns = [ExportColumn("id", lambda obj: obj.pk)]
    fields = writable_fields(entity.model)
    last = [k for k in (*ADDRESS, "owner_id") if k in fields]
    for key in [k for k in fields if k not in last and k != "custom"] + last:
        f = fields[key]
        columns.append(ExportColumn(key, _attribute(key)))
        if isinstance(f, models.ForeignKey):
            target = registry._by_model.get(f.related_model)
            if target is not None and target.name == "users":
                columns.append(ExportColumn(f.name, _related(f.name, "username")))
            elif target is not None and target.name in EXPORT_KEY:
                natural = EXPORT_KEY[target.name]
                if natural in REFERENCE_KEYS.get(target.name, ()):
                    columns.append(ExportColumn(f"{f.name}_{natural}", _related(f.name, natural)))
    if has_tags(entity.model):
        columns.append(ExportColumn("tags", lambda obj: [t.name for t in obj.tags.all()]))
    if entity.custom_fields:
        for key in customfields.definitions(entity.name):
            columns.append(ExportColumn(f"custom.{key}", _custom(key)))
    columns.append(ExportColumn("created_at", _attribute("created_at")))
    columns.append(ExportColumn("updated_at", _attribute("updated_at")))
    return columns


def _attribute(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name)


def _related(relation: str, name: str) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        target = getattr(obj, relation)
        return getattr(target, name) if target is not None else None

    return get


def _custom(key: str) -> Callable[[Any], Any]:
    return lambda obj: (obj.custom or {}).get(key)


def records_for(user: Any, entity: registry.Entity, *, node: Any = None,
                ids: list[int] | None = None) -> QuerySet:
    """What the user may see, narrowed by the filter and the ids; oldest first."""
    qs = access.scope(user, entity.name, "view")
    if node:
        qs = qs.filter(filters.compile_filter(entity.name, node, user=user))
    if ids is not None:
        qs = qs.filter(pk__in=ids[:MAX_IDS])
    relations = [f.name for f in writable_fields(entity.model).values()
                 if isinstance(f, models.ForeignKey)]
    if relations:
        qs = qs.select_related(*relations)
    if has_tags(entity.model):
        qs = qs.prefetch_related("tags")
    if entity.name == "orders":
        qs = qs.prefetch_related("lines__product")
    return qs.order_by("id")


# ---------------------------------------------------------------------------- values


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _local(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# A spreadsheet takes a cell starting with one of these for a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (bool, int, float, decimal.Decimal)


def guard_formula(text: str) -> str:
    """Text a spreadsheet shows as it is: a leading apostrophe before a formula character
    (the import takes it off again)."""
    return "'" + text if text and text[0] in FORMULA_START else text


def csv_cell(value: Any) -> str:
    text = text_cell(value)
    return text if isinstance(value, NUMBERS) else guard_formula(text)


def sheet_cell(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, decimal.Decimal, dt.date)):
        if isinstance(value, dt.datetime):
            return _local(value).replace(tzinfo=None)
        return value
    return text_cell(value)


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _local(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def json_object(obj: Any, columns: list[ExportColumn], entity: registry.Entity) -> dict:
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for column in columns:
        value = column.get(obj)
        if column.name.startswith("custom."):
            if value is not None:
                custom[column.name[7:]] = value
            continue
        data[column.name] = json_value(value)
    if entity.custom_fields:
        data["custom"] = custom
    if entity.name == "orders":
        data["lines"] = [{
            "product_id": line.product_id,
            "product_sku": line.product.sku if line.product else None,
            "description": line.description, "quantity": str(line.quantity),
            "unit_price": str(line.unit_price), "discount": str(line.discount),
        } for line in obj.lines.all()]
    return data


# ---------------------------------------------------------------------------- writing


def write(fmt: str, out: IO[bytes], entity: registry.Entity, rows: Iterator[Any], *,
          bom: bool = True, on_row: Callable[[], None] | None = None) -> int:
    """Write the records to `out` in `fmt`; returns how many were written."""
    columns = columns_for(entity)
    on_row = on_row or (lambda: None)
    writers = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json,
               "jsonl": _write_jsonl, "vcf": _write_vcf}
    return writers[fmt](out, entity, columns, rows, on_row, bom)


def _text_stream(out: IO[bytes], bom: bool) -> io.TextIOWrapper:
    return io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="",
                            write_through=False)


def _write_csv(out, entity, columns, rows, on_row, bom) -> int:
    text = _text_stream(out, bom)
    writer = csv.writer(text)
    writer.writerow([c.name for c in columns])
    count = 0
    for obj in rows:
        writer.writerow([csv_cell(c.get(obj)) for c in columns])
        count += 1
        on_row()
    text.flush()
    text.detach()
    return count


def _write_xlsx(out, entity, columns, rows, on_row, bom) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(entity.label_plural or entity.name)[:31])
    sheet.append([c.name for c in columns])
    count = 0
    for obj in rows:
        cells = []
        for column in columns:
            value = sheet_cell(column.get(obj))
            cells.append(guard_formula(value) if isinstance(value, str) else value)
        sheet.append(cells)
        count += 1
        on_row()
    book.save(out)
    return count


def _write_json(out, entity, columns, rows, on_row, bom) -> int:
    text = _text_stream(out, False)
    text.write("[")
    count = 0
    for obj in rows:
        text.write(",\n" if count else "\n")
        text.write(json.dumps(json_object(obj, columns, entity), ensure_ascii=False))
        count += 1
        on_row()
    text.write("\n]\n" if count else "]\n")
    text.flush()
    text.detach()
    return count


def _write_jsonl(out, entity, columns, rows, on_row, bom) -> int:
    text = _text_stream(out, False)
    count = 0
    for obj in rows:
        text.write(json.dumps(json_object(obj, columns, entity), ensure_ascii=False))
        text.write("\n")
        count += 1
        on_row()
    text.flush()
    text.detach()
    return count


def _write_vcf(out, entity, columns, rows, on_row, bom) -> int:
    from .vcard import contact_card

    text = _text_stream(out, False)
    count = 0
    for obj in rows:
        account = obj.account.name if obj.account_id else ""
        text.write(contact_card(obj, [t.name for t in obj.tags.all()], account))
        count += 1
        on_row()
    text.flush()
    text.detach()
    return count


def file_name(entity_name: str, fmt: str) -> str:
    return f"{entity_name}-{timezone.localdate().isoformat()}.{fmt}"


def export(user: Any, entity_name: str, fmt: str, out: IO[bytes], *, node: Any = None,
           ids: list[int] | None = None, bom: bool = True,
           on_progress: Callable[[int, int | None], None] | None = None) -> int:
    """Export what `user` may see of `entity_name` into `out`. Raises ExportRefused or
    filters.FilterError for a bad request."""
    entity = check_request(entity_name, fmt)
    qs = records_for(user, entity, node=node, ids=ids)
    total = qs.count() if on_progress else None
    done = 0

    def on_row() -> None:
        nonlocal done
        done += 1
        if on_progress and done % CHUNK_SIZE == 0:
            on_progress(done, total)

    count = write(fmt, out, entity, qs.iterator(chunk_size=CHUNK_SIZE), bom=bom,
                  on_row=on_row)
    if on_progress:
        on_progress(count, total)
    return count
