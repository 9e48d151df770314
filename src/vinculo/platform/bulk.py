"""Bulk creation: `records.create_many`, the write pipeline for many new records at once.

Every row gets the hooks, validation, audit entry, search row and event that `records.create`
gives it; what `create` works out per row is worked out once per call here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, customfields, events, memo, registry, search
from .hooks_registry import Stage, hooks_for, plugin_failed_message
from .models import AuditEntry, SearchEntry, Tag
from .records import (
    MAX_ID,
    MAX_TEXT_LENGTH,
    Change,
    _actor_id,
    _validate_field,
    clean_tags,
    convert,
    create,
    has_tags,
    writable_fields,
)

logger = logging.getLogger(__name__)


@dataclass
class BulkResult:
    created: list[models.Model] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)


def create_many(
    entity_name: str,
    rows: Sequence[dict[str, Any]],
    *,
    actor: Any = None,
    source: str = "import",
) -> BulkResult:
    """Create many records in one transaction through the same pipeline as `create`.

    Every row gets the hooks, validation, audit entry, search row and event that `create`
    gives it. What `create` works out per row is worked out once per call here: converters per
    field, custom-field definitions, default values; references and unique values are checked
    with one query per field for all rows, and records, tags, audit entries and search rows are
    inserted with one statement per table. Rows that fail validation or are refused by a hook
    are reported by index and skipped; the others are created.
    """
    entity = registry.get(entity_name)
    result = BulkResult()
    if not rows:
        return result
    plan = _BulkPlan(entity, actor, source)
    with without_cyclic_gc(), memo.scope(), transaction.atomic(using=plan.db):
        prepared = []
        for index, row in enumerate(rows):
            try:
                prepared.append(plan.prepare(index, row))
            except ValidationError as exc:
                result.errors[index] = _error_messages(exc)
        prepared = plan.check_references(prepared, result.errors)
        prepared = plan.check_unique(prepared, result.errors)
        prepared = plan.before_save(prepared, result.errors)
        if prepared:
            result.created = plan.write(prepared, result.errors)
    return result


@contextlib.contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while batches are built and written. A batch keeps tens
    of thousands of new objects alive until it ends, and each collection would walk all of
    them again without freeing any: a sixth of an import's time. Reference counting still
    frees everything else as usual (`collect_batch_garbage` takes what a batch left in
    cycles); the collector runs again as soon as the outermost pause ends."""
    if not gc.isenabled():  # an enclosing batch (or another thread's) has paused it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def collect_batch_garbage() -> None:
    """Between batches of a long pause: free the cycles the last batch left (only young
    objects are examined, so this stays cheap however large the process is)."""
    if not gc.isenabled():
        gc.collect(1)


def _error_messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@dataclass
class _Prepared:
    index: int
    row: dict[str, Any]
    instance: models.Model
    change: Change
    tags: list[str] | None
    accepted: dict[str, Any]


