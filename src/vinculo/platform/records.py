"""The write pipeline. Every create, update, delete and restore of a domain record goes here.

    validate → hooks before validation → field and custom-field validation → hooks before save
    → save with the version check → audit → search index → hooks after save
    → on commit: record-changed events

The API, the pages, imports, workflows and merges all call these functions; nothing writes a
domain table around them.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, audit, customfields, events, registry, search
from .hooks_registry import Stage
from .hooks_registry import run as run_hooks
from .models import Tag

if TYPE_CHECKING:
    from . import bulk

MAX_TEXT_LENGTH = 100_000
MAX_ID = 2**63 - 1
READ_ONLY = {"id", "version", "created_at", "updated_at", "deleted_at"}


class StaleVersion(Exception):
    """The record changed since the client read it (HTTP 412)."""

    def __init__(self, current: int):
        super().__init__(f"The record was changed by someone else (now at version {current}).")
        self.current = current


@dataclass
class Change:
    """What a hook sees: the record with the new values applied, and the values before."""

    entity: registry.Entity
    operation: str
    instance: models.Model
    old: dict[str, Any]
    data: dict[str, Any]
    actor: Any = None
    source: str = ""
    depth: int = 0
    context: dict[str, Any] = field(default_factory=dict)
    # Changes a hook makes outside the record's own columns (an order's lines):
    # name -> [before, after]. They count as a change, reach the audit and the event.
    extra: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def changed(self) -> list[str]:
        if self.operation == "create":
            return [k for k in self.data if k != "custom"] + [
                f"custom.{k}" for k in (self.data.get("custom") or {})
            ] + [k for k in self.extra if k not in self.data]
        return list(differences(self.old, snapshot(self.instance))) + list(self.extra)

    def was(self, name: str) -> Any:
        return self.old.get(name)

    def now(self, name: str) -> Any:
        if name.startswith("custom."):
            return (self.instance.custom or {}).get(name[7:])
        return getattr(self.instance, name, None)

    def has_changed(self, name: str) -> bool:
        return name in self.changed


# ---------------------------------------------------------------------------- values


def jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def writable_fields(model: type[models.Model]) -> dict[str, models.Field]:
    """Input keys accepted for a model: editable concrete fields by attname (`account_id`)."""
    cached = model.__dict__.get("_vinculo_writable")
    if cached is not None:
        return cached
    found: dict[str, models.Field] = {}
    for f in model._meta.concrete_fields:
        if not f.editable or f.primary_key or f.name in READ_ONLY:
            continue
        found[f.attname] = f
    model._vinculo_writable = found
    return found


def snapshot(instance: models.Model) -> dict[str, Any]:
    values = {
        name: jsonable(getattr(instance, name)) for name in writable_fields(type(instance))
        if name != "custom"
    }
    for key, value in (getattr(instance, "custom", None) or {}).items():
        values[f"custom.{key}"] = value
    return values


def differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """name -> [before, after] for every value that differs, removed custom values included."""
    return {k: [old.get(k), new.get(k)] for k in [*new, *(k for k in old if k not in new)]
            if old.get(k) != new.get(k)}


def convert(f: models.Field, key: str, value: Any) -> Any:
    """Coerce an input value to the field's Python type, or raise a ValidationError naming it."""
    if value is None and isinstance(f, (models.CharField, models.TextField)) and (
        f.blank and not f.null
    ):
        return ""  # null clears a text field that stores "no value" as ""
    if value is None or (value == "" and f.null and not isinstance(f, models.CharField)):
        return None
    if isinstance(f, (models.CharField, models.TextField)):
        if not isinstance(value, (str, int, float, decimal.Decimal)) or isinstance(value, bool):
            raise ValidationError({key: _("Expected text.")})
        value = str(value).strip()
        if isinstance(f, models.TextField) and len(value) > MAX_TEXT_LENGTH:
            raise ValidationError(
                {key: _("Ensure this value has at most %(n)d characters.") % {"n": MAX_TEXT_LENGTH}}
            )
        return value
    if isinstance(f, models.BooleanField):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "sí", "si",
                                                                "on"}:
            return True
        if isinstance(value, str) and value.strip().lower() in {"false", "0", "no", "off", ""}:
            return False
        raise ValidationError({key: _("Expected true or false.")})
    if isinstance(f, (models.IntegerField, models.DecimalField, models.FloatField)) and isinstance(
        value, bool
    ):
        raise ValidationError({key: _("Expected a number.")})
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    try:
        converted = target.to_python(value)
    except ValidationError as exc:
        raise ValidationError({key: exc.messages}) from None
    except (TypeError, ValueError, OverflowError, decimal.InvalidOperation):
        raise ValidationError({key: _("Invalid value.")}) from None
    if isinstance(f, models.ForeignKey) and isinstance(converted, int) and not (
        0 < converted <= MAX_ID
    ):
        raise ValidationError({key: _("No such record: %(id)s.") % {"id": converted}})
    if isinstance(converted, dt.datetime) and timezone.is_naive(converted):
        converted = timezone.make_aware(converted)
    return converted


