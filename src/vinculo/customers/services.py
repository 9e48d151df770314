"""Writes of the customers module: merging duplicates and sharing records.

Plain creates and updates of accounts and contacts need no service: they go through
`vinculo.platform.records` with the rules of `hooks.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from vinculo.identity.models import Scope, Team, User
from vinculo.platform import access, audit, customfields, events, records, registry
from vinculo.platform.models import RecordShare
from vinculo.platform.validators import to_e164

from .models import Account, Contact

MERGE_SOURCE = "merge"
# Fields that travel together when one of them is chosen from another record.
LINKED_FIELDS = {"contacts": (("email_opt_in", "email_opt_in_at", "email_opt_in_source"),)}
PHONE_FIELDS = ("phone", "mobile")


class MergeConflict(Exception):
    """The merge cannot happen in the records' present state (HTTP 409)."""


# ---------------------------------------------------------------------------- merge


def contact_merge(*, survivor: Contact, others: Sequence[Contact], actor: Any,
                  field_choices: dict[str, int] | None = None) -> Contact:
    """Merge `others` into `survivor`; see `merge_records`."""
    return merge_records("contacts", survivor=survivor, others=others, actor=actor,
                         field_choices=field_choices)


def account_merge(*, survivor: Account, others: Sequence[Account], actor: Any,
                  field_choices: dict[str, int] | None = None) -> Account:
    """Merge `others` into `survivor`; see `merge_records`."""
    return merge_records("accounts", survivor=survivor, others=others, actor=actor,
                         field_choices=field_choices)


def merge_records(entity_name: str, *, survivor: models.Model, others: Sequence[models.Model],
                  actor: Any, field_choices: dict[str, int] | None = None) -> models.Model:
    """Fold duplicate records into one, in one transaction.

    The survivor keeps its values except the fields chosen from another record
    (`{"phone": other_id}`), gets the union of the tags and the custom values it lacks. Every
    row that points to a merged record — activities, orders, contacts, child accounts, record
    shares and whatever later modules add — moves to the survivor. The merged records go to
    the recycle bin with `merged_into` set, and their history stays readable from the
    survivor. The actor must be allowed to change the survivor and delete the others.
    """
    entity = registry.get(entity_name)
    other_ids = list(dict.fromkeys(o.pk for o in others))
    if not other_ids:
        raise ValidationError({"merge_ids": [_("Name at least one record to merge.")]})
    if survivor.pk in other_ids:
        raise MergeConflict(_("A record cannot be merged into itself."))
    with transaction.atomic():
        target, losers = _lock(entity, survivor.pk, other_ids)
        _check_mergeable(actor, target, losers)
        data = _survivor_data(entity, target, losers, field_choices or {})
        _move_related_rows(entity, target, losers, actor)
        _move_shares(entity.name, target.pk, other_ids)
        records.update(target, data, actor=actor, source=MERGE_SOURCE)
        _retire(entity, target, losers, actor)
        audit.log(entity.name, target.pk, "merge", actor,
                  {"merged_ids": other_ids, "fields": dict(field_choices or {})}, MERGE_SOURCE)
        events.publish([events.RecordChanged(entity.name, target.pk, "merged",
                                             tuple(data), getattr(actor, "pk", None),
                                             MERGE_SOURCE)])
    return entity.model.all_objects.get(pk=target.pk)


def _lock(entity: registry.Entity, survivor_id: int, other_ids: list[int]):
    rows = {r.pk: r for r in entity.model.all_objects.select_for_update()
            .filter(pk__in=[survivor_id, *other_ids]).order_by("pk")}
    missing = [pk for pk in [survivor_id, *other_ids] if pk not in rows]
    if missing:
        raise ValidationError({"merge_ids": [
            _("No such record: %(id)s.") % {"id": ", ".join(map(str, missing))}]})
    return rows[survivor_id], [rows[pk] for pk in other_ids]