class _BulkPlan:
    """What `create_many` computes once for all its rows."""

    def __init__(self, entity: registry.Entity, actor: Any, source: str):
        self.entity, self.actor, self.source = entity, actor, source
        self.model = entity.model
        self.db = router.db_for_write(self.model)
        self.fields = writable_fields(self.model)
        self.converters = {key: _converter(f, key) for key, f in self.fields.items()
                           if key != "custom"}
        self.has_tags = has_tags(self.model)
        self.owner_id = actor.pk if entity.owned and actor else None
        self.custom_defs = customfields.definitions(entity.name) if entity.custom_fields else {}
        self.required_custom = [k for k, d in self.custom_defs.items() if d.required]
        self.hooks = {stage: [_callable(h, entity.name)
                              for h in hooks_for(entity.name, stage, "create")]
                      for stage in Stage}
        template = self.model()
        concrete = self.model._meta.concrete_fields
        self.init_values = {f.attname: getattr(template, f.attname) for f in concrete}
        self.fresh_defaults = [(f.attname, f._get_default) for f in concrete
                               if f.has_default() and callable(f.default)
                               and f.name not in ("created_at", "updated_at")]
        self.plain_init = not (signals.pre_init.has_listeners(self.model)
                               or signals.post_init.has_listeners(self.model))
        self.checked = [(key, f) for key, f in self.fields.items() if key != "custom"]
        self.defaults = tuple(getattr(template, f.attname) for _key, f in self.checked)
        self.read_checked = attrgetter(*[f.attname for _key, f in self.checked])
        self.quick_checks = {key: _quick_check(f) for key, f in self.checked}
        self.passed: dict[str, set[str]] = {key: set() for key, _f in self.checked}
        self.always_check = set()
        for key, f in self.checked:
            try:
                _validate_field(template, f, key)
            except ValidationError:
                self.always_check.add(key)

    def new_instance(self) -> models.Model:
        values = self.init_values.copy()
        for attname, make in self.fresh_defaults:
            values[attname] = make()
        if not self.plain_init:
            return self.model(**values)
        # What Model.__init__ ends with when no signal listens, without its per-field work.
        instance = self.model.__new__(self.model)
        values["_state"] = ModelState()
        instance.__dict__.update(values)
        return instance

    # -- per row

    def prepare(self, index: int, row: dict[str, Any]) -> _Prepared:
        if not self.hooks[Stage.BEFORE_VALIDATE]:
            prepared = self.prepare_plain(index, row)
            if prepared is not None:
                return prepared
        return self.prepare_any(index, row)

    def prepare_plain(self, index: int, row: dict[str, Any]) -> _Prepared | None:
        """`prepare_any` in one pass for the common row — only fields of the record, no hook
        before validation — or None for any other row (and for a bad value: the other path
        then gives every message)."""
        converters, quick_checks, passed = self.converters, self.quick_checks, self.passed
        instance = self.new_instance()
        values = instance.__dict__
        accepted: dict[str, Any] = {}
        unsure = []
        try:
            for key, value in row.items():
                converted = converters[key](value)
                values[key] = accepted[key] = converted
                if converted.__class__ is str:
                    seen = passed[key]
                    if converted in seen:
                        continue  # a value this field accepted already in this batch
                    quick = quick_checks[key]
                    if quick is not None and quick(converted):
                        if len(seen) < 10_000:
                            seen.add(converted)
                        continue
                else:
                    quick = quick_checks[key]
                    if quick is not None and quick(converted):
                        continue
                unsure.append(key)
        except (KeyError, ValidationError):
            return None
        errors: dict[str, list[str]] = {}
        fields = self.fields
        for key in [*unsure, *(k for k in self.always_check if k not in accepted)]:
            try:
                _validate_field(instance, fields[key], key)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            return None
        if self.owner_id is not None and values.get("owner_id") is None:
            values["owner_id"] = self.owner_id
        self.validate_record(instance, errors)
        change = Change(self.entity, "create", instance, {}, dict(row), self.actor, self.source)
        return _Prepared(index, row, instance, change, None, accepted)

    def prepare_any(self, index: int, row: dict[str, Any]) -> _Prepared:
        instance = self.new_instance()
        change = Change(self.entity, "create", instance, {}, dict(row), self.actor, self.source)
        for hook in self.hooks[Stage.BEFORE_VALIDATE]:
            hook(change)
        accepted, tags = self.apply(instance, change.data)
        self.validate(instance, accepted)
        return _Prepared(index, row, instance, change, tags, accepted)

    def apply(self, instance: models.Model, data: dict[str, Any]
              ) -> tuple[dict[str, Any], list[str] | None]:
        errors: dict[str, list[str]] = {}
        accepted: dict[str, Any] = {}
        tags = None
        # Values go straight into the new record's attributes unless a hook before
        # validation may have cached a related object that a new key must clear.
        direct, values = not self.hooks[Stage.BEFORE_VALIDATE], instance.__dict__
        for key, value in data.items():
            if key == "custom":
                continue
            if key == "tags" and self.has_tags:
                try:
                    tags = clean_tags(value)
                except ValidationError as exc:
                    errors["tags"] = exc.messages
                continue
            converter = self.converters.get(key)
            if converter is None:
                errors[key] = [_("Unknown field.")]
                continue
            try:
                converted = converter(value)
            except ValidationError as exc:
                errors.update(exc.message_dict)
                continue
            if direct:
                values[key] = converted
            else:
                setattr(instance, key, converted)
            accepted[key] = converted
        if "custom" in data:
            if not self.entity.custom_fields:
                errors["custom"] = [_("This kind of record has no custom fields.")]
            else:
                try:
                    instance.custom = customfields.merge(self.entity.name, instance.custom or {},
                                                         data["custom"], self.custom_defs)
                    accepted["custom"] = data["custom"]
                except ValidationError as exc:
                    errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        if self.owner_id is not None and values.get("owner_id") is None:
            if direct:
                values["owner_id"] = self.owner_id
            else:
                instance.owner_id = self.owner_id
        return accepted, tags

    def validate(self, instance: models.Model, accepted: dict[str, Any]) -> None:
        """`_validate` for a new record: fields still at a valid default need no check."""
        errors: dict[str, list[str]] = {}
        quick_checks, passed = self.quick_checks, self.passed
        for key, f, value in self._fields_to_check(instance, accepted):
            seen = passed[key]
            if value.__class__ is str and value in seen:
                continue  # a value this field accepted already in this batch
            quick = quick_checks[key]
            if quick is not None and quick(value):
                if value.__class__ is str and len(seen) < 10_000:
                    seen.add(value)
                continue
            try:
                _validate_field(instance, f, key)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        self.validate_record(instance, errors)

    def validate_record(self, instance: models.Model, errors: dict[str, list[str]]) -> None:
        """Required custom values and the model's `clean`, after the fields' own checks."""
        if self.required_custom:
            custom = instance.custom or {}
            for key in self.required_custom:
                if custom.get(key) in (None, "", []):
                    errors[f"custom.{key}"] = [_("This field is required.")]
        clean = getattr(instance, "clean", None)
        if clean is not None and not errors:
            try:
                clean()
            except ValidationError as exc:
                errors.update(_error_messages(exc))
        if errors:
            raise ValidationError(errors)

    def _fields_to_check(self, instance: models.Model, accepted: dict[str, Any]):
        """The fields given, those whose default is not valid, and (when a hook ran before
        validation and may have set others) any field no longer at its default."""
        if not self.hooks[Stage.BEFORE_VALIDATE]:
            values, fields = instance.__dict__, self.fields
            keys = accepted.keys() | self.always_check if self.always_check else accepted
            return [(key, fields[key], values[key]) for key in keys if key in self.quick_checks]
        values = self.read_checked(instance)
        if len(self.checked) == 1:
            values = (values,)
        return [(key, f, value) for (key, f), value, default
                in zip(self.checked, values, self.defaults, strict=True)
                if key in accepted or key in self.always_check or value != default]

    # -- per batch

    def check_references(self, prepared: list[_Prepared], errors: dict) -> list[_Prepared]:
        """Every foreign key given must name a record the actor may see: one query per field."""
        for key, f in self.fields.items():
            if not isinstance(f, models.ForeignKey):
                continue
            wanted = {p.instance.__dict__[key] for p in prepared if key in p.accepted}
            wanted.discard(None)
            if not wanted:
                continue
            found = self._existing_targets(f, wanted)
            kept = []
            for p in prepared:
                value = p.instance.__dict__[key]
                if key in p.accepted and value is not None and value not in found:
                    errors[p.index] = {key: [_("No such record: %(id)s.") % {"id": value}]}
                else:
                    kept.append(p)
            prepared = kept
        return prepared

    def _existing_targets(self, f: models.ForeignKey, ids: set) -> set:
        target = f.related_model
        target_entity = registry._by_model.get(target)
        if target_entity is not None and self.actor is not None:
            qs = access.scope(self.actor, target_entity.name, "view")
        else:
            qs = target.objects.all()
        found: set = set()
        for chunk in _chunks(sorted(ids), 500):
            found.update(qs.filter(pk__in=chunk).values_list("pk", flat=True))
        return found

    def check_unique(self, prepared: list[_Prepared], errors: dict) -> list[_Prepared]:
        """Unique fields: neither taken already nor repeated among the rows."""
        for key, f in self.fields.items():
            if not f.unique or f.primary_key:
                continue
            values = {p.instance.__dict__[key] for p in prepared}
            values.discard(None)
            taken: set = set()
            for chunk in _chunks(sorted(values, key=str), 500):
                taken.update(self.model.all_objects.filter(**{f"{key}__in": chunk})
                             .values_list(key, flat=True))
            message = f.error_messages["unique"] % {
                "model_name": self.model._meta.verbose_name.capitalize(),
                "field_label": f.verbose_name}
            kept = []
            for p in prepared:
                value = p.instance.__dict__[key]
                if value is not None and value in taken:
                    errors[p.index] = {key: [message]}
                    continue
                if value is not None:
                    taken.add(value)
                kept.append(p)
            prepared = kept
        return prepared

    def before_save(self, prepared: list[_Prepared], errors: dict) -> list[_Prepared]:
        hooks = self.hooks[Stage.BEFORE_SAVE]
        if not hooks:
            return prepared
        kept = []
        for p in prepared:
            try:
                for hook in hooks:
                    hook(p.change)
            except ValidationError as exc:
                errors[p.index] = _error_messages(exc)
                continue
            kept.append(p)
        return kept

    def write(self, prepared: list[_Prepared], errors: dict) -> list[models.Model]:
        instances = [p.instance for p in prepared]
        now = timezone.now()
        for obj in instances:
            obj.created_at = obj.updated_at = now
        try:
            with transaction.atomic(using=self.db):
                _bulk_insert(self.model, instances, self.db, assign_ids=True)
        except IntegrityError:
            return self.write_one_by_one(prepared, errors)
        tags_by_position = {i: p.tags for i, p in enumerate(prepared) if p.tags}
        if tags_by_position:
            _bulk_tags(instances, tags_by_position, self.db)
        _bulk_audit(self.entity, instances, self.actor, self.source, self.db)
        _bulk_index(self.entity, instances, self.db)
        for hook in self.hooks[Stage.AFTER_SAVE]:
            for p in prepared:
                hook(p.change)
        if events.interested(self.entity.name):
            actor_id = _actor_id(self.actor)
            name, source, pk = self.entity.name, self.source, self.model._meta.pk.attname
            events.publish([events.RecordChanged(name, p.instance.__dict__[pk], "created",
                                                 tuple(p.change.changed), actor_id, source)
                            for p in prepared])
        return instances

    def write_one_by_one(self, prepared: list[_Prepared], errors: dict) -> list[models.Model]:
        """A conflict only the database saw (a unique constraint across fields, a row written
        meanwhile): create the rows one by one so that only the conflicting ones fail."""
        created = []
        for p in prepared:
            try:
                created.append(create(self.entity.name, p.row, actor=self.actor,
                                      source=self.source))
            except ValidationError as exc:
                errors[p.index] = _error_messages(exc)
        return created


