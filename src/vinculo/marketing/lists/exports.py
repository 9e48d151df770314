"""Marketing exports of a list (or a segment): CSV ready for mass-email tools, XLSX, JSON,
vCard and PDF address labels. Contacts who have not consented or asked not to be contacted
are left out by default, and the count of those left out is given."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import registry
from vinculo.platform.importexport import exporting

from . import labels

FORMATS = ("csv", "xlsx", "json", "vcf", "pdf")
EMAIL_FORMATS = ("csv", "xlsx", "json", "vcf")
CONTENT_TYPES = {**exporting.CONTENT_TYPES, "pdf": "application/pdf"}
# the columns mass-email tools expect (Mailchimp, Brevo, Sendinblue… map them by name)
MAIL_COLUMNS = {
    "contacts": ["email", "first_name", "last_name", "company", "title", "city", "country",
                 "lifecycle_stage", "tags"],
    "leads": ["email", "first_name", "last_name", "company", "title", "city", "country",
              "status", "score"],
}


@dataclass
class Result:
    content: bytes
    content_type: str
    file_name: str
    included: int
    excluded: int


def consent_q(entity: str, fmt: str) -> Q:
    """Who may receive a campaign in this format: email formats need an opt-in and no
    'do not contact'; direct mail needs no 'do not contact'."""
    fields = {f.name for f in registry.get(entity).model._meta.get_fields()}
    q = Q()
    if fmt in EMAIL_FORMATS and "email_opt_in" in fields:
        q &= Q(email_opt_in=True)
    if "do_not_contact" in fields:
        q &= Q(do_not_contact=False)
    return q


def check(entity: str, fmt: str, sheet: str | None) -> None:
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Use csv, xlsx, json, vcf or pdf.")]})
    if fmt == "vcf" and entity != "contacts":
        raise ValidationError({"format": [_("vCard is for contacts only.")]})
    if fmt == "pdf" and (sheet or "a4-3x7") not in labels.SHEETS:
        raise ValidationError({"sheet": [_("Use one of: %(names)s.")
                                         % {"names": ", ".join(labels.SHEETS)}]})


def split(records: QuerySet, entity: str, fmt: str, consent: bool) -> tuple[QuerySet, int]:
    """The records to export and how many were left out for lack of consent."""
    if not consent:
        return records, 0
    q = consent_q(entity, fmt)
    if not q:
        return records, 0
    kept = records.filter(q)
    return kept, records.count() - kept.count()


def _mail_rows(kept: QuerySet, entity: str) -> Any:
    """The mass-email columns as plain values (no model instances), tags per chunk."""
    columns = MAIL_COLUMNS[entity]
    fields = [("account__name" if key == "company" and entity == "contacts" else key)
              for key in columns if key != "tags"]
    chunk: list[tuple] = []
    for row in kept.order_by("id").values_list("id", *fields).iterator(chunk_size=2000):
        chunk.append(row)
        if len(chunk) == 2000:
            yield from _with_tags(chunk, kept.model, columns)
            chunk = []
    yield from _with_tags(chunk, kept.model, columns)


def _with_tags(chunk: list[tuple], model: Any, columns: list[str]) -> Any:
    if not chunk:
        return
    tags: dict[int, list[str]] = {}
    if "tags" in columns:
        through = model.tags.through
        owner = model._meta.model_name
        for pk, name in (through.objects.filter(**{f"{owner}_id__in": [r[0] for r in chunk]})
                         .values_list(f"{owner}_id", "tag__name")):
            tags.setdefault(pk, []).append(name)
    for row in chunk:
        values = list(row[1:])
        if "tags" in columns:
            values.insert(columns.index("tags"), sorted(tags.get(row[0], [])))
        yield values


def _mail_csv(kept: QuerySet, entity: str) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MAIL_COLUMNS[entity])
    count = 0
    for values in _mail_rows(kept, entity):
        writer.writerow([exporting.csv_cell(value) for value in values])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def export(records: QuerySet, entity: str, fmt: str, *, name: str, consent: bool = True,
           sheet: str | None = None) -> Result:
    """Export `records` (already scoped to what the user may see). ValidationError for a bad
    format or sheet."""
    check(entity, fmt, sheet)
    spec = registry.get(entity)
    kept, excluded = split(records, entity, fmt, consent)
    rows = _prepared(kept, spec)
    stem = f"{_slug(name)}-{timezone.localdate().isoformat()}"
    if fmt == "pdf":
        content, count = labels.render(rows.iterator(chunk_size=2000), sheet or "a4-3x7")
        return Result(content, CONTENT_TYPES["pdf"], f"{stem}-labels.pdf", count, excluded)
    if fmt == "csv" and entity in MAIL_COLUMNS:
        content, count = _mail_csv(kept, entity)
        return Result(content, CONTENT_TYPES["csv"], f"{stem}.csv", count, excluded)
    out = io.BytesIO()
    count = exporting.write(fmt, out, spec, rows.iterator(chunk_size=2000))
    return Result(out.getvalue(), CONTENT_TYPES[fmt], f"{stem}.{fmt}", count, excluded)


def _prepared(qs: QuerySet, spec: registry.Entity) -> QuerySet:
    from django.db import models

    from vinculo.platform.records import has_tags, writable_fields

    relations = [f.name for f in writable_fields(spec.model).values()
                 if isinstance(f, models.ForeignKey)]
    if relations:
        qs = qs.select_related(*relations)
    if has_tags(spec.model):
        qs = qs.prefetch_related("tags")
    return qs.order_by("id")


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)[:60] or "list"
