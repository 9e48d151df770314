"""Importing rows into an entity through the write pipeline, in batches.

Rows come from a reader (readers.py), are mapped by header (columns.py), have their
references resolved by natural key with one query per batch, and are created with
`records.create_many` (hooks, audit and search included). With `dedupe`, a row whose key
(email for contacts) matches an existing record updates it through `records.update` — only
the columns the file gives a value for; a key repeated within the file updates the record
that its first row made. Bad rows are reported with their number and reason; the others go in.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models
from django.db.models import Q
from django.utils.translation import gettext as _

from vinculo.platform import access, customfields, records, registry
from vinculo.platform.bulk import collect_batch_garbage, without_cyclic_gc

from .columns import MappedRow, Mapping, normalise_domain, prepare_headers, references_of
from .readers import FileError, Reader

BATCH_SIZE = 5000
MAX_REPORTED_ERRORS = 1000
DEDUPE_KEYS = {"contacts": ("email",), "accounts": ("domain", "name"), "products": ("sku",),
               "orders": ("number",)}
CREATES_MISSING = {("contacts", "accounts")}  # contacts' companies are created when missing
REFERENCE_KEYS_OF_SELF = {"accounts": ("name", "domain")}
MAX_SELF_REFERENCE_DEPTH = 5


class ImportRefused(Exception):
    """The import cannot start (unknown entity, no permission, bad options); `field` names
    the option at fault."""

    def __init__(self, message: str, field: str = "entity"):
        super().__init__(message)
        self.field = field


@dataclass
class Report:
    total: int | None = None
    done: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def refuse(self, row: int, messages: dict[str, list[str]] | str,
               header_for: Callable[[str], str] = str) -> None:
        """Count one bad row and keep its reasons (the first MAX_REPORTED_ERRORS of them)."""
        self.error_count += 1
        if isinstance(messages, str):
            messages = {"": [messages]}
        for key, texts in messages.items():
            column = "" if key in ("", "__all__") else header_for(key)
            for text in texts:
                # In row order whatever the step that found it; the first rows are kept.
                bisect.insort(self.errors, {"row": row, "column": column, "message": str(text)},
                              key=lambda error: error["row"])
                if len(self.errors) > MAX_REPORTED_ERRORS:
                    self.errors.pop()


@dataclass
class Pending:
    number: int
    mapped: MappedRow
    key: Any = None


def fold_key(name: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    text = value.strip() if value.__class__ is str else str(value).strip()
    if name in ("email", "domain"):
        return normalise_domain(text) if name == "domain" else text.lower()
    return text


class Importer:
    def __init__(self, entity_name: str, *, actor: Any, dedupe: str = "",
                 batch_size: int = BATCH_SIZE,
                 on_progress: Callable[[Report], None] | None = None):
        entity = registry.maybe(entity_name)
        if entity is None or not entity.importable:
            raise ImportRefused(_("'%(entity)s' cannot be imported. Choose one of: %(names)s.")
                                % {"entity": entity_name, "names": ", ".join(importable_names())})
        if actor is None or not access.can_create(actor, entity_name):
            raise ImportRefused(_("You may not create %(entity)s.") % {"entity": entity_name})
        if dedupe and dedupe not in DEDUPE_KEYS.get(entity_name, ()):
            raise ImportRefused(_("%(entity)s cannot be deduplicated by '%(key)s'%(hint)s.") % {
                "entity": entity_name, "key": dedupe,
                "hint": (_("; use one of: %(keys)s") % {
                    "keys": ", ".join(DEDUPE_KEYS[entity_name])}
                         if entity_name in DEDUPE_KEYS else "")}, "dedupe")
        self.entity, self.actor, self.dedupe = entity, actor, dedupe
        self.batch_size = batch_size
        self.on_progress = on_progress or (lambda report: None)
        self.report = Report()
        self.mapping = Mapping(entity, customfields.definitions(entity.name)
                               if entity.custom_fields else {})
        self.references = references_of(entity)
        self.resolved: dict[tuple[str, str, Any], int | None] = {}
        self.seen: dict[Any, int] = {}  # dedupe key -> the record this import made or updated
        self.accounts_created = 0

    # -- the run

    def run(self, reader: Reader) -> Report:
        report = self.report
        report.total = reader.count()
        report.notes.extend(reader.notes)
        headers = getattr(reader, "headers", None)
        if headers:
            prepare_headers(self.mapping, headers)
            if not any(self.mapping.columns.get(h) for h in headers):
                raise FileError(_("No column of the file is known for %(entity)s: %(headers)s.")
                                % {"entity": self.entity.name, "headers": ", ".join(headers)})
        self.on_progress(report)
        with without_cyclic_gc():
            self._read_and_write(reader)
        report.unknown_columns = list(self.mapping.unknown)
        report.ignored_columns = list(self.mapping.ignored)
        if self.accounts_created:
            report.notes.append(_("%(n)d accounts were created for companies not found.")
                                % {"n": self.accounts_created})
        report.total = report.done
        self.on_progress(report)
        return report

    def _read_and_write(self, reader: Reader) -> None:
        report = self.report
        batch: list[Pending] = []
        keys_in_batch: set[Any] = set()
        for raw in reader.rows():
            if raw.error:
                report.done += 1
                report.refuse(raw.number, raw.error)
                continue
            mapped = self.mapping.row(raw.values or {})
            if mapped.errors:
                report.done += 1
                report.refuse(raw.number, mapped.errors)
                continue
            if not mapped.data and not mapped.references:
                report.done += 1
                report.skipped += 1
                continue
            pending = Pending(raw.number, mapped)
            if self.dedupe:
                pending.key = fold_key(self.dedupe, mapped.data.get(self.dedupe))
                if pending.key is not None and pending.key in keys_in_batch:
                    self._flush(batch)
                    batch, keys_in_batch = [], set()
                keys_in_batch.add(pending.key)
            batch.append(pending)
            if len(batch) >= self.batch_size:
                self._flush(batch)
                batch, keys_in_batch = [], set()
        self._flush(batch)

    def _flush(self, batch: list[Pending]) -> None:
        if not batch:
            return
        pending = batch
        for _depth in range(MAX_SELF_REFERENCE_DEPTH):
            ready, pending = self._resolve_references(pending, defer=True)
            self._write(ready)
            if not pending or not ready:
                break
            self._forget_misses(pending)
        if pending:
            ready, _none = self._resolve_references(pending, defer=False)
            self._write(ready)
        self.report.done += len(batch)
        self.on_progress(self.report)
        collect_batch_garbage()

    def _write(self, rows: list[Pending]) -> None:
        creates, updates = self._split_existing(self._resolve_lines(rows))
        self._create(creates)
        self._update(updates)

    # -- references

    def _resolve_references(self, batch: list[Pending], *, defer: bool
                            ) -> tuple[list[Pending], list[Pending]]:
        """Set each row's foreign keys from its natural keys. Returns (rows ready to write,
        rows waiting for a record of the same file: an account whose parent is a row above)."""
        for column, (_attname, target, natural) in self.references.items():
            wanted = {fold_key(natural, p.mapped.references[column]) for p in batch
                      if column in p.mapped.references}
            wanted.discard(None)
            if wanted:
                self._look_up(target, natural, wanted, batch, column)
        in_batch = self._own_keys(batch) if defer else {}
        ready, waiting = [], []
        for p in batch:
            errors: dict[str, list[str]] = {}
            for column, value in p.mapped.references.items():
                attname, target, natural = self.references[column]
                if p.mapped.data.get(attname) is not None and column.endswith("_domain"):
                    continue  # found by name already
                found = self.resolved.get((target, natural, fold_key(natural, value)))
                if found is None:
                    if p.mapped.data.get(attname) is None:
                        errors[column] = [_missing(target, natural, value)]
                    continue
                p.mapped.data[attname] = found
            # A record found by either of its keys is enough (name or domain).
            errors = {c: m for c, m in errors.items()
                      if p.mapped.data.get(self.references[c][0]) is None}
            if errors and any(fold_key(self.references[c][2], p.mapped.references[c])
                              in in_batch.get(self.references[c][2], ()) for c in errors):
                waiting.append(p)
            elif errors:
                self.report.refuse(p.number, errors)
            else:
                ready.append(p)
        return ready, waiting

    def _own_keys(self, batch: list[Pending]) -> dict[str, set]:
        """Natural keys of the rows themselves, for references to the same entity."""
        if not any(target == self.entity.name for _a, target, _n in self.references.values()):
            return {}
        keys: dict[str, set] = {}
        for natural in REFERENCE_KEYS_OF_SELF.get(self.entity.name, ()):
            keys[natural] = {fold_key(natural, p.mapped.data.get(natural)) for p in batch}
        return keys

    def _forget_misses(self, rows: list[Pending]) -> None:
        for p in rows:
            for column, value in p.mapped.references.items():
                _attname, target, natural = self.references[column]
                key = (target, natural, fold_key(natural, value))
                if self.resolved.get(key) is None:
                    self.resolved.pop(key, None)

    def _look_up(self, target: str, natural: str, wanted: set, batch: list[Pending],
                 column: str) -> None:
        wanted = {w for w in wanted if (target, natural, w) not in self.resolved}
        if not wanted:
            return
        found: dict[Any, int] = {}
        if target == "users":
            from vinculo.identity.models import User

            users = User.objects.filter(is_active=True).filter(
                Q(username__in=wanted) | Q(email__in=wanted)).order_by("id")
            for pk, username, email in users.values_list("pk", "username", "email"):
                found.setdefault(username, pk)
                found.setdefault((email or "").lower(), pk)
        else:
            model = registry.get(target).model
            visible = access.scope(self.actor, target, "view", model.all_objects.all())
            found.update(self._matches(visible, natural, wanted))
            missing = wanted - set(found)
            if missing and (self.entity.name, target) in CREATES_MISSING and natural == "name":
                found.update(self._create_missing_accounts(missing, batch, column))
        for value in wanted:
            self.resolved[(target, natural, value)] = found.get(value)

    @staticmethod
    def _matches(queryset, natural: str, wanted: set) -> dict[Any, int]:
        """Records whose natural key is one of `wanted`, oldest first; names also in another
        case ("ACME", "acme", "Acme"). `queryset` includes the recycle bin so that the query
        can use the key's index; records in the bin are left out here."""
        found: dict[Any, int] = {}
        for pk, value in _live(queryset, natural, wanted):
            found.setdefault(fold_key(natural, value), pk)
        missing = [w for w in wanted if w not in found]
        if missing and natural == "name":
            by_lower = {name.lower(): name for name in missing}
            variants = {v for name in missing
                        for v in (name.lower(), name.upper(), name.title(), name.capitalize())}
            for pk, value in _live(queryset, "name", variants - set(missing)):
                name = by_lower.get(value.lower())
                if name is not None:
                    found.setdefault(name, pk)
        return found

    def _create_missing_accounts(self, names: set, batch: list[Pending], column: str
                                 ) -> dict[Any, int]:
        """Companies named by the contacts that no account has yet — unless one exists that
        the importer may not see, or they may not create accounts."""
        if not access.can_create(self.actor, "accounts"):
            return {}
        model = registry.get("accounts").model
        existing = {name.lower() for _pk, name in _live(model.all_objects.all(), "name", names)}
        domains = {}
        for p in batch:
            name = p.mapped.references.get(column)
            domain = p.mapped.references.get("account_domain")
            if name and domain:
                domains.setdefault(fold_key("name", name), normalise_domain(str(domain)))
        rows = [{"name": name, **({"domain": domains[name]} if name in domains else {})}
                for name in sorted(names) if name.lower() not in existing]
        if not rows:
            return {}
        result = records.create_many("accounts", rows, actor=self.actor, source="import")
        ok = [row for i, row in enumerate(rows) if i not in result.errors]
        self.accounts_created += len(result.created)
        return {row["name"]: obj.pk for row, obj in zip(ok, result.created, strict=True)}

    def _resolve_lines(self, batch: list[Pending]) -> list[Pending]:
        """Orders: a row's product_sku/quantity/unit_price/discount, or a JSON `lines` list."""
        if self.entity.name != "orders":
            return batch
        skus = set()
        for p in batch:
            for line in _raw_lines(p.mapped.data):
                if isinstance(line, dict) and line.get("product_sku"):
                    skus.add(str(line["product_sku"]).strip())
        if skus:
            self._look_up("products", "sku", skus, batch, "product_sku")
        ready = []
        for p in batch:
            raw_lines = _raw_lines(p.mapped.data)
            p.mapped.data.pop("_line", None)
            p.mapped.data.pop("_lines", None)
            if not raw_lines:
                ready.append(p)
                continue
            lines, errors = [], {}
            for i, line in enumerate(raw_lines):
                if not isinstance(line, dict):
                    errors[f"lines.{i}"] = [_("Expected an object.")]
                    continue
                line = dict(line)
                sku = line.pop("product_sku", None)
                if sku:
                    found = self.resolved.get(("products", "sku", str(sku).strip()))
                    if found is None:
                        errors["product_sku"] = [_missing("products", "sku", sku)]
                        continue
                    line["product_id"] = found
                lines.append({k: str(v) if hasattr(v, "as_tuple") else v
                              for k, v in line.items()})
            if errors:
                self.report.refuse(p.number, errors, self.mapping.header_for)
                continue
            p.mapped.data["lines"] = lines
            ready.append(p)
        return ready

    # -- writes

    def _split_existing(self, batch: list[Pending]) -> tuple[list[Pending], list[tuple]]:
        if not self.dedupe:
            return batch, []
        keys = {p.key for p in batch if p.key is not None and p.key not in self.seen}
        model = self.entity.model
        existing: dict[Any, int] = {}
        if keys:
            for pk, value in _live(model.all_objects.all(), self.dedupe, keys):
                existing.setdefault(fold_key(self.dedupe, value), pk)
        creates, updates = [], []
        for p in batch:
            target = self.seen.get(p.key) or existing.get(p.key) if p.key is not None else None
            if target is None:
                creates.append(p)
            else:
                updates.append((p, target))
        return creates, updates

    def _create(self, batch: list[Pending]) -> None:
        if not batch:
            return
        rows = [p.mapped.data for p in batch]
        result = records.create_many(self.entity.name, rows, actor=self.actor, source="import")
        created = iter(result.created)
        for index, p in enumerate(batch):
            if index in result.errors:
                self.report.refuse(p.number, result.errors[index], self.mapping.header_for)
                continue
            obj = next(created)
            self.report.created += 1
            if p.key is not None:
                self.seen[p.key] = obj.pk

    def _update(self, updates: Iterable[tuple[Pending, int]]) -> None:
        model = self.entity.model
        for p, pk in updates:
            obj = model.objects.filter(pk=pk).first()
            if obj is None or not access.allows(self.actor, obj, "change"):
                self.report.refuse(p.number, _(
                    "A record with this %(key)s exists and you may not change it.")
                    % {"key": self.dedupe})
                continue
            version = obj.version
            try:
                saved = records.update(obj, p.mapped.data, actor=self.actor, source="import")
            except ValidationError as exc:
                messages = (exc.message_dict if hasattr(exc, "error_dict")
                            else {"__all__": exc.messages})
                self.report.refuse(p.number, messages, self.mapping.header_for)
                continue
            self.seen[p.key] = pk
            if saved.version == version:
                self.report.skipped += 1
            else:
                self.report.updated += 1