def _callable(hook: Any, entity: str) -> Callable[[Change], None]:
    """A registered hook as `hooks_registry.run` calls it: a plug-in's unexpected failure
    refuses the row with a message naming the plug-in."""
    if not hook.plugin:
        return hook.func

    def guarded(change: Change) -> None:
        try:
            hook.func(change)
        except ValidationError:
            raise
        except Exception as exc:
            logger.exception("Plug-in %s failed in hook %s (create %s)", hook.plugin,
                             hook.name, entity)
            raise ValidationError({"__all__": [plugin_failed_message(hook.plugin, exc)]}
                                  ) from exc

    return guarded


def _quick_check(f: models.Field) -> Callable[[Any], bool] | None:
    """A cheap test that a value certainly passes `f.clean`; when it says no, the full
    validation runs and gives the message."""
    if isinstance(f, models.BooleanField):
        return lambda value: value is True or value is False
    if not isinstance(f, (models.CharField, models.TextField)):
        return None
    from django.core import validators

    extra = [_cached_email_check(v) if type(v) is validators.EmailValidator else v
             for v in f.validators if not isinstance(
                 v, (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator))]
    limit = f.max_length if isinstance(f, models.CharField) else None
    choices = {c[0] for c in f.flatchoices} if f.choices else None
    blank = f.blank

    def check(value: Any) -> bool:
        if not (value.__class__ is str and (blank or value != "")
                and (limit is None or len(value) <= limit) and "\x00" not in value
                and (choices is None or value in choices)):
            return False
        if value and extra:
            try:
                for validator in extra:
                    validator(value)
            except ValidationError:
                return False
        return True

    return check


