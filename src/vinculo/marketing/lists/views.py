"""Pages of the lists module: the lists, a list's members (add, remove, export, share), the
"Add to list" bulk action, and the public read-only page a partner opens from a share link."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vinculo.platform import registry
from vinculo.platform.importexport import exporting
from vinculo.platform.models import Visibility
from vinculo.platform.pagination import CursorError, paginate
from vinculo.web.base import page

from . import exports, importing, labels, selectors, services, sharing
from .models import ListEntity, ShareAccess, StaticList

PAGE_SIZE = 50
SHARE_PAGE_SIZE = 100


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _visible(request: HttpRequest, pk: int) -> StaticList:
    static_list = selectors.visible_lists(request.user).filter(pk=pk).first()
    if static_list is None:
        raise Http404
    return static_list


def _own(request: HttpRequest, pk: int) -> StaticList:
    static_list = _visible(request, pk)
    if not services.may_change(request.user, static_list):
        from vinculo.platform import access

        raise access.PermissionDenied(_("Only the owner may change this list."))
    return static_list


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@page
@require_http_methods(["GET", "POST"])
def list_index(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {"entity": "contacts", "visibility": "private"}
    errors = ""
    if request.method == "POST":
        values = {"name": request.POST.get("name", ""),
                  "entity": request.POST.get("entity", "contacts"),
                  "visibility": request.POST.get("visibility", "private"),
                  "description": request.POST.get("description", "")}
        try:
            created = services.save(request.user, dict(values))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("List created."))
            return redirect(f"/lists/{created.pk}/")
    lists = (selectors.visible_lists(request.user)
             .annotate(n_members=Count("members")).order_by("name", "id"))
    return render(request, "lists/list.html", {
        "lists": lists, "values": values, "errors": errors,
        "entities": ListEntity.choices, "visibilities": Visibility.choices},
        status=422 if errors else 200)


def _export_summary(request: HttpRequest, static_list: StaticList) -> dict[str, int]:
    records = selectors.members(request.user, static_list)
    total = records.count()
    email = records.filter(exports.consent_q(static_list.entity, "csv")).count()
    mail = records.filter(exports.consent_q(static_list.entity, "pdf")).count()
    return {"total": total, "email": email, "email_excluded": total - email,
            "mail": mail, "mail_excluded": total - mail}


@page
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    static_list = _visible(request, pk)
    entity = registry.get(static_list.entity)
    qs = selectors.members(request.user, static_list)
    try:
        rows, next_cursor = paginate(qs, ["id"], request.GET.get("cursor") or None, PAGE_SIZE)
    except CursorError:
        rows, next_cursor = paginate(qs, ["id"], None, PAGE_SIZE)
    members = [{"obj": r, "title": entity.title(r), "subtitle": entity.subtitle(r)}
               for r in rows]
    can_change = services.may_change(request.user, static_list)
    links = []
    if can_change:
        for link in static_list.share_links.annotate(n_access=Count("accesses")):
            links.append({"link": link, "url": request.build_absolute_uri(sharing.url_for(link)),
                          "active": link.revoked_at is None and link.expires_at > timezone.now(),
                          "accesses": list(link.accesses.all()[:20])})
    from vinculo.marketing.segments import selectors as segments

    return render(request, "lists/detail.html", {
        "list": static_list, "members": members, "next_cursor": next_cursor,
        "member_count": selectors.member_count(static_list), "can_change": can_change,
        "links": links, "summary": _export_summary(request, static_list),
        "segments": segments.visible_segments(request.user, static_list.entity),
        "share_fields": list(sharing.SHARE_FIELDS[static_list.entity].items()),
        "default_fields": sharing.DEFAULT_FIELDS[static_list.entity],
        "sheets": list(labels.SHEETS), "entity_url": f"/{static_list.entity}/",
    })


@page
@require_POST
def list_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Add (from a segment, a search, ids or a file) or remove members."""
    static_list = _own(request, pk)
    back = f"/lists/{pk}/"
    how = request.POST.get("how", "")
    try:
        if how == "remove":
            ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
            removed = services.remove_members(static_list, ids)
            messages.success(request, _("%(n)d removed from the list.") % {"n": removed})
            return redirect(back)
        if how == "file":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Choose a file.")]})
            result = importing.add_from_file(request.user, static_list, upload)
            messages.success(request, _("%(added)d added; %(unmatched)d rows matched nothing.")
                             % {"added": result["added"],
                                "unmatched": len(result["unmatched"])})
            for row in result["unmatched"][:10]:
                messages.warning(request, _("Row %(row)d (%(value)s): %(reason)s") % row)
            return redirect(back)
        if how == "segment":
            segment = request.POST.get("segment_id", "")
            result = services.add_from(request.user, static_list,
                                       segment_id=int(segment) if segment.isdigit() else -1)
        elif how == "search":
            result = services.add_from(request.user, static_list, q=request.POST.get("q", ""))
        else:
            ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
            result = services.add_from(request.user, static_list, ids=ids)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(back)
    messages.success(request, _("%(added)d added to the list (%(skipped)d already in it).")
                     % result)
    return redirect(back)


