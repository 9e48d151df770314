"""REST endpoints of accounts and contacts.

Besides the generic resource endpoints: the timeline, duplicates, merge, record shares and
(for accounts) the child accounts.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from vinculo.activities.schemas import TimelinePage
from vinculo.activities.selectors import timeline
from vinculo.platform.api import Conflict
from vinculo.platform.crud import ErrorOut, get_visible, resource_router, visible
from vinculo.platform.models import RecordShare
from vinculo.platform.pagination import paginate

from . import selectors, services
from .models import Account, Contact
from .schemas import (
    AccountDuplicatePage,
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    ContactDuplicatePage,
    ContactIn,
    ContactOut,
    ContactPatch,
    MergeIn,
    ShareIn,
    ShareOut,
    SharePage,
)


def _accounts() -> QuerySet:
    return Account.all_objects.prefetch_related("tags")


def _contacts() -> QuerySet:
    return Contact.all_objects.prefetch_related("tags")


accounts = resource_router(
    "accounts", In=AccountIn, Patch=AccountPatch, Out=AccountOut, queryset=_accounts,
)
contacts = resource_router(
    "contacts", In=ContactIn, Patch=ContactPatch, Out=ContactOut, queryset=_contacts,
)


def _live(queryset: Callable[[], QuerySet]) -> QuerySet:
    return queryset().filter(deleted_at__isnull=True)


def add_record_endpoints(router: Router, entity_name: str, *, Out: type[Schema],
                         DuplicatePage: type[Schema], queryset: Callable[[], QuerySet],
                         find_duplicates: Callable, merge: Callable) -> None:
    """Timeline, duplicates, merge and shares of one customer entity."""

    @router.get("/{int:record_id}/timeline", response={200: TimelinePage, 404: ErrorOut},
                summary=f"Timeline of one of the {entity_name}")
    def record_timeline(request, record_id: int, cursor: str | None = Query(None, max_length=300),
                        limit: int = Query(30, ge=1, le=200)):
        items, next_cursor = timeline(request.auth, entity_name, record_id, cursor, limit)
        return {"items": items, "next_cursor": next_cursor}

    @router.get("/{int:record_id}/duplicates", response={200: DuplicatePage, 404: ErrorOut},
                summary=f"Possible duplicates of one of the {entity_name}")
    def record_duplicates(request, record_id: int):
        record = get_visible(request.auth, entity_name, record_id, _live(queryset))
        return {"items": find_duplicates(request.auth, record)}

    @router.post("/{int:record_id}/merge",
                 response={200: Out, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
                 summary=f"Merge other {entity_name} into this one")
    def record_merge(request, record_id: int, payload: MergeIn):
        user = request.auth
        survivor = visible(user, entity_name, queryset()).filter(pk=record_id).first()
        if survivor is None or (survivor.deleted_at and not survivor.merged_into_id):
            raise Http404
        if survivor.merged_into_id:
            raise Conflict(_("This record was already merged into %(id)s.") % {
                "id": survivor.merged_into_id})
        others = _merge_targets(user, entity_name, queryset(), payload.merge_ids)
        try:
            merge(survivor=survivor, others=others, actor=user,
                  field_choices=payload.field_choices)
        except services.MergeConflict as exc:
            raise Conflict(str(exc)) from None
        return queryset().get(pk=record_id)

    @router.get("/{int:record_id}/shares", response={200: SharePage, 404: ErrorOut},
                summary="Who this record is shared with")
    def record_shares(request, record_id: int):
        get_visible(request.auth, entity_name, record_id, _live(queryset))
        return {"items": selectors.record_shares(entity_name, record_id)}

    @router.post("/{int:record_id}/shares",
                 response={200: ShareOut, 201: ShareOut, 403: ErrorOut, 404: ErrorOut,
                           422: ErrorOut},
                 summary="Share this record with a user or a team")
    def record_share(request, record_id: int, payload: ShareIn):
        record = get_visible(request.auth, entity_name, record_id, _live(queryset))
        share, created = services.record_share(
            entity_name=entity_name, record=record, actor=request.auth,
            user_id=payload.user_id, team_id=payload.team_id, can_edit=payload.can_edit)
        return Status(201 if created else 200, share)

    @router.delete("/{int:record_id}/shares/{int:share_id}",
                   response={204: None, 403: ErrorOut, 404: ErrorOut},
                   summary="Stop sharing this record with a user or a team")
    def record_unshare(request, record_id: int, share_id: int):
        record = get_visible(request.auth, entity_name, record_id, _live(queryset))
        try:
            services.record_unshare(entity_name=entity_name, record=record, share_id=share_id,
                                    actor=request.auth)
        except RecordShare.DoesNotExist:
            raise Http404 from None
        return HttpResponse(status=204)


def _merge_targets(user, entity_name: str, queryset: QuerySet, ids: list[int]) -> list:
    """The records named in a merge request (merged or binned ones too, for a clear 409)."""
    found = {r.pk: r for r in visible(user, entity_name, queryset).filter(pk__in=ids)}
    missing = [pk for pk in dict.fromkeys(ids) if pk not in found]
    if missing:
        raise ValidationError({"merge_ids": [
            _("No such record: %(id)s.") % {"id": ", ".join(map(str, missing))}]})
    return [found[pk] for pk in dict.fromkeys(ids)]


add_record_endpoints(contacts, "contacts", Out=ContactOut, DuplicatePage=ContactDuplicatePage,
                     queryset=_contacts, find_duplicates=selectors.contact_duplicates,
                     merge=services.contact_merge)
add_record_endpoints(accounts, "accounts", Out=AccountOut, DuplicatePage=AccountDuplicatePage,
                     queryset=_accounts, find_duplicates=selectors.account_duplicates,
                     merge=services.account_merge)


@contacts.post("/check-duplicates", response={200: ContactDuplicatePage, 422: ErrorOut},
               summary="Contacts that look like the given fields (for forms and imports)")
def contact_check_duplicates(request, payload: ContactPatch):
    data = payload.model_dump(exclude_unset=True, exclude={"tags", "custom"})
    return {"items": selectors.contact_duplicates(request.auth, Contact(**data))}


@accounts.post("/check-duplicates", response={200: AccountDuplicatePage, 422: ErrorOut},
               summary="Accounts that look like the given fields (for forms and imports)")
def account_check_duplicates(request, payload: AccountPatch):
    data = payload.model_dump(exclude_unset=True, exclude={"tags", "custom"})
    return {"items": selectors.account_duplicates(request.auth, Account(**data))}


@accounts.get("/{int:record_id}/children", response={200: AccountPage, 404: ErrorOut},
              summary="The child accounts of an account")
def account_children(request, record_id: int, cursor: str | None = Query(None, max_length=300),
                     limit: int = Query(50, ge=1, le=500)):
    account = get_visible(request.auth, "accounts", record_id, _live(_accounts))
    children = selectors.account_children(request.auth, account).prefetch_related("tags")
    items, next_cursor = paginate(children, ["name", "id"], cursor, limit)
    return {"items": items, "next_cursor": next_cursor}