def _validate_field(instance: models.Model, f: models.Field, key: str) -> None:
    value = getattr(instance, f.attname)
    try:
        if isinstance(f, models.ForeignKey):
            if value is None and not f.null:
                raise ValidationError(_("This field is required."))
            return
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(_("Text may not contain NUL characters."))
        f.clean(value, instance)
    except ValidationError as exc:
        raise ValidationError({key: exc.messages}) from None


def _check_unique(instance: models.Model, keys: Iterable[str]) -> None:
    """Single-column unique fields, named in the error (records in the recycle bin count:
    restoring one must not collide)."""
    fields = writable_fields(type(instance))
    errors: dict[str, list[str]] = {}
    for key in keys:
        f = fields.get(key)
        if f is None or not f.unique or f.primary_key:
            continue
        value = getattr(instance, f.attname)
        if value is None:
            continue
        taken = type(instance).all_objects.filter(**{f.attname: value})
        if instance.pk is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            errors[key] = [f.error_messages["unique"] % {
                "model_name": type(instance)._meta.verbose_name.capitalize(),
                "field_label": f.verbose_name}]
    if errors:
        raise ValidationError(errors)


def _check_foreign_key(f: models.ForeignKey, key: str, value: Any, actor: Any) -> None:
    if value is None:
        return
    target = f.related_model
    target_entity = registry._by_model.get(target)
    if target_entity is not None and actor is not None:
        qs = access.scope(actor, target_entity.name, "view")
    else:
        qs = target.objects.all()
    if not qs.filter(pk=value).exists():
        raise ValidationError({key: _("No such record: %(id)s.") % {"id": value}})


# ---------------------------------------------------------------------------- apply


def _apply(
    entity: registry.Entity,
    instance: models.Model,
    data: dict[str, Any],
    *,
    actor: Any,
    creating: bool,
    check_fks: bool = True,
) -> tuple[dict[str, Any], list[str] | None]:
    """Set `data` on `instance`; return (the accepted data, tags or None)."""
    fields = writable_fields(type(instance))
    errors: dict[str, list[str]] = {}
    accepted: dict[str, Any] = {}
    tags = None
    for key, value in data.items():
        if key == "custom":
            continue
        if key == "tags" and has_tags(type(instance)):
            try:
                tags = clean_tags(value)
            except ValidationError as exc:
                errors["tags"] = exc.messages
            continue
        f = fields.get(key)
        if f is None:
            errors[key] = [_("Unknown field.")]
            continue
        try:
            converted = convert(f, key, value)
            setattr(instance, f.attname, converted)
            accepted[key] = converted
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "custom" in data:
        if not entity.custom_fields:
            errors["custom"] = [_("This kind of record has no custom fields.")]
        else:
            try:
                instance.custom = customfields.merge(
                    entity.name, getattr(instance, "custom", None) or {}, data["custom"]
                )
                accepted["custom"] = data["custom"]
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if creating and entity.owned and getattr(instance, "owner_id", None) is None and actor:
        instance.owner_id = actor.pk
    return accepted, tags