def _cached_email_check(validator: Any) -> Callable[[str], None]:
    """The email validator's own tests, remembering which domains passed: the rows of an
    import share a few domains, and the domain test is the slow one."""
    domains: dict[str, bool] = {}
    user_regex = re.compile(validator.user_regex.pattern, validator.user_regex.flags)

    def check(value: str) -> None:
        if "@" not in value or len(value) > 320:
            raise ValidationError(validator.message)
        user, domain = value.rsplit("@", 1)
        ok = domains.get(domain)
        if ok is None:
            ok = domains[domain] = bool(domain in validator.domain_allowlist
                                        or validator.validate_domain_part(domain))
        if not ok or not user_regex.match(user):
            raise ValidationError(validator.message)

    return check


def _converter(f: models.Field, key: str) -> Callable[[Any], Any]:
    """`convert` for one field, with the common case (text into a text column) made cheap."""
    if isinstance(f, (models.CharField, models.TextField)):
        limit = MAX_TEXT_LENGTH if isinstance(f, models.TextField) else None

        def text(value: Any) -> Any:
            if value.__class__ is str and (limit is None or len(value) <= limit):
                return value.strip()
            return convert(f, key, value)

        return text
    if isinstance(f, models.BooleanField):
        def boolean(value: Any) -> Any:
            return value if value is True or value is False else convert(f, key, value)

        return boolean
    if isinstance(f, models.ForeignKey) and isinstance(f.target_field, models.AutoField):
        def reference(value: Any) -> Any:
            if value.__class__ is int and 0 < value <= MAX_ID:
                return value
            return convert(f, key, value)

        return reference
    return partial(convert, f, key)


