"""REST endpoints of the lists module (contract §4): static lists, their members, share
links for outside partners and marketing exports."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.responses import NinjaJSONEncoder

from vinculo.marketing.segments.api import member_dump
from vinculo.platform import access, registry
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    idempotent_create,
    page_schema,
    parse_if_match,
)
from vinculo.platform.pagination import paginate, parse_ordering
from vinculo.platform.records import StaleVersion

from . import exports, importing, selectors, services, sharing
from .models import ListMember, ShareLink, StaticList
from .schemas import (
    AccessOut,
    AddOut,
    ExportSummaryOut,
    ImportOut,
    ListIn,
    ListOut,
    ListPatch,
    MembersIn,
    MembersPage,
    MembersRemoveIn,
    RemoveOut,
    ShareIn,
    ShareOut,
)

router = Router(tags=["lists"])


class ListParams(PageParams):
    entity: str | None = Field(None, max_length=40, description="Only lists of this entity.")


class MemberParams(PageParams):
    ordering: str | None = Field(None, max_length=300)


class ExportParams(Schema):
    format: str = Field("csv", max_length=10, description="csv, xlsx, json, vcf or pdf.")
    consent: bool = Field(True, description="Leave out who has not consented (default).")
    sheet: str | None = Field(None, max_length=20,
                              description="Label sheet for pdf: a4-3x7, a4-3x8, letter-3x10.")


def small_list_member_ids(lists: list[StaticList]) -> dict[int, list[int]]:
    """The member ids of the lists small enough to show them, in one query for all."""
    small = [item.pk for item in lists if item.n_members <= services.MAX_MEMBER_IDS]
    ids: dict[int, list[int]] = {pk: [] for pk in small}
    rows = ListMember.objects.filter(list_id__in=small).order_by("list_id", "record_id")
    for list_id, record_id in rows.values_list("list_id", "record_id"):
        ids[list_id].append(record_id)
    return ids


def list_out(static_list: StaticList, member_ids: dict[int, list[int]] | None = None
             ) -> dict[str, Any]:
    count = getattr(static_list, "n_members", None)
    if count is None:
        count = selectors.member_count(static_list)
    if member_ids is not None:
        ids = member_ids.get(static_list.pk)
    elif count <= services.MAX_MEMBER_IDS:
        ids = list(ListMember.objects.filter(list=static_list).order_by("record_id")
                   .values_list("record_id", flat=True))
    else:
        ids = None
    return {"id": static_list.pk, "version": static_list.version, "name": static_list.name,
            "entity": static_list.entity, "description": static_list.description,
            "visibility": static_list.visibility, "team_id": static_list.team_id,
            "owner_id": static_list.owner_id, "member_count": count, "member_ids": ids,
            "created_at": static_list.created_at, "updated_at": static_list.updated_at}


def share_out(link: ShareLink, with_url: bool = True) -> dict[str, Any]:
    accesses = getattr(link, "n_access", None)  # annotated on collections, 0 included
    if accesses is None:
        accesses = link.accesses.count()
    return {"id": link.pk, "list_id": link.list_id, "partner_name": link.partner_name,
            "partner_email": link.partner_email, "fields": link.fields,
            "allow_download": link.allow_download, "expires_at": link.expires_at,
            "revoked_at": link.revoked_at, "created_at": link.created_at,
            "url": sharing.url_for(link) if with_url else None,
            "access_count": accesses}


def visible_list(user: Any, list_id: int) -> StaticList:
    static_list = selectors.visible_lists(user).filter(pk=list_id).first()
    if static_list is None:
        raise Http404
    return static_list


def own_list(user: Any, list_id: int) -> StaticList:
    static_list = visible_list(user, list_id)
    if not services.may_change(user, static_list):
        raise access.PermissionDenied(_("Only the owner may change this list."))
    return static_list


@router.get("/lists", response={200: page_schema(ListOut), 422: ErrorOut, **ERRORS},
            summary="List the static lists you may use")
def list_lists(request, params: Query[ListParams]):
    qs = selectors.visible_lists(request.auth, params.entity).annotate(n_members=Count("members"))
    page = collection(qs, params, ["id"])
    member_ids = small_list_member_ids(page["items"])
    page["items"] = [list_out(item, member_ids) for item in page["items"]]
    return page


@router.post("/lists", response={201: ListOut, 422: ErrorOut, **ERRORS},
             summary="Create a static list",
             description="`member_ids` (optional) are the records it holds from the start.")
def create_list(request, payload: ListIn):
    return idempotent_create(
        request,
        lambda: list_out(services.save(request.auth, payload.model_dump(exclude_unset=True))),
        lambda data: json.loads(json.dumps(data, cls=NinjaJSONEncoder)))


@router.get("/lists/{int:list_id}", response={200: ListOut, 404: ErrorOut, **ERRORS},
            summary="Read a static list")
def get_list(request, list_id: int):
    return list_out(visible_list(request.auth, list_id))


@router.patch("/lists/{int:list_id}", response={200: ListOut, 404: ErrorOut, 412: ErrorOut,
                                                 422: ErrorOut, **ERRORS},
              summary="Change a list (its owner); `member_ids` replaces the members")
def update_list(request, list_id: int, payload: ListPatch):
    expected = parse_if_match(request)
    static_list = own_list(request.auth, list_id)
    if expected is not None and expected != static_list.version:
        raise StaleVersion(static_list.version)
    return list_out(services.save(request.auth, payload.model_dump(exclude_unset=True),
                                  static_list))


@router.delete("/lists/{int:list_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete a list (its owner); its records stay")
def delete_list(request, list_id: int):
    own_list(request.auth, list_id).delete()
    return HttpResponse(status=204)


@router.get("/lists/{int:list_id}/members",
            response={200: MembersPage, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="The list's records you may see, cursor-paginated")
def list_members(request, list_id: int, params: Query[MemberParams]):
    static_list = visible_list(request.auth, list_id)
    entity = registry.get(static_list.entity)
    qs = selectors.members(request.auth, static_list)
    ordering = parse_ordering(entity, params.ordering)
    listed = qs.prefetch_related("tags") if "tags" in entity.filter_fields else qs
    rows, next_cursor = paginate(listed, ordering, params.cursor, params.limit)
    return {"items": [member_dump(entity, r) for r in rows], "next_cursor": next_cursor}


@router.post("/lists/{int:list_id}/members",
             response={200: AddOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
             summary="Add records to a list",
             description='`{"ids": [1, 2]}`, `{"segment_id": 7}`, `{"filter": {…}}` or '
                         '`{"q": "madrid"}` — exactly one. Records you may not see and '
                         "records already in the list are skipped.")
def add_members(request, list_id: int, payload: MembersIn):
    static_list = own_list(request.auth, list_id)
    result = services.add_from(request.auth, static_list, ids=payload.ids,
                               segment_id=payload.segment_id, node=payload.filter, q=payload.q)
    return {**result, "member_count": selectors.member_count(static_list)}


@router.delete("/lists/{int:list_id}/members",
               response={200: RemoveOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
               summary='Remove records from a list: `{"ids": [1, 2]}`')
def remove_members(request, list_id: int, payload: MembersRemoveIn):
    static_list = own_list(request.auth, list_id)
    removed = services.remove_members(static_list, payload.ids)
    return {"removed": removed, "member_count": selectors.member_count(static_list)}


@router.post("/lists/{int:list_id}/members/import",
             response={200: ImportOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
             summary="Add records from a CSV of emails (or account names / domains)",
             description="Each row is matched with a record you may see; the rows that match "
                         "nothing are listed with their row number.")
def import_members(request, list_id: int, file: File[UploadedFile]):
    static_list = own_list(request.auth, list_id)
    result = importing.add_from_file(request.auth, static_list, file)
    return {**result, "member_count": selectors.member_count(static_list)}


# ----------------------------------------------------------------------------- exports


def export_response(result: exports.Result) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.file_name}"'
    response["X-Vinculo-Included"] = str(result.included)
    response["X-Vinculo-Excluded"] = str(result.excluded)
    response["Access-Control-Expose-Headers"] = "X-Vinculo-Included, X-Vinculo-Excluded"
    return response


@router.get("/lists/{int:list_id}/export",
            response={200: None, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="Export a list for a campaign",
            description="csv (ready for mass-email tools), xlsx, json, vcf or pdf (address "
                        "labels; `sheet` a4-3x7, a4-3x8 or letter-3x10). With `consent` "
                        "(the default) contacts without email opt-in (email formats) or "
                        "marked do-not-contact are left out; headers `X-Vinculo-Included` and "
                        "`X-Vinculo-Excluded` give the counts.")
def export_list(request, list_id: int, params: Query[ExportParams]):
    static_list = visible_list(request.auth, list_id)
    records = selectors.members(request.auth, static_list)
    return export_response(exports.export(records, static_list.entity, params.format,
                                          name=static_list.name, consent=params.consent,
                                          sheet=params.sheet))


@router.get("/lists/{int:list_id}/export/summary",
            response={200: ExportSummaryOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="How many records an export would include and leave out")
def export_summary(request, list_id: int, params: Query[ExportParams]):
    static_list = visible_list(request.auth, list_id)
    exports.check(static_list.entity, params.format, params.sheet)
    records = selectors.members(request.auth, static_list)
    kept, excluded = exports.split(records, static_list.entity, params.format, params.consent)
    return {"format": params.format, "included": kept.count(), "excluded": excluded}


@router.get("/segments/{int:segment_id}/campaign-export",
            response={200: None, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="Export a segment's current members for a campaign",
            description="Same formats and consent rule as a list export.")
def export_segment(request, segment_id: int, params: Query[ExportParams]):
    from vinculo.marketing.segments import selectors as segments

    segment = segments.visible_segments(request.auth).filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    if segment.entity not in exports.MAIL_COLUMNS and segment.entity != "accounts":
        raise ValidationError({"segment_id": [_("Only segments of contacts, leads or "
                                                "accounts can be exported for a campaign.")]})
    records = segments.members(request.auth, segment)
    return export_response(exports.export(records, segment.entity, params.format,
                                          name=segment.name, consent=params.consent,
                                          sheet=params.sheet))


# ------------------------------------------------------------------------ share links


@router.get("/lists/{int:list_id}/shares",
            response={200: list[ShareOut], 404: ErrorOut, **ERRORS},
            summary="The list's share links (its owner)")
def list_shares(request, list_id: int):
    static_list = own_list(request.auth, list_id)
    links = static_list.share_links.annotate(n_access=Count("accesses"))
    return [share_out(link) for link in links]


@router.post("/lists/{int:list_id}/shares",
             response={201: ShareOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
             summary="Share a list with an outside partner",
             description="Gives a signed link to a read-only page (and a CSV/XLSX download "
                         "if allowed) showing only `fields`; it expires after `days` (default "
                         "30) or at `expires_at`, and can be revoked. Every access is logged.")
def create_share(request, list_id: int, payload: ShareIn):
    static_list = own_list(request.auth, list_id)
    link = sharing.create_link(request.auth, static_list, payload.model_dump(exclude_unset=True))
    return Status(201, share_out(link))


def _own_link(request, list_id: int, share_id: int) -> ShareLink:
    static_list = own_list(request.auth, list_id)
    link = static_list.share_links.filter(pk=share_id).first()
    if link is None:
        raise Http404
    return link


@router.post("/lists/{int:list_id}/shares/{int:share_id}/revoke",
             response={200: ShareOut, 404: ErrorOut, **ERRORS},
             summary="Revoke a share link: it stops working at once")
def revoke_share(request, list_id: int, share_id: int):
    return share_out(sharing.revoke(_own_link(request, list_id, share_id)))


@router.get("/lists/{int:list_id}/shares/{int:share_id}/accesses",
            response={200: page_schema(AccessOut), 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="Who opened or downloaded through a share link")
def share_accesses(request, list_id: int, share_id: int, params: Query[PageParams]):
    link = _own_link(request, list_id, share_id)
    return collection(link.accesses.all(), params, ["-id"])