def _validate(
    entity: registry.Entity,
    instance: models.Model,
    keys: Iterable[str],
    *,
    actor: Any,
    creating: bool,
    check_fks: bool = True,
) -> None:
    fields = writable_fields(type(instance))
    errors: dict[str, list[str]] = {}
    names = list(fields) if creating else [k for k in keys if k in fields]
    for key in names:
        f = fields[key]
        if key == "custom":
            continue
        try:
            _validate_field(instance, f, key)
            if check_fks and isinstance(f, models.ForeignKey) and key in keys:
                _check_foreign_key(f, key, getattr(instance, f.attname), actor)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if entity.custom_fields:
        try:
            customfields.validate_required(entity.name, instance.custom or {}, creating=creating,
                                           touched=set(keys))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    clean = getattr(instance, "clean", None)
    if clean is not None and not errors:
        try:
            clean()
        except ValidationError as exc:
            errors.update(exc.message_dict if hasattr(exc, "error_dict") else
                          {"__all__": exc.messages})
    if not errors:
        try:
            _check_unique(instance, names)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


MAX_TAGS = 100


def clean_tags(value: Any) -> list[str]:
    """Tag names from a list (or a comma-separated text); null means no tags."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",")]
    if not isinstance(value, (list, tuple)):
        raise ValidationError(_("Expected a list of tags."))
    if len(value) > MAX_TAGS:
        raise ValidationError(_("At most %(n)d tags.") % {"n": MAX_TAGS})
    names = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError(_("Each tag must be text."))
        item = item.strip()
        if len(item) > 60:
            raise ValidationError(_("A tag has at most 60 characters."))
        if "\x00" in item:
            raise ValidationError(_("Text may not contain NUL characters."))
        if item and item not in names:
            names.append(item)
    return names


def set_tags(instances: Sequence[models.Model], tags_by_index: dict[int, list[str]]) -> None:
    if not tags_by_index:
        return
    wanted = {name for names in tags_by_index.values() for name in names}
    existing = {t.name: t.pk for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t.pk for t in Tag.objects.filter(name__in=wanted)}
    model = type(instances[0])
    through = model.tags.through
    fk = model._meta.model_name + "_id"
    ids = [instances[i].pk for i in tags_by_index]
    through.objects.filter(**{f"{fk}__in": ids}).delete()
    through.objects.bulk_create(
        [through(**{fk: instances[i].pk, "tag_id": existing[n]})
         for i, names in tags_by_index.items() for n in names]
    )


def _save_row(instance: models.Model, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        # A concurrent writer took a unique value after validation: name the field if we can.
        _check_unique(instance, list(writable_fields(type(instance))))
        raise ValidationError({"__all__": [_("This conflicts with an existing record.")]}) from exc


# ---------------------------------------------------------------------------- public API


def create(
    entity_name: str,
    data: dict[str, Any],
    *,
    actor: Any = None,
    source: str = "api",
    depth: int = 0,
    context: dict | None = None,
) -> models.Model:
    entity = registry.get(entity_name)
    data = dict(data)
    with transaction.atomic():
        instance = entity.model()
        change = Change(entity, "create", instance, {}, data, actor, source, depth, context or {})
        run_hooks(Stage.BEFORE_VALIDATE, change)
        accepted, tags = _apply(entity, instance, change.data, actor=actor, creating=True)
        _validate(entity, instance, accepted.keys(), actor=actor, creating=True)
        run_hooks(Stage.BEFORE_SAVE, change)
        now = timezone.now()
        instance.created_at = instance.updated_at = now
        _save_row(instance)
        if tags is not None:
            set_tags([instance], {0: tags})
        audit.log_many(entity.name, [instance], "create", actor, [None], source)
        search.index_records(entity, [instance])
        run_hooks(Stage.AFTER_SAVE, change)
        events.publish([events.RecordChanged(entity.name, instance.pk, "created",
                                             tuple(change.changed), _actor_id(actor), source,
                                             depth=depth)])
    return instance


def update(
    instance: models.Model,
    data: dict[str, Any],
    *,
    actor: Any = None,
    expected_version: int | None = None,
    source: str = "api",
    depth: int = 0,
    context: dict | None = None,
) -> models.Model:
    entity = registry.for_instance(instance)
    data = dict(data)
    with transaction.atomic():
        locked = entity.model.all_objects.select_for_update().get(pk=instance.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(locked.version)
        old = snapshot(locked)
        old_tags = _tag_names(locked) if "tags" in data and has_tags(entity.model) else None
        change = Change(entity, "update", locked, old, data, actor, source, depth, context or {})
        run_hooks(Stage.BEFORE_VALIDATE, change)
        accepted, tags = _apply(entity, locked, change.data, actor=actor, creating=False)
        _validate(entity, locked, set(accepted), actor=actor, creating=False)
        run_hooks(Stage.BEFORE_SAVE, change)
        changed = change.changed
        tags_changed = tags is not None and sorted(tags) != sorted(old_tags or [])
        if not changed and not tags_changed and not change.context.get("dirty"):
            return locked
        locked.version += 1
        locked.updated_at = timezone.now()
        _save_row(locked)
        diff = differences(old, snapshot(locked))
        diff.update({k: jsonable(v) for k, v in change.extra.items()})
        if tags_changed:
            set_tags([locked], {0: tags})
            diff["tags"] = [old_tags, tags]
            changed = [*changed, "tags"]
        audit.log(entity.name, locked.pk, "update", actor, diff, source)
        search.index_records(entity, [locked])
        search.index_dependents(entity, locked.pk, diff)
        run_hooks(Stage.AFTER_SAVE, change)
        events.publish([events.RecordChanged(entity.name, locked.pk, "updated", tuple(changed),
                                             _actor_id(actor), source, depth=depth)])
    for f in locked._meta.concrete_fields:
        setattr(instance, f.attname, getattr(locked, f.attname))
    return locked


def delete(instance: models.Model, *, actor: Any = None, source: str = "api",
           expected_version: int | None = None) -> models.Model:
    """Move a record to the recycle bin."""
    return _set_deleted(instance, actor=actor, source=source, deleted=True,
                        expected_version=expected_version)


def restore(instance: models.Model, *, actor: Any = None, source: str = "api") -> models.Model:
    return _set_deleted(instance, actor=actor, source=source, deleted=False)


def _set_deleted(instance, *, actor, source, deleted: bool, expected_version=None):
    entity = registry.for_instance(instance)
    operation = "delete" if deleted else "restore"
    with transaction.atomic():
        locked = entity.model.all_objects.select_for_update().get(pk=instance.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(locked.version)
        if (locked.deleted_at is not None) == deleted:
            return locked
        change = Change(entity, operation, locked, snapshot(locked), {}, actor, source)
        run_hooks(Stage.BEFORE_SAVE, change)
        locked.deleted_at = timezone.now() if deleted else None
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["deleted_at", "version", "updated_at"])
        audit.log(entity.name, locked.pk, operation, actor, {}, source)
        if deleted:
            search.unindex(entity, [locked.pk])
        else:
            search.index_records(entity, [locked])
        run_hooks(Stage.AFTER_SAVE, change)
        events.publish([events.RecordChanged(entity.name, locked.pk, operation + "d",
                                             (), _actor_id(actor), source)])
    instance.deleted_at, instance.version = locked.deleted_at, locked.version
    return locked


def has_tags(model) -> bool:
    try:
        return model._meta.get_field("tags").many_to_many
    except Exception:
        return False


def _tag_names(instance) -> list[str]:
    return [t.name for t in instance.tags.all()]


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None)


def create_many(
    entity_name: str,
    rows: Sequence[dict[str, Any]],
    *,
    actor: Any = None,
    source: str = "import",
) -> bulk.BulkResult:
    """Create many records in one transaction through the same pipeline as `create` (see
    `vinculo.platform.bulk`): rows refused by validation or a hook are reported by index in
    `.errors` and skipped, the others are in `.created`."""
    from . import bulk

    return bulk.create_many(entity_name, rows, actor=actor, source=source)
