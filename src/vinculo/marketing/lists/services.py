"""Writing lists and their members.

Adding from a segment, a filter or a search is one `INSERT … SELECT` per call: the records
are chosen by the database through the actor's record access, duplicates are skipped by the
unique constraint (`ON CONFLICT DO NOTHING`), nothing is looped over in Python.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import access, filters, registry
from vinculo.platform.crud import visible
from vinculo.platform.models import Visibility

from .models import ListEntity, ListMember, MemberSource, StaticList

EDITABLE = ("name", "entity", "description", "visibility", "team_id")
MAX_MEMBER_IDS = 1000  # `member_ids` is given in full up to this many members
MAX_IDS_PER_CALL = 10_000


def may_change(user: Any, static_list: StaticList) -> bool:
    return static_list.owner_id == user.pk or access.is_admin(user)


def _check_team(user: Any, data: dict[str, Any], static_list: StaticList | None) -> None:
    from vinculo.identity.models import Team

    team_id = data.get("team_id")
    if team_id is not None:
        if not Team.objects.filter(pk=team_id).exists():
            raise ValidationError({"team_id": [_("No such team.")]})
        if not access.is_admin(user) and not user.teams.filter(pk=team_id).exists():
            raise ValidationError({"team_id": [_("You are not a member of this team.")]})
    visibility = data.get("visibility",
                          static_list.visibility if static_list else Visibility.PRIVATE)
    if visibility == Visibility.TEAM and not (team_id or (static_list and static_list.team_id)):
        first = user.teams.first()
        if first is None:
            raise ValidationError({"visibility": [
                _("You are in no team to share this list with.")]})
        data["team_id"] = first.pk


def save(user: Any, data: dict[str, Any], static_list: StaticList | None = None) -> StaticList:
    """Create (`static_list=None`) or change a list; `member_ids`, if given, replaces the
    members. A ValidationError names what is wrong."""
    member_ids = data.get("member_ids")
    data = {k: v for k, v in data.items() if k in EDITABLE}
    for key in ("name", "entity", "visibility"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be null.")]})
    if "description" in data and data["description"] is None:
        data["description"] = ""
    if static_list is None and not (data.get("name") or "").strip():
        raise ValidationError({"name": [_("This field is required.")]})
    if "name" in data:
        data["name"] = data["name"].strip()
        if not data["name"]:
            raise ValidationError({"name": [_("This field cannot be blank.")]})
    if "entity" in data:
        if data["entity"] not in ListEntity.values:
            raise ValidationError({"entity": [_("Lists hold contacts, accounts or leads.")]})
        if static_list is not None and data["entity"] != static_list.entity \
                and ListMember.objects.filter(list=static_list).exists():
            raise ValidationError({"entity": [
                _("Empty the list before changing what it holds.")]})
    if "visibility" in data and data["visibility"] not in Visibility.values:
        raise ValidationError({"visibility": [_("Use private, team or public.")]})
    _check_team(user, data, static_list)
    with transaction.atomic():
        if static_list is None:
            static_list = StaticList(owner=user)
        else:
            static_list.version += 1
            static_list.updated_at = timezone.now()
        for key, value in data.items():
            setattr(static_list, key, value)
        static_list.save()
        if member_ids is not None:
            ids = _clean_ids(member_ids, "member_ids")
            allowed = set(visible(user, static_list.entity).filter(pk__in=ids)
                          .values_list("pk", flat=True))
            missing = [i for i in ids if i not in allowed]
            if missing:
                raise ValidationError({"member_ids": [
                    _("No %(entity)s with id %(ids)s that you may see.")
                    % {"entity": static_list.entity, "ids": ", ".join(map(str, missing[:10]))}]})
            ListMember.objects.filter(list=static_list).exclude(record_id__in=ids).delete()
            _insert(static_list, visible(user, static_list.entity).filter(pk__in=ids), user,
                    MemberSource.IDS)
    return static_list


def _clean_ids(values: Any, field: str = "ids") -> list[int]:
    if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ValidationError({field: [_("Give a list of record ids.")]})
    if len(values) > MAX_IDS_PER_CALL:
        raise ValidationError({field: [_("At most %(n)d ids at a time.")
                                       % {"n": MAX_IDS_PER_CALL}]})
    return list(dict.fromkeys(values))


def _insert(static_list: StaticList, records: QuerySet, actor: Any, source: str) -> int:
    """INSERT … SELECT the records' ids into the list; returns how many were new."""
    chosen = records.order_by().annotate(member_record=F("pk")).values("member_record")
    select_sql, params = chosen.query.sql_with_params()
    table = connection.ops.quote_name(ListMember._meta.db_table)
    sql = (f"INSERT INTO {table} (list_id, record_id, added_at, added_by_id, source) "
           f"SELECT %s, chosen.member_record, %s, %s, %s FROM ({select_sql}) chosen "
           f"WHERE true ON CONFLICT (list_id, record_id) DO NOTHING")
    now = timezone.now()
    stamp: Any = (connection.ops.adapt_datetimefield_value(now)
                  if connection.vendor == "sqlite" else now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [static_list.pk, stamp, getattr(actor, "pk", None), source,
                             *params])
        added = max(cursor.rowcount, 0)
    if added:
        StaticList.objects.filter(pk=static_list.pk).update(updated_at=now)
    return added