@page
@require_POST
def add_selected(request: HttpRequest) -> HttpResponse:
    """The "Add to list" bulk action of the contacts, accounts and leads pages."""
    entity = request.POST.get("entity", "")
    back = _back(request, f"/{entity}/" if entity in ListEntity.values else "/lists/")
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:services.MAX_IDS_PER_CALL]
    if not ids:
        messages.error(request, _("Select at least one record."))
        return redirect(back)
    target = request.POST.get("list_id", "")
    new_name = request.POST.get("new_list", "").strip()
    try:
        if target == "new" or (not target and new_name):
            static_list = services.save(request.user, {"name": new_name, "entity": entity})
        else:
            static_list = _own(request, int(target) if target.isdigit() else 0)
            if static_list.entity != entity:
                raise ValidationError({"list_id": [_("This list holds %(entity)s.")
                                                   % {"entity": static_list.entity}]})
        result = services.add_members(static_list, ids, request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(back)
    messages.success(request, _("%(added)d added to “%(name)s” (%(skipped)d skipped).")
                     % {"added": result["added"], "skipped": result["skipped"],
                        "name": static_list.name})
    return redirect(back)


def bulk_menu(request: HttpRequest, resource: Any) -> str | None:
    """The "Add to list" menu of a records page's bulk bar (contacts, accounts, leads)."""
    if resource.entity not in ListEntity.values:
        return None
    lists = [item for item in selectors.visible_lists(request.user, resource.entity)
             if services.may_change(request.user, item)]
    return render_to_string("lists/_bulk_menu.html", {"lists": lists,
                                                       "entity": resource.entity},
                            request=request)


@page
@require_http_methods(["GET", "POST"])
def list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    static_list = _own(request, pk)
    if request.method == "POST":
        if request.POST.get("delete"):
            static_list.delete()
            messages.success(request, _("List deleted."))
            return redirect("/lists/")
        data = {"name": request.POST.get("name", ""),
                "visibility": request.POST.get("visibility", static_list.visibility),
                "description": request.POST.get("description", "")}
        try:
            services.save(request.user, data, static_list)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("List saved."))
    return redirect(f"/lists/{pk}/")


@page
@require_GET
def list_export(request: HttpRequest, pk: int) -> HttpResponse:
    static_list = _visible(request, pk)
    records = selectors.members(request.user, static_list)
    try:
        result = exports.export(records, static_list.entity, request.GET.get("format", "csv"),
                                name=static_list.name,
                                consent=request.GET.get("consent", "1") != "0",
                                sheet=request.GET.get("sheet") or None)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(f"/lists/{pk}/")
    from .api import export_response

    return export_response(result)


@page
@require_POST
def share_create(request: HttpRequest, pk: int) -> HttpResponse:
    static_list = _own(request, pk)
    days = request.POST.get("days", "30")
    data = {"partner_name": request.POST.get("partner_name", ""),
            "partner_email": request.POST.get("partner_email", ""),
            "fields": request.POST.getlist("fields") or None,
            "allow_download": request.POST.get("allow_download") == "on",
            "days": int(days) if days.isdigit() else -1}
    try:
        sharing.create_link(request.user, static_list, data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Share link created: copy it below and send it to the "
                                    "partner."))
    return redirect(f"/lists/{pk}/#shares")


@page
@require_POST
def share_revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    static_list = _own(request, pk)
    link = static_list.share_links.filter(pk=link_id).first()
    if link is None:
        raise Http404
    sharing.revoke(link)
    messages.success(request, _("The link no longer works."))
    return redirect(f"/lists/{pk}/#shares")


# ------------------------------------------------------------------ the partner's page


def _refused(request: HttpRequest, exc: sharing.LinkRefused) -> HttpResponse:
    title = _("Link not found") if exc.status == 404 else _("Link no longer available")
    return render(request, "lists/shared_refused.html", {"title": title,
                                                         "message": exc.message},
                  status=exc.status)


@require_GET
def shared_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = sharing.resolve(token)
    except sharing.LinkRefused as exc:
        return _refused(request, exc)
    records = sharing.shared_records(link)
    try:
        rows, next_cursor = paginate(records, ["id"], request.GET.get("cursor") or None,
                                     SHARE_PAGE_SIZE)
    except CursorError:
        rows, next_cursor = paginate(records, ["id"], None, SHARE_PAGE_SIZE)
    sharing.log(link, request, ShareAccess.Kind.VIEW)
    return render(request, "lists/shared.html", {
        "link": link, "headers": sharing.headers(link), "rows": sharing.rows(link, rows),
        "next_cursor": next_cursor, "total": records.count(), "token": token})


@require_GET
def shared_download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = sharing.resolve(token)
    except sharing.LinkRefused as exc:
        return _refused(request, exc)
    if not link.allow_download:
        return _refused(request, sharing.LinkRefused(
            _("Downloading is not allowed through this link."), 403))
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return _refused(request, sharing.LinkRefused(_("Choose CSV or XLSX."), 404))
    records = sharing.shared_records(link).iterator(chunk_size=2000)
    headers = sharing.headers(link)
    stem = f"{exports._slug(link.list.name)}-{dt.date.today().isoformat()}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for obj in records:
            writer.writerow([exporting.csv_cell(sharing.field_value(obj, k))
                             for k in link.fields])
        content: bytes = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=link.list.name[:31] or "list")
        sheet.append(headers)
        for obj in records:
            sheet.append([exporting.guard_formula(str(sharing.field_value(obj, k) or ""))
                          for k in link.fields])
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
    sharing.log(link, request, ShareAccess.Kind.DOWNLOAD)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
