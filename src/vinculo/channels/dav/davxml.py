"""WebDAV XML in and out: requests parsed with no DTDs or entities, multistatus written fast."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

DAV = "DAV:"
CARD = "urn:ietf:params:xml:ns:carddav"
CAL = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
ICAL = "http://apple.com/ns/ical/"
PREFIXES = {DAV: "d", CARD: "card", CAL: "cal", CS: "cs", ICAL: "ical"}
NAMESPACES = " ".join(f'xmlns:{p}="{ns}"' for ns, p in PREFIXES.items())
MAX_XML_BYTES = 1024 * 1024
FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class BadXML(Exception):
    """A request body that is not XML we accept (HTTP 400)."""


def parse(body: bytes) -> ET.Element | None:
    """The root element of a request body (None when empty)."""
    if not body or not body.strip():
        return None
    if len(body) > MAX_XML_BYTES:
        raise BadXML(_("The request body is too large."))
    if FORBIDDEN.search(body):
        raise BadXML(_("Document type declarations and entities are not accepted."))
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise BadXML(_("The request body is not well-formed XML: %(error)s.") % {
            "error": str(exc)[:200]}) from exc


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def split(clark: str) -> tuple[str, str]:
    if clark.startswith("{"):
        namespace, _sep, name = clark[1:].partition("}")
        return namespace, name
    return "", clark


def qname(clark: str) -> str:
    """`d:getetag` for a known namespace; unknown ones get an inline declaration."""
    namespace, name = split(clark)
    prefix = PREFIXES.get(namespace)
    if prefix:
        return f"{prefix}:{name}"
    return f'x:{name} xmlns:x="{escape(namespace)}"' if namespace else name


def close(clark: str) -> str:
    namespace, name = split(clark)
    prefix = PREFIXES.get(namespace)
    return f"{prefix}:{name}" if prefix else (f"x:{name}" if namespace else name)


def element(clark: str, inner: str = "") -> str:
    if not inner:
        return f"<{qname(clark)}/>"
    return f"<{qname(clark)}>{inner}</{close(clark)}>"


def text(value: str) -> str:
    return escape(str(value))


def response(href: str, found: dict[str, str], missing: list[str] | None = None) -> str:
    """One <d:response>: the properties found (clark name → inner XML) and those not found."""
    parts = [f"<d:response><d:href>{escape(href)}</d:href>"]
    if found:
        parts.append("<d:propstat><d:prop>")
        parts.extend(element(name, inner) for name, inner in found.items())
        parts.append("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>")
    if missing:
        parts.append("<d:propstat><d:prop>")
        parts.extend(element(name) for name in missing)
        parts.append("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>")
    parts.append("</d:response>")
    return "".join(parts)


def status_response(href: str, status: str) -> str:
    return (f"<d:response><d:href>{escape(href)}</d:href>"
            f"<d:status>HTTP/1.1 {status}</d:status></d:response>")


def multistatus(responses: list[str], sync_token: str | None = None) -> str:
    token = f"<d:sync-token>{escape(sync_token)}</d:sync-token>" if sync_token else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus {NAMESPACES}>'
            + "".join(responses) + token + "</d:multistatus>")


def error(condition: str, message: str) -> str:
    """A DAV:error body: the precondition that failed and a message for people."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<d:error {NAMESPACES} '
            f'xmlns:v="urn:vinculo">{element(condition)}<v:message>{escape(message)}'
            f"</v:message></d:error>")


def requested_props(root: ET.Element | None) -> tuple[str, list[str]]:
    """("prop", names) / ("allprop", []) / ("propname", []) of a PROPFIND or REPORT body."""
    if root is None:
        return "allprop", []
    if root.find(tag(DAV, "propname")) is not None:
        return "propname", []
    if root.find(tag(DAV, "allprop")) is not None:
        return "allprop", []
    prop = root.find(tag(DAV, "prop"))
    if prop is None:
        return ("allprop", []) if root.tag == tag(DAV, "propfind") else ("prop", [])
    return "prop", [child.tag for child in prop]