def _live(queryset, field: str, values: Iterable[Any]) -> list[tuple[int, Any]]:
    """(id, value) of the records not in the recycle bin whose `field` is one of `values`,
    oldest first. The recycle bin is filtered here rather than in SQL: with both conditions
    SQLite's planner picks the `deleted_at` index and reads every live row."""
    values = list(values)
    found = []
    plain = _plain_column(queryset, field)
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = values[start : start + LOOKUP_CHUNK]
        if plain is not None:
            # A whole table read by one column: straight SQL, without building a lookup
            # per value.
            connection, sql = plain
            with connection.cursor() as cursor:
                cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), chunk)
                rows = cursor.fetchall()
        else:
            rows = queryset.filter(**{f"{field}__in": chunk}).values_list("pk", field,
                                                                          "deleted_at")
        found += [(pk, value) for pk, value, deleted in rows if deleted is None]
    return sorted(found, key=lambda row: row[0])


LOOKUP_CHUNK = 1000


def _plain_column(queryset, field: str) -> tuple[Any, str] | None:
    """(connection, SQL with `{}` for the placeholders) reading (id, `field`, deleted_at) of
    the rows whose text column `field` is one of the values, when `queryset` is a whole
    table; None otherwise."""
    model = queryset.model
    try:
        f = model._meta.get_field(field)
        model._meta.get_field("deleted_at")
    except FieldDoesNotExist:
        return None
    if (queryset.query.where or not isinstance(f, (models.CharField, models.TextField))
            or not f.concrete):
        return None
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    return connection, (f"SELECT {quote(model._meta.pk.column)}, {quote(f.column)}, "
                        f"{quote(model._meta.get_field('deleted_at').column)} FROM "
                        f"{quote(model._meta.db_table)} WHERE {quote(f.column)} IN ({{}})")


def _raw_lines(data: dict[str, Any]) -> list[Any]:
    if "_lines" in data:
        return list(data["_lines"])
    if "_line" in data:
        return [data["_line"]]
    return []


def _missing(target: str, natural: str, value: Any) -> str:
    messages = {
        ("accounts", "name"): _("No account named '%(value)s'."),
        ("accounts", "domain"): _("No account with the domain '%(value)s'."),
        ("contacts", "email"): _("No contact with the email '%(value)s'."),
        ("products", "sku"): _("No product with the SKU '%(value)s'."),
        ("orders", "number"): _("No order numbered '%(value)s'."),
        ("users", "username_or_email"): _("No active user '%(value)s'."),
    }
    message = messages.get((target, natural), _("No %(entity)s '%(value)s'."))
    return message % {"value": value, "entity": target}


def importable_names() -> list[str]:
    return sorted(e.name for e in registry.all_entities() if e.importable)