def _chunks(items: Sequence, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _related_search_values(entity: registry.Entity, instances: list[models.Model]
                           ) -> dict[str, tuple[str, dict[Any, Any]]]:
    """For each search path through a relation (`account.name`): the foreign key's attname
    and the value for each related id, with one query per relation for the whole batch."""
    wanted: dict[str, list[str]] = {}
    for path in entity.search_fields:
        head, _sep, rest = path.partition(".")
        f = entity.model_field(head) if rest and "." not in rest else None
        if f is not None and f.many_to_one:
            wanted.setdefault(head, []).append(rest)
    found: dict[str, tuple[str, dict[Any, Any]]] = {}
    for head, names in wanted.items():
        f = entity.model_field(head)
        ids = sorted({obj.__dict__.get(f.attname) for obj in instances} - {None})
        rows: dict[Any, tuple] = {}
        for chunk in _chunks(ids, 500):
            rows.update((row[0], row[1:]) for row in f.related_model._base_manager.filter(
                pk__in=chunk).values_list("pk", *names))
        for i, name in enumerate(names):
            found[f"{head}.{name}"] = (f.attname, {pk: row[i] for pk, row in rows.items()})
    return found


def _bulk_audit(entity: registry.Entity, instances: list[models.Model], actor: Any, source: str,
                db: str) -> None:
    """One audit entry per new record, written by the database from the records' ids."""
    connection = connections[db]
    constants = {"entity": entity.name, "operation": "create", "actor_id": _actor_id(actor),
                 "at": timezone.now(), "changes": {}, "source": source[:40]}
    template = AuditEntry()
    fields = [f for f in AuditEntry._meta.concrete_fields
              if not f.primary_key and f.attname != "record_id"]
    params = [f.get_db_prep_save(constants.get(f.attname, getattr(template, f.attname)),
                                 connection) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    source_table = quote(entity.model._meta.db_table)
    pk = quote(entity.model._meta.pk.column)
    with connection.cursor() as cursor:
        pk_name = entity.model._meta.pk.attname
        for where, ids in _id_ranges([obj.__dict__[pk_name] for obj in instances]):
            cursor.execute(
                f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({columns}, "
                f"{quote('record_id')}) SELECT {', '.join(['%s'] * len(fields))}, {pk} "
                f"FROM {source_table} WHERE {where.format(pk=pk)}", [*params, *ids])


def _id_ranges(ids: list[int]):
    """(SQL condition on `{pk}`, parameters) covering these ids: a range when contiguous."""
    if ids and ids[-1] - ids[0] + 1 == len(ids) and ids == sorted(ids):
        yield "{pk} BETWEEN %s AND %s", [ids[0], ids[-1]]
        return
    for chunk in _chunks(ids, 500):
        yield "{pk} IN (" + ", ".join(["%s"] * len(chunk)) + ")", list(chunk)


def _bulk_index(entity: registry.Entity, instances: list[models.Model], db: str) -> None:
    """`search.index_records` for records that were never indexed: plain inserts, and on
    SQLite one statement that copies the batch's documents into the full-text table."""
    if not entity.searchable:
        return
    now = timezone.now()
    document = _document_maker(entity, _related_search_values(entity, instances))
    title, subtitle, name = entity.title, entity.subtitle, entity.name
    pk = entity.model._meta.pk.attname
    ids = [obj.__dict__[pk] for obj in instances]
    count = len(instances)
    columns = [[name] * count, ids,
               [str(title(obj) or "")[:300] for obj in instances],
               [str(subtitle(obj) or "")[:300] for obj in instances],
               list(map(document, instances)),
               [obj.__dict__.get("owner_id") for obj in instances], [now] * count]
    connection = connections[db]
    sqlite = connection.vendor == "sqlite"
    if sqlite and ids[-1] - ids[0] + 1 == len(ids):
        where, params = "entity = %s AND record_id BETWEEN %s AND %s", [entity.name, ids[0],
                                                                         ids[-1]]
    else:
        where, params = None, []
    if where is None:
        search.unindex(entity, ids)
    elif sqlite:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM platform_search_fts WHERE rowid IN (SELECT id FROM "
                           f"platform_searchentry WHERE {where})", params)
            cursor.execute(f"DELETE FROM platform_searchentry WHERE {where}", params)
    _insert_values(SearchEntry, ("entity", "record_id", "title", "subtitle", "document",
                                 "owner_id", "updated_at"), columns, db)
    if sqlite:
        with connection.cursor() as cursor:
            if where is None:
                where = "entity = %s AND record_id IN ({})".format(", ".join(["%s"] * len(ids)))
                params = [entity.name, *ids]
            cursor.execute("INSERT INTO platform_search_fts(rowid, document) "
                           f"SELECT id, document FROM platform_searchentry WHERE {where}", params)


def _document_maker(entity: registry.Entity,
                    related_values: dict[str, tuple[str, dict[Any, Any]]]
                    ) -> Callable[[models.Model], str]:
    """`search.document_for`, with the field paths split once: own fields are read from the
    record's values, related ones (`account.name`) from the values loaded for the batch."""
    plain = [name for name in entity.search_fields if "." not in name]
    read_plain = attrgetter(*plain) if len(plain) > 1 else None
    loaded = [related_values[name] for name in entity.search_fields if name in related_values]
    other = [name.split(".") for name in entity.search_fields
             if "." in name and name not in related_values]

    def document(instance: models.Model) -> str:
        if read_plain is not None:
            values = list(read_plain(instance))
        else:
            values = [getattr(instance, name, None) for name in plain]
        for attname, by_id in loaded:
            values.append(by_id.get(instance.__dict__.get(attname)))
        for steps in other:
            value = instance
            for step in steps:
                value = getattr(value, step, None) if value is not None else None
            values.append(value)
        return search.as_document(search.normalise(" ".join([str(v) for v in values if v])))

    return document


def _bulk_tags(instances: list[models.Model], tags_by_position: dict[int, list[str]],
               db: str) -> None:
    """Tag new records: find or create the tags, then one insert into the link table."""
    wanted = {name for names in tags_by_position.values() for name in names}
    ids = dict(Tag.objects.using(db).filter(name__in=wanted).values_list("name", "pk"))
    missing = wanted - set(ids)
    if missing:
        Tag.objects.using(db).bulk_create([Tag(name=n) for n in sorted(missing)],
                                          ignore_conflicts=True)
        ids.update(Tag.objects.using(db).filter(name__in=missing).values_list("name", "pk"))
    model = type(instances[0])
    through = model._meta.get_field("tags").remote_field.through
    fk = model._meta.model_name + "_id"
    links = [through(**{fk: instances[i].pk, "tag_id": ids[name]})
             for i, names in tags_by_position.items() for name in names]
    _bulk_insert(through, links, db, assign_ids=False)


def _bulk_insert(model: type[models.Model], objs: list[models.Model], db: str, *,
                 assign_ids: bool) -> None:
    """Insert new records with one statement (see `_insert_columns`).

    With `assign_ids`, primary keys are reserved first (from the PostgreSQL sequence, or past
    the SQLite AUTOINCREMENT counter inside the write lock the transaction holds), so the
    records know their ids without a RETURNING round trip.
    """
    connection = connections[db]
    if connection.vendor not in ("sqlite", "postgresql"):
        model._base_manager.using(db).bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields
              if not getattr(f, "generated", False) and (assign_ids or not f.primary_key)]
    if assign_ids:
        pk = model._meta.pk
        for obj, value in zip(objs, _reserve_ids(model, len(objs), connection), strict=True):
            setattr(obj, pk.attname, value)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                f.pre_save(obj, add=True)
    # Column by column: each field's values are read and adapted in one pass.
    values = [obj.__dict__ for obj in objs]
    columns = [list(map(itemgetter(f.attname), values)) for f in fields]
    _insert_columns(model, fields, columns, connection)
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = db


def _insert_values(model: type[models.Model], names: Sequence[str], columns: list[list],
                   db: str) -> None:
    """Insert rows given column by column (a list of values for each of `names`); other
    columns take their field defaults."""
    connection = connections[db]
    count = len(columns[0]) if columns else 0
    if connection.vendor not in ("sqlite", "postgresql"):
        model._base_manager.using(db).bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)])
        return
    given = [model._meta.get_field(n) for n in names]
    template = model()
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given
              and not getattr(f, "generated", False)]
    _insert_columns(model, given + others,
                    [*columns, *([getattr(template, f.attname)] * count for f in others)],
                    connection)