def _check_mergeable(actor: Any, target: models.Model, losers: list[models.Model]) -> None:
    for record in (target, *losers):
        if record.merged_into_id is not None:
            raise MergeConflict(_("Record %(id)s was already merged into %(into)s.") % {
                "id": record.pk, "into": record.merged_into_id})
        if record.deleted_at is not None:
            raise MergeConflict(_("Record %(id)s is in the recycle bin; restore it first.") % {
                "id": record.pk})
    access.require(actor, target, "change")
    for loser in losers:
        access.require(actor, loser, "delete")


def _survivor_data(entity: registry.Entity, target: models.Model, losers: list[models.Model],
                   field_choices: dict[str, int]) -> dict[str, Any]:
    """What the survivor's update writes: chosen fields, united tags, custom values it lacks."""
    by_id = {r.pk: r for r in (target, *losers)}
    fields = records.writable_fields(entity.model)
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, source_id in field_choices.items():
        if name not in fields or name == "custom":
            errors[f"field_choices.{name}"] = [_("Unknown field.")]
        elif source_id not in by_id:
            errors[f"field_choices.{name}"] = [_("Choose one of the merged records.")]
        elif source_id != target.pk:
            for linked in _linked(entity.name, name):
                if linked not in field_choices and linked in fields:
                    data[linked] = getattr(by_id[source_id], fields[linked].attname)
            data[name] = getattr(by_id[source_id], fields[name].attname)
    if errors:
        raise ValidationError(errors)
    _keep_phones_dialable(data, target, by_id, field_choices)
    if records.has_tags(entity.model):
        tags = [t.name for r in (target, *losers) for t in r.tags.all()]
        united = list(dict.fromkeys(tags))
        if united != [t.name for t in target.tags.all()]:
            data["tags"] = united
    custom = _missing_custom(entity.name, target, losers)
    if custom:
        data["custom"] = custom
    if entity.name == "accounts":
        _keep_parent_outside(data, target, {r.pk for r in by_id.values()})
    return data


def _keep_phones_dialable(data: dict[str, Any], target: models.Model,
                          by_id: dict[int, models.Model], field_choices: dict[str, int]) -> None:
    """A number taken from a record in another country is written in E.164 (+34…), so it
    still means the same number under the survivor's country."""
    country = data.get("country", target.country) or ""
    for name in PHONE_FIELDS:
        if name not in data or not data[name]:
            continue
        source = by_id[field_choices[name]]
        e164 = getattr(source, f"{name}_e164", "")
        try:
            same = to_e164(data[name], country) == e164
        except ValidationError:
            same = False
        if e164 and not same:
            data[name] = e164


def _linked(entity_name: str, name: str) -> tuple[str, ...]:
    for group in LINKED_FIELDS.get(entity_name, ()):
        if name in group:
            return tuple(n for n in group if n != name)
    return ()


def _missing_custom(entity_name: str, target: models.Model, losers: list[models.Model]
                    ) -> dict[str, Any]:
    empty = (None, "", [])
    current = target.custom or {}
    defined = customfields.definitions(entity_name)
    filled: dict[str, Any] = {}
    for loser in losers:
        for key, value in (loser.custom or {}).items():
            if key in defined and current.get(key) in empty and key not in filled \
                    and value not in empty:
                filled[key] = value
    return filled


def _keep_parent_outside(data: dict[str, Any], target: Account, merged: set[int]) -> None:
    """A survivor whose parent is being merged into it climbs to the first outside ancestor."""
    parent_id = data.get("parent_id", target.parent_id)
    seen: set[int] = set()
    while parent_id in merged and parent_id not in seen:
        seen.add(parent_id)
        parent_id = Account.all_objects.filter(pk=parent_id).values_list(
            "parent_id", flat=True).first()
    if parent_id in merged:
        parent_id = None
    if parent_id != target.parent_id:
        data["parent_id"] = parent_id


# ---------------------------------------------------------------------------- moving rows


