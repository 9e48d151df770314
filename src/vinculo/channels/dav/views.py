"""The CardDAV/CalDAV server (RFC 4918, 6352, 4791, 6578 — the subset clients use) and the
app-password settings page.

    /dav/                                  root
    /dav/principals/<user>/                the user's principal
    /dav/addressbooks/<user>/              address-book home
    /dav/addressbooks/<user>/contacts/     the address book: one c-<id>.vcf per contact
    /dav/calendars/<user>/                 calendar home
    /dav/calendars/<user>/crm/             the calendar: meetings (VEVENT) and tasks (VTODO)

Devices sign in with HTTP Basic and an app password; CSRF does not apply (no cookies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlparse

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vinculo.platform import access
from vinculo.platform.api import Conflict
from vinculo.platform.records import StaleVersion
from vinculo.web.base import page

from . import davxml, passwords, selectors, services
from .cards import Unparseable
from .davxml import CAL, CARD, CS, DAV, ICAL, tag
from .selectors import CALENDAR, CONTACTS, Book

DAV_HEADER = "1, 3, addressbook, calendar-access"
ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT"
MAX_BODY = 1024 * 1024
XML = "application/xml; charset=utf-8"
ROOT = "/dav/"


@dataclass
class Node:
    kind: str  # root | principal | home | collection | resource
    book: Book | None = None
    name: str = ""


# ---------------------------------------------------------------------------- helpers


def _response(body: str | bytes = "", status: int = 200, content_type: str = XML,
              **headers: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["DAV"] = DAV_HEADER
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def _error(status: int, condition: str, message: str) -> HttpResponse:
    return _response(davxml.error(condition, message), status=status)


def _unauthorized(rate_limited: bool) -> HttpResponse:
    if rate_limited:
        return _response(_("Too many failed sign-ins; try again later."), status=429,
                         content_type="text/plain; charset=utf-8",
                         Retry_After=str(passwords.failure_window()))
    return _response(_("Sign in with your user name and an app password."), status=401,
                     content_type="text/plain; charset=utf-8",
                     WWW_Authenticate='Basic realm="Vinculo", charset="UTF-8"')


def principal_href(user: Any) -> str:
    return f"{ROOT}principals/{quote(user.username)}/"


def home_href(user: Any, book: Book) -> str:
    return f"{ROOT}{'addressbooks' if book is CONTACTS else 'calendars'}/{quote(user.username)}/"


def collection_href(user: Any, book: Book) -> str:
    return home_href(user, book) + ("contacts/" if book is CONTACTS else "crm/")


def resource_href(user: Any, book: Book, name: str) -> str:
    return collection_href(user, book) + quote(name)


def etag(version: int) -> str:
    return f'"{version}"'


def _versions(header: str) -> list[str]:
    return [v.strip().removeprefix("W/") for v in header.split(",") if v.strip()]


def resolve(path: str, user: Any) -> Node | None:
    parts = [unquote(p) for p in path.strip("/").split("/") if p] if path else []
    if not parts:
        return Node("root")
    if len(parts) > 4 or parts[0] not in ("principals", "addressbooks", "calendars"):
        return None
    if len(parts) == 1 or parts[1] != user.username:
        return None  # another user's tree does not exist for you
    if parts[0] == "principals":
        return Node("principal") if len(parts) == 2 else None
    book = CONTACTS if parts[0] == "addressbooks" else CALENDAR
    if len(parts) == 2:
        return Node("home", book)
    if parts[2] != ("contacts" if book is CONTACTS else "crm"):
        return None
    if len(parts) == 3:
        return Node("collection", book)
    return Node("resource", book, parts[3])


# ---------------------------------------------------------------------------- entry points


@csrf_exempt
def well_known(request: HttpRequest, service: str) -> HttpResponse:
    return HttpResponsePermanentRedirect(ROOT)


@csrf_exempt
def dav(request: HttpRequest, path: str = "") -> HttpResponse:
    method = request.method.upper()
    if method == "OPTIONS":
        return _response("", content_type="text/plain", Allow=ALLOW)
    user, limited = passwords.authenticate(request)
    if user is None:
        return _unauthorized(limited)
    with translation.override(getattr(user, "language", "") or translation.get_language()):
        return _dispatch(request, method, path or "", user)


def _dispatch(request: HttpRequest, method: str, path: str, user: Any) -> HttpResponse:
    node = resolve(path, user)
    if node is None:
        return _response(_("Not found."), status=404, content_type="text/plain; charset=utf-8")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _response(_("The request body is too large."), status=413,
                         content_type="text/plain; charset=utf-8")
    handler = HANDLERS.get(method)
    if handler is None:
        return _response(_("This method is not supported here."), status=405,
                         content_type="text/plain; charset=utf-8", Allow=ALLOW)
    try:
        return handler(request, node, user)
    except davxml.BadXML as exc:
        return _error(400, tag(DAV, "valid-xml"), str(exc))
    except Unparseable as exc:
        condition = tag(CARD, "valid-address-data") if node.book is CONTACTS else tag(
            CAL, "valid-calendar-data")
        return _error(400, condition, str(exc))
    except StaleVersion as exc:
        return _error(412, tag(DAV, "matching-etag"), str(exc))
    except access.PermissionDenied as exc:
        return _error(403, tag(DAV, "need-privileges"), str(exc))
    except Conflict as exc:
        condition = tag(CARD, "no-uid-conflict") if node.book is CONTACTS else tag(
            CAL, "no-uid-conflict")
        return _error(409, condition, str(exc))
    except ValidationError as exc:
        return _error(403, tag(DAV, "refused"), _validation_text(exc))


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" if field != "__all__" else " ".join(msgs)
                         for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


# ---------------------------------------------------------------------------- PROPFIND


def _privileges(user: Any, book: Book | None) -> str:
    names = ["read", "read-current-user-privilege-set"]
    if book is not None:
        names += ["write", "write-content", "unbind"]
        if access.can_create(user, book.entity):
            names.append("bind")
    return "".join(f"<d:privilege><d:{n}/></d:privilege>" for n in names)


def _reports(book: Book | None) -> str:
    names = [(DAV, "sync-collection")]
    if book is CONTACTS:
        names += [(CARD, "addressbook-multiget"), (CARD, "addressbook-query")]
    elif book is CALENDAR:
        names += [(CAL, "calendar-multiget"), (CAL, "calendar-query")]
    return "".join(f"<d:supported-report><d:report>{davxml.element(tag(ns, n))}</d:report>"
                   "</d:supported-report>" for ns, n in names)


def _common(user: Any) -> dict[str, Callable[[], str]]:
    principal = f"<d:href>{principal_href(user)}</d:href>"
    return {tag(DAV, "current-user-principal"): lambda: principal,
            tag(DAV, "principal-URL"): lambda: principal,
            tag(DAV, "principal-collection-set"): lambda: f"<d:href>{ROOT}principals/</d:href>",
            tag(DAV, "owner"): lambda: principal}


def _node_props(node: Node, user: Any) -> dict[str, Callable[[], str]]:
    """Clark name → function giving the inner XML, for the properties a node has."""
    props = _common(user)
    collection = "<d:collection/>"
    if node.kind == "root":
        props[tag(DAV, "resourcetype")] = lambda: collection
        props[tag(DAV, "displayname")] = lambda: "Vínculo"
    elif node.kind == "principal":
        props.update({
            tag(DAV, "resourcetype"): lambda: "<d:principal/>",
            tag(DAV, "displayname"): lambda: davxml.text(user.get_full_name() or user.username),
            tag(CARD, "addressbook-home-set"):
                lambda: f"<d:href>{home_href(user, CONTACTS)}</d:href>",
            tag(CAL, "calendar-home-set"):
                lambda: f"<d:href>{home_href(user, CALENDAR)}</d:href>",
            tag(CAL, "calendar-user-address-set"):
                lambda: (f"<d:href>mailto:{davxml.text(user.email)}</d:href>" if user.email
                         else "") + f"<d:href>{principal_href(user)}</d:href>",
        })
    elif node.kind == "home":
        props[tag(DAV, "resourcetype")] = lambda: collection
        props[tag(DAV, "displayname")] = lambda: "Vínculo"
        props[tag(DAV, "current-user-privilege-set")] = lambda: _privileges(user, None)
    elif node.kind == "collection":
        props.update(_collection_props(node.book, user))
    return props


def _collection_props(book: Book, user: Any) -> dict[str, Callable[[], str]]:
    token: list[str] = []

    def sync() -> str:
        if not token:
            token.append(selectors.sync_token(book, user))
        return davxml.text(token[0])

    props: dict[str, Callable[[], str]] = {
        tag(DAV, "current-user-privilege-set"): lambda: _privileges(user, book),
        tag(DAV, "supported-report-set"): lambda: _reports(book),
        tag(DAV, "sync-token"): sync,
        tag(CS, "getctag"): sync,
    }
    if book is CONTACTS:
        view = selectors.contacts_view(user)
        props.update({
            tag(DAV, "resourcetype"): lambda: "<d:collection/><card:addressbook/>",
            tag(DAV, "displayname"): lambda: davxml.text(
                _("Vínculo contacts") + (f" — {view.name}" if view else "")),
            tag(CARD, "addressbook-description"): lambda: davxml.text(
                _("The contacts you may see in Vínculo.")),
            tag(CARD, "supported-address-data"):
                lambda: '<card:address-data-type content-type="text/vcard" version="3.0"/>',
            tag(CARD, "max-resource-size"): lambda: str(256 * 1024),
        })
    else:
        props.update({
            tag(DAV, "resourcetype"): lambda: "<d:collection/><cal:calendar/>",
            tag(DAV, "displayname"): lambda: davxml.text(_("Vínculo meetings and tasks")),
            tag(CAL, "calendar-description"): lambda: davxml.text(
                _("Your meetings and tasks in Vínculo.")),
            tag(CAL, "supported-calendar-component-set"):
                lambda: '<cal:comp name="VEVENT"/><cal:comp name="VTODO"/>',
            tag(CAL, "supported-calendar-data"):
                lambda: '<cal:calendar-data content-type="text/calendar" version="2.0"/>',
            tag(CAL, "max-resource-size"): lambda: str(512 * 1024),
            tag(ICAL, "calendar-color"): lambda: "#2563EBFF",
        })
    return props


ALLPROP_SKIP = {tag(CARD, "address-data"), tag(CAL, "calendar-data")}


def _select(props: dict[str, Callable[[], str]], mode: str, wanted: list[str]
            ) -> tuple[dict[str, str], list[str]]:
    if mode != "prop":
        return {name: fn() for name, fn in props.items() if name not in ALLPROP_SKIP}, []
    found = {name: props[name]() for name in wanted if name in props}
    return found, [name for name in wanted if name not in props]


def _resource_props(book: Book, version: int, updated_at: Any = None, body: str | None = None
                    ) -> dict[str, Callable[[], str]]:
    props: dict[str, Callable[[], str]] = {
        tag(DAV, "getetag"): lambda: davxml.text(etag(version)),
        tag(DAV, "getcontenttype"): lambda: davxml.text(book.content_type),
        tag(DAV, "resourcetype"): lambda: "",
    }
    if updated_at is not None:
        props[tag(DAV, "getlastmodified")] = lambda: http_date(updated_at.timestamp())
    if body is not None:
        data = tag(CARD, "address-data") if book is CONTACTS else tag(CAL, "calendar-data")
        props[data] = lambda: davxml.text(body)
    return props


def propfind(request: HttpRequest, node: Node, user: Any) -> HttpResponse:
    mode, wanted = davxml.requested_props(davxml.parse(request.body))
    depth = request.META.get("HTTP_DEPTH", "1").strip().lower()
    if node.kind == "resource":
        record = selectors.find(node.book, user, node.name)
        if record is None:
            return _response(status=404)
        found, missing = _select(_resource_props(node.book, record.version, record.updated_at),
                                 mode, wanted)
        return _multistatus([davxml.response(request.path, found, missing)])
    found, missing = _select(_node_props(node, user), mode, wanted)
    responses = [davxml.response(request.path, found, missing)]
    if depth != "0":
        responses += _children(node, user, mode, wanted)
    return _multistatus(responses)


def _children(node: Node, user: Any, mode: str, wanted: list[str]) -> list[str]:
    out = []
    if node.kind == "root":
        out.append(_child(Node("principal"), principal_href(user), user, mode, wanted))
    elif node.kind == "home":
        out.append(_child(Node("collection", node.book), collection_href(user, node.book), user,
                          mode, wanted))
    elif node.kind == "collection":
        base = collection_href(user, node.book)
        for name, version in selectors.members(node.book, user):
            found, missing = _select(_resource_props(node.book, version), mode, wanted)
            out.append(davxml.response(base + quote(name), found, missing))
    return out


def _child(node: Node, href: str, user: Any, mode: str, wanted: list[str]) -> str:
    found, missing = _select(_node_props(node, user), mode, wanted)
    return davxml.response(href, found, missing)


def _multistatus(responses: list[str], token: str | None = None) -> HttpResponse:
    return _response(davxml.multistatus(responses, token), status=207)


def proppatch(request: HttpRequest, node: Node, user: Any) -> HttpResponse:
    """Properties are not changeable here; each one asked for is refused (403) in the answer."""
    root = davxml.parse(request.body)
    names = [prop.tag for prop in (root.iter(tag(DAV, "prop")) if root is not None else [])
             for prop in prop]
    inner = "".join(davxml.element(n) for n in names)
    body = (f"<d:response><d:href>{davxml.text(request.path)}</d:href><d:propstat><d:prop>"
            f"{inner}</d:prop><d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat>"
            "</d:response>")
    return _multistatus([body])


# ---------------------------------------------------------------------------- REPORT


def report(request: HttpRequest, node: Node, user: Any) -> HttpResponse:
    root = davxml.parse(request.body)
    if root is None:
        raise davxml.BadXML(_("A REPORT needs a body."))
    if node.kind != "collection":
        return _error(403, tag(DAV, "supported-report"),
                      _("Reports are answered on the address book and the calendar."))
    mode, wanted = davxml.requested_props(root)
    book = node.book
    if root.tag in (tag(CARD, "addressbook-multiget"), tag(CAL, "calendar-multiget")):
        hrefs = [h.text or "" for h in root.iter(tag(DAV, "href"))]
        return _multiget(user, book, hrefs, mode, wanted)
    if root.tag == tag(CARD, "addressbook-query") and book is CONTACTS:
        return _query(user, book, _contact_query(root, selectors.records(book, user)), mode,
                      wanted)
    if root.tag == tag(CAL, "calendar-query") and book is CALENDAR:
        qs, window = _calendar_query(root, selectors.records(book, user))
        return _query(user, book, qs, mode, wanted, window)
    if root.tag == tag(DAV, "sync-collection"):
        return _sync(user, book, root, mode, wanted)
    return _error(403, tag(DAV, "supported-report"), _("This report is not supported here."))


BATCH = 500


def _rendered(user: Any, book: Book, ids: list[int], mode: str, wanted: list[str],
              keep: Callable[[Any], bool] | None = None) -> list[tuple[int, str]]:
    """(id, response) for the records with these ids, loaded and rendered in batches."""
    with_body = mode != "prop" or tag(CARD, "address-data") in wanted or tag(
        CAL, "calendar-data") in wanted
    base = collection_href(user, book)
    out = []
    for start in range(0, len(ids), BATCH):
        items = selectors.load(book, ids[start:start + BATCH], user)
        if keep is not None:
            items = [item for item in items if keep(item)]
        names = selectors.resources(book, [item.pk for item in items])
        texts = selectors.bodies(book, items, names) if with_body else {}
        for item in items:
            props = _resource_props(book, item.version, item.updated_at, texts.get(item.pk))
            if mode != "prop":
                found = {n: fn() for n, fn in props.items()}
                missing: list[str] = []
            else:
                found, missing = _select(props, mode, wanted)
            out.append((item.pk, davxml.response(
                base + quote(selectors.name_of(book, item.pk, names)), found, missing)))
    return out


def _multiget(user: Any, book: Book, hrefs: list[str], mode: str, wanted: list[str]
              ) -> HttpResponse:
    base = unquote(collection_href(user, book))
    named: dict[str, str] = {}
    responses = []
    for href in hrefs[:10_000]:
        path = unquote(urlparse(href.strip()).path)
        name = path[len(base):] if path.startswith(base) else ""
        if name and "/" not in name:
            named[name] = href.strip()
        else:
            responses.append(davxml.status_response(href.strip(), "404 Not Found"))
    ids = selectors.record_ids_for(book, list(named))
    by_id = {ids[name]: href for name, href in named.items() if name in ids}
    responses += [davxml.status_response(href, "404 Not Found")
                  for name, href in named.items() if name not in ids]
    rendered = _rendered(user, book, list(by_id), mode, wanted)
    seen = {pk for pk, _r in rendered}
    responses += [davxml.status_response(href, "404 Not Found")
                  for pk, href in by_id.items() if pk not in seen]
    return _multistatus([r for _pk, r in rendered] + responses)


def _query(user: Any, book: Book, qs: Any, mode: str, wanted: list[str],
           keep: Callable[[Any], bool] | None = None) -> HttpResponse:
    ids = list(qs.order_by("id").values_list("id", flat=True)[:50_000])
    return _multistatus([r for _pk, r in _rendered(user, book, ids, mode, wanted, keep)])


def _contact_query(root: Any, qs: Any) -> Any:
    """A simple addressbook-query: text-match on FN, N, EMAIL or TEL (contains)."""
    from django.db.models import Q

    conditions = []
    for prop_filter in root.iter(tag(CARD, "prop-filter")):
        name = (prop_filter.get("name") or "").upper()
        match = prop_filter.find(tag(CARD, "text-match"))
        if match is None or not (match.text or "").strip():
            continue
        value = match.text.strip()[:200]
        if name in ("FN", "N"):
            conditions.append(Q(first_name__icontains=value) | Q(last_name__icontains=value))
        elif name == "EMAIL":
            conditions.append(Q(email__icontains=value))
        elif name == "TEL":
            conditions.append(Q(phone__icontains=value) | Q(mobile__icontains=value))
    if not conditions:
        return qs
    test = root.find(tag(CARD, "filter"))
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = (combined & condition) if (test is not None and test.get("test") == "allof"
                                              ) else (combined | condition)
    return qs.filter(combined)


def _calendar_query(root: Any, qs: Any) -> tuple[Any, Callable[[Any], bool] | None]:
    import datetime as dt

    kinds = set()
    start = end = None
    for comp in root.iter(tag(CAL, "comp-filter")):
        name = (comp.get("name") or "").upper()
        if name == "VEVENT":
            kinds.add("meeting")
        elif name == "VTODO":
            kinds.add("task")
        window = comp.find(tag(CAL, "time-range"))
        if window is not None and name in ("VEVENT", "VTODO"):
            start, end = _ical_time(window.get("start")), _ical_time(window.get("end"))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if start is None and end is None:
        return qs, None
    low = start or dt.datetime.min.replace(tzinfo=dt.UTC)
    high = end or dt.datetime.max.replace(tzinfo=dt.UTC)
    # Meetings: start before the window ends and end after it starts (checked in Python for
    # the length); tasks: due inside the window.
    from django.db.models import Q

    qs = qs.filter(Q(kind="meeting", occurred_at__lt=high,
                     occurred_at__gte=low - dt.timedelta(days=31))
                   | Q(kind="task", due_at__gte=low, due_at__lt=high))

    def keep(item: Any) -> bool:
        if item.kind != "meeting":
            return True
        minutes = item.duration_minutes or 0
        finish = item.occurred_at + dt.timedelta(minutes=minutes)
        return finish > low or (minutes == 0 and item.occurred_at >= low)

    return qs, keep


def _ical_time(value: str | None) -> Any:
    import datetime as dt

    if not value:
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise davxml.BadXML(_("A time-range needs UTC times like 20260101T000000Z.")) from exc


def _sync(user: Any, book: Book, root: Any, mode: str, wanted: list[str]) -> HttpResponse:
    token_el = root.find(tag(DAV, "sync-token"))
    token = (token_el.text or "").strip() if token_el is not None else ""
    since = None
    if token:
        since = selectors.token_time(token)
        if since is None:
            return _error(403, tag(DAV, "valid-sync-token"),
                          _("This sync token is not one of ours; sync again from the start."))
    current = selectors.sync_token(book, user)
    live = selectors.records(book, user)
    if since is not None:
        live = live.filter(updated_at__gt=since)
    responses = _query_responses(user, book, live, mode, wanted)
    if since is not None:
        gone = selectors.records(book, user, with_deleted=True).filter(
            deleted_at__isnull=False, updated_at__gt=since).values_list("id", flat=True)
        ids = list(gone[:50_000])
        names = selectors.resources(book, ids)
        base = collection_href(user, book)
        responses += [davxml.status_response(base + quote(selectors.name_of(book, pk, names)),
                                             "404 Not Found") for pk in ids]
    return _multistatus(responses, current)


def _query_responses(user: Any, book: Book, qs: Any, mode: str, wanted: list[str]
                     ) -> list[str]:
    ids = list(qs.order_by("id").values_list("id", flat=True)[:50_000])
    return [r for _pk, r in _rendered(user, book, ids, mode, wanted)]


# ---------------------------------------------------------------------------- GET / PUT / DELETE


def get(request: HttpRequest, node: Node, user: Any) -> HttpResponse:
    if node.kind != "resource":
        text = _("Vínculo CardDAV/CalDAV. Add this address to your device's accounts.")
        return _response(text if request.method == "GET" else "",
                         content_type="text/plain; charset=utf-8")
    record = selectors.find(node.book, user, node.name)
    if record is None:
        return _response(status=404)
    tagged = etag(record.version)
    if tagged in _versions(request.META.get("HTTP_IF_NONE_MATCH", "")):
        return _response(status=304, ETag=tagged)
    items = selectors.load(node.book, [record.pk], user)
    body = selectors.bodies(node.book, items)[record.pk]
    return _response(body if request.method == "GET" else "", content_type=node.book.content_type,
                     ETag=tagged, Last_Modified=http_date(record.updated_at.timestamp()))


def _expected(request: HttpRequest, record: Any) -> tuple[int | None, HttpResponse | None]:
    """The version named by If-Match (None without), or the 412 answer for a stale one."""
    header = request.META.get("HTTP_IF_MATCH", "")
    if not header:
        return None, None
    values = _versions(header)
    if "*" in values:
        return (None, None) if record is not None else (None, _precondition())
    if record is None or etag(record.version) not in values:
        return None, _precondition()
    return record.version, None


def _precondition() -> HttpResponse:
    return _error(412, tag(DAV, "matching-etag"),
                  _("The object changed on the server since you read it; read it again."))


ACCEPTED_TYPES = {"text/vcard", "text/x-vcard", "text/directory", "text/calendar",
                  "application/octet-stream", ""}


def put(request: HttpRequest, node: Node, user: Any) -> HttpResponse:
    if node.kind != "resource" or not node.name or len(node.name) > 255:
        return _error(403, tag(DAV, "resource-must-be-null"),
                      _("Objects are written inside the address book or the calendar."))
    content_type = (request.content_type or "").lower()
    if content_type not in ACCEPTED_TYPES or (
            node.book is CONTACTS and content_type == "text/calendar") or (
            node.book is CALENDAR and content_type in ("text/vcard", "text/x-vcard")):
        return _error(415, tag(CARD, "supported-address-data") if node.book is CONTACTS
                      else tag(CAL, "supported-calendar-data"),
                      _("Send a vCard (text/vcard) to the address book and iCalendar "
                        "(text/calendar) to the calendar."))
    existing = selectors.find(node.book, user, node.name)
    if existing is not None and "*" in _versions(request.META.get("HTTP_IF_NONE_MATCH", "")):
        return _precondition()
    expected, refused = _expected(request, existing)
    if refused is not None:
        return refused
    written = services.put(node.book, user, node.name, request.body, existing, expected)
    return _response(status=201 if written.created else 204,
                     ETag=etag(written.record.version))


def delete(request: HttpRequest, node: Node, user: Any) -> HttpResponse:
    if node.kind != "resource":
        return _error(403, tag(DAV, "need-privileges"),
                      _("The address book and the calendar cannot be deleted."))
    record = selectors.find(node.book, user, node.name)
    if record is None:
        return _response(status=404)
    expected, refused = _expected(request, record)
    if refused is not None:
        return refused
    services.delete(user, record, expected)
    return _response(status=204)


def mkcol(request: HttpRequest, node: Node, user: Any) -> HttpResponse:
    return _error(403, tag(DAV, "need-privileges"),
                  _("New address books and calendars cannot be made here."))


HANDLERS: dict[str, Callable[[HttpRequest, Node, Any], HttpResponse]] = {
    "PROPFIND": propfind, "PROPPATCH": proppatch, "REPORT": report, "GET": get, "HEAD": get,
    "PUT": put, "DELETE": delete, "MKCOL": mkcol, "MKCALENDAR": mkcol,
}


# ---------------------------------------------------------------------------- settings page


@page
def app_passwords(request: HttpRequest) -> HttpResponse:
    from vinculo.platform.views_service import views_visible_to

    from .models import AppPassword, Preference

    created = None
    views = views_visible_to(request.user, "contacts")
    if request.method == "POST" and request.POST.get("action") == "view":
        chosen = request.POST.get("contacts_view") or ""
        view = views.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        Preference.objects.update_or_create(user=request.user, defaults={"contacts_view": view})
        messages.success(request, _("The address book on your devices was changed."))
        return redirect("/settings/app-passwords/")
    if request.method == "POST":
        label = (request.POST.get("label") or "").strip()[:100]
        row, raw = passwords.create(request.user, label)
        created = {"row": row, "raw": raw}
    preference = Preference.objects.filter(user=request.user).first()
    base = request.build_absolute_uri(ROOT)
    return render(request, "dav/app_passwords.html", {
        "passwords": AppPassword.objects.filter(user=request.user).order_by("-id"),
        "created": created, "section": "app_passwords", "views": views,
        "current_view": preference.contacts_view_id if preference else None,
        "dav_url": base, "username": request.user.username})


@page
@require_POST
def app_password_revoke(request: HttpRequest, password_id: int) -> HttpResponse:
    from .models import AppPassword

    row = AppPassword.objects.filter(pk=password_id, user=request.user).first()
    if row is None:
        raise Http404
    passwords.revoke(row)
    messages.success(request, _("The app password was revoked; devices using it are refused."))
    return redirect("/settings/app-passwords/")