def selection(user: Any, static_list: StaticList, *, ids: Any = None,
              segment_id: int | None = None, node: Any = None,
              q: str | None = None) -> tuple[QuerySet, str]:
    """The records a request to add members designates, through the user's access."""
    entity = static_list.entity
    given = [k for k, v in (("ids", ids), ("segment_id", segment_id), ("filter", node),
                            ("q", q)) if v is not None]
    if len(given) != 1:
        raise ValidationError({"ids": [_("Give exactly one of ids, segment_id, filter or q.")]})
    qs = visible(user, entity)
    if ids is not None:
        return qs.filter(pk__in=_clean_ids(ids)), MemberSource.IDS
    if segment_id is not None:
        from vinculo.marketing.segments import selectors as segments

        segment = segments.visible_segments(user).filter(pk=segment_id).first()
        if segment is None:
            raise ValidationError({"segment_id": [_("No such segment.")]})
        if segment.entity != entity:
            raise ValidationError({"segment_id": [
                _("This segment selects %(other)s; the list holds %(entity)s.")
                % {"other": segment.entity, "entity": entity}]})
        try:
            return segments.members(user, segment), MemberSource.SEGMENT
        except filters.FilterError as exc:
            raise ValidationError({"segment_id": [exc.message]}) from None
    if node is not None:
        try:
            return (qs.filter(filters.compile_filter(entity, node, user=user)),
                    MemberSource.FILTER)
        except filters.FilterError as exc:
            loc = ".".join(str(p) for p in exc.loc) or "filter"
            raise ValidationError({loc if loc.startswith("filter") else f"filter.{loc}":
                                   [exc.message]}) from None
    from vinculo.platform import search

    text = (q or "").strip()
    if not text:
        raise ValidationError({"q": [_("Type what to search for.")]})
    return search.filter_queryset(qs, entity, text), MemberSource.SEARCH


def add_members(static_list: StaticList, ids: Any, actor: Any, *,
                source: str = MemberSource.IDS) -> dict[str, int]:
    """Add the records `ids` (those the actor may see) to the list; duplicates are skipped.
    Returns {"added", "skipped"} — skipped: already members, unknown or not visible."""
    ids = _clean_ids(ids)
    added = _insert(static_list, visible(actor, static_list.entity).filter(pk__in=ids), actor,
                    source)
    return {"added": added, "skipped": len(ids) - added}


def add_from(user: Any, static_list: StaticList, **how: Any) -> dict[str, int]:
    """Add what `selection` designates; returns {"added", "matched"}."""
    records, source = selection(user, static_list, **how)
    matched = records.count()
    added = _insert(static_list, records, user, source)
    return {"added": added, "matched": matched, "skipped": matched - added}


def remove_members(static_list: StaticList, ids: Any) -> int:
    ids = _clean_ids(ids)
    removed, _detail = ListMember.objects.filter(list=static_list, record_id__in=ids).delete()
    if removed:
        StaticList.objects.filter(pk=static_list.pk).update(updated_at=timezone.now())
    return removed


def new_nonce() -> str:
    return secrets.token_hex(16)


def entity_spec(static_list: StaticList) -> registry.Entity:
    return registry.get(static_list.entity)