def _move_related_rows(entity: registry.Entity, target: models.Model,
                       losers: list[models.Model], actor: Any) -> None:
    """Repoint every foreign key and many-to-many link from the losers to the survivor.

    Relations are discovered from the model, so the tables of modules added later move too.
    Live rows of registered entities move through the write pipeline (audit, search, events,
    their own rules); other rows with a direct update. Where a unique constraint forbids a
    second link to the survivor, the loser's row stays with the merged record.
    """
    loser_ids = [r.pk for r in losers]
    merged = {target.pk, *loser_ids}
    for rel in _reverse_relations(entity.model):
        if rel.many_to_many:
            _move_links(rel, target.pk, loser_ids)
            continue
        rows = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": loser_ids})
        if rel.related_model is entity.model:
            rows = rows.exclude(pk__in=merged)
        _move_rows(rel.field, rows, target.pk, actor)


def _reverse_relations(model: type[models.Model]) -> list:
    """Every relation pointing at `model`, hidden ones (`related_name="+"`) included; the
    links of many-to-many fields are reached through the field, not their join table."""
    return [f for f in model._meta.get_fields(include_hidden=True)
            if f.auto_created and not f.concrete and f.is_relation
            and not f.related_model._meta.auto_created]


def _is_unique_with_others(field: models.Field) -> bool:
    meta = field.model._meta
    if field.unique:
        return True
    together = [set(group) for group in meta.unique_together]
    together += [set(c.fields) for c in meta.constraints
                 if isinstance(c, models.UniqueConstraint) and c.fields]
    return any(field.name in group for group in together)


def _move_rows(field: models.ForeignKey, rows: models.QuerySet, target_id: int,
               actor: Any) -> None:
    try:
        related_entity = registry.for_model(field.model)
    except KeyError:
        related_entity = None
    through_pipeline = related_entity is not None and field.editable
    unique = _is_unique_with_others(field)
    if not through_pipeline and not unique:
        rows.update(**{field.attname: target_id})
        return
    for row in rows.order_by("pk"):
        live = getattr(row, "deleted_at", None) is None
        try:
            with transaction.atomic():
                if through_pipeline and live:
                    records.update(row, {field.attname: target_id}, actor=actor,
                                   source=MERGE_SOURCE)
                else:
                    type(row)._base_manager.filter(pk=row.pk).update(
                        **{field.attname: target_id})
        except IntegrityError:
            continue  # the survivor already has this unique link; the row stays behind
        except ValidationError as exc:
            if unique and _is_conflict(exc):
                continue
            label = related_entity.label if related_entity else field.model._meta.verbose_name
            raise ValidationError({"merge_ids": [
                _("%(what)s #%(id)s could not be moved: %(why)s") % {
                    "what": str(label).capitalize(), "id": row.pk,
                    "why": " ".join(_messages(exc))}]}) from exc


def _is_conflict(exc: ValidationError) -> bool:
    return list(getattr(exc, "message_dict", {})) == ["__all__"]


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{k}: {m}" if k != "__all__" else m
                for k, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)


def _move_links(rel: models.ManyToManyRel, target_id: int, loser_ids: list[int]) -> None:
    """Many-to-many links (list memberships and the like): move, dropping doubles."""
    if rel.related_model is rel.model:
        return  # a self link would need both ends rewritten; no such relation exists
    through = rel.through
    ours = rel.field.m2m_reverse_field_name()
    theirs = rel.field.m2m_field_name()
    ours_col = through._meta.get_field(ours).attname
    theirs_col = through._meta.get_field(theirs).attname
    linked = set(through.objects.filter(**{ours_col: target_id})
                 .values_list(theirs_col, flat=True))
    move, drop = [], []
    for pk, other in (through.objects.filter(**{f"{ours_col}__in": loser_ids})
                      .order_by("pk").values_list("pk", theirs_col)):
        (drop if other in linked else move).append(pk)
        linked.add(other)
    if drop:
        through.objects.filter(pk__in=drop).delete()
    if move:
        through.objects.filter(pk__in=move).update(**{ours_col: target_id})