NATIVE_TYPES = frozenset({str, int, bool, type(None)})


def _insert_columns(model: type[models.Model], fields: list[models.Field],
                    columns: list[list], connection) -> None:
    """One `executemany` on SQLite, one COPY on PostgreSQL, of rows given column by column."""
    columns = [_adapt_column(f, column, connection) for f, column in zip(fields, columns,
                                                                         strict=True)]
    rows = list(zip(*columns, strict=True)) if columns else []
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _adapt_column(f: models.Field, values: list, connection) -> list:
    """A column's values as database parameters: as they are when the driver takes them
    (text and numbers), otherwise each distinct value converted once (rows of a batch share
    their timestamps, dates and empty custom values)."""
    kind = _column_kind(f)
    if kind == "native" and NATIVE_TYPES.issuperset(set(map(type, values))):
        return values
    if kind == "json":
        empty = f.get_db_prep_save({}, connection)
        return [empty if value.__class__ is dict and not value else
                f.get_db_prep_save(value, connection) for value in values]
    try:
        distinct = set(values)
    except TypeError:  # values that cannot be hashed: one by one
        return [f.get_db_prep_save(value, connection) for value in values]
    prepared = {value: _prepared_value(f, value, connection) for value in distinct}
    return list(map(prepared.__getitem__, values))


def _column_kind(f: models.Field) -> str:
    if isinstance(f, models.JSONField):
        return "json"
    if isinstance(f, (models.CharField, models.TextField, models.BooleanField,
                      models.IntegerField, models.AutoField)) or (
            isinstance(f, models.ForeignKey) and isinstance(
                f.target_field, (models.IntegerField, models.AutoField))):
        return "native"
    return "other"


def _prepared_value(f: models.Field, value: Any, connection) -> Any:
    if value is None or value.__class__ in NATIVE_TYPES and _column_kind(f) == "native":
        return value
    if (value.__class__ is dt.datetime and value.tzinfo is not None
            and connection.vendor == "sqlite" and isinstance(f, models.DateTimeField)):
        # What the SQLite backend stores for an aware moment, without the field's checks
        # (a new record's timestamps are aware datetimes already).
        return str(value.astimezone(connection.timezone).replace(tzinfo=None))
    return f.get_db_prep_save(value, connection)


def _reserve_ids(model: type[models.Model], count: int, connection) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count])
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(column)}) FROM "
                       f"{connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))