def _move_shares(entity_name: str, target_id: int, loser_ids: list[int]) -> None:
    kept = {(s.user_id, s.team_id): s for s in
            RecordShare.objects.filter(entity=entity_name, record_id=target_id)}
    for share in RecordShare.objects.filter(entity=entity_name, record_id__in=loser_ids
                                            ).order_by("pk"):
        key = (share.user_id, share.team_id)
        if key in kept:
            if share.can_edit and not kept[key].can_edit:
                kept[key].can_edit = True
                kept[key].save(update_fields=["can_edit"])
            share.delete()
        else:
            share.record_id = target_id
            share.save(update_fields=["record_id"])
            kept[key] = share


def _retire(entity: registry.Entity, target: models.Model, losers: list[models.Model],
            actor: Any) -> None:
    """Send the merged records to the recycle bin, pointing at the survivor."""
    for loser in losers:
        entity.model.all_objects.filter(pk=loser.pk).update(merged_into_id=target.pk)
        audit.log(entity.name, loser.pk, "merge", actor, {"merged_into": target.pk},
                  MERGE_SOURCE)
        records.delete(loser, actor=actor, source=MERGE_SOURCE)


# ---------------------------------------------------------------------------- sharing


def can_share(user: Any, entity_name: str, record: models.Model) -> bool:
    """The owner, a manager of the owner's team (or anyone who may change every record of
    the kind) and administrators may share a record."""
    if access.is_admin(user):
        return True
    if record.owner_id is not None and record.owner_id == user.pk:
        return True
    scope = access.role_scope(user, entity_name, "change")
    if scope == Scope.ALL:
        return True
    if scope == Scope.TEAM and record.owner_id is not None:
        return User.teams.through.objects.filter(
            user_id=record.owner_id,
            team_id__in=User.teams.through.objects.filter(user_id=user.pk).values("team_id"),
        ).exists()
    return False


def _require_share_rights(actor: Any, entity_name: str, record: models.Model) -> None:
    if not can_share(actor, entity_name, record):
        raise access.PermissionDenied(
            _("Only the owner, a manager of the owner's team or an administrator may share "
              "this record."))


def record_share(*, entity_name: str, record: models.Model, actor: Any,
                 user_id: int | None = None, team_id: int | None = None,
                 can_edit: bool = False) -> tuple[RecordShare, bool]:
    """Share a record with a user or a team; returns (the share, whether it is new).

    Sharing again with the same user or team updates `can_edit`.
    """
    _require_share_rights(actor, entity_name, record)
    if (user_id is None) == (team_id is None):
        raise ValidationError({"user_id": [_("Give either a user or a team.")]})
    if user_id is not None and not User.objects.filter(pk=user_id, is_active=True).exists():
        raise ValidationError({"user_id": [_("No such user: %(id)s.") % {"id": user_id}]})
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise ValidationError({"team_id": [_("No such team: %(id)s.") % {"id": team_id}]})
    with transaction.atomic():
        share = (RecordShare.objects.select_for_update()
                 .filter(entity=entity_name, record_id=record.pk, user_id=user_id,
                         team_id=team_id).first())
        if share is not None:
            if share.can_edit != can_edit:
                share.can_edit = can_edit
                share.save(update_fields=["can_edit"])
            return share, False
        share = RecordShare.objects.create(entity=entity_name, record_id=record.pk,
                                           user_id=user_id, team_id=team_id, can_edit=can_edit)
    return share, True


def record_unshare(*, entity_name: str, record: models.Model, share_id: int, actor: Any) -> None:
    """Stop sharing; RecordShare.DoesNotExist when the share is not one of this record's."""
    _require_share_rights(actor, entity_name, record)
    share = RecordShare.objects.get(pk=share_id, entity=entity_name, record_id=record.pk)
    share.delete()
