"""Reading an incoming e-mail: headers, the text of its body, attachments, its language and
whether it was sent by a machine (loop guard)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from django.utils import timezone

BODY_LIMIT = 100_000
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
CASE_TOKEN = re.compile(r"\[#(\d{1,18})\]")
# Defects that mean the MIME structure itself is broken: the parts cannot be trusted.
FATAL_DEFECTS = ("StartBoundaryNotFoundDefect", "NoBoundaryInMultipartDefect",
                 "MultipartInvariantViolationDefect", "CloseBoundaryNotFoundDefect")


class Unreadable(ValueError):
    """The message cannot be turned into a case; it is kept raw and reported."""


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Incoming:
    message_id: str | None
    in_reply_to: str
    references: list[str]
    subject: str
    from_name: str
    from_address: str
    to: str
    date: object
    text: str
    language_header: str
    automatic: str  # why it was sent by a machine, or ""
    attachments: list[Part] = field(default_factory=list)

    def thread_ids(self) -> list[str]:
        ids = [*self.references]
        if self.in_reply_to and self.in_reply_to not in ids:
            ids.append(self.in_reply_to)
        return ids


class _Text(HTMLParser):
    """HTML to plain text: tags dropped, scripts and styles skipped, blocks on new lines."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "table", "ul", "ol", "pre", "hr"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def message_ids(value: str | None) -> list[str]:
    return MESSAGE_ID.findall(str(value or ""))[:100]


def clean(text: str) -> str:
    return text.replace("\x00", "")


def parse(raw: bytes) -> Incoming:
    """Read a message or raise Unreadable (with the reason)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        return _read(msg)
    except Unreadable:
        raise
    except Exception as exc:  # any parser error: the message is kept raw instead
        raise Unreadable(f"{type(exc).__name__}: {exc}") from None


def _read(msg: EmailMessage) -> Incoming:
    fatal = [type(d).__name__ for d in _all_defects(msg) if type(d).__name__ in FATAL_DEFECTS]
    if fatal:
        raise Unreadable("Broken MIME structure: " + ", ".join(sorted(set(fatal))))
    senders = getaddresses([str(msg.get("From", "") or "")])
    from_name, from_address = next(((n, a) for n, a in senders if "@" in a), ("", ""))
    if not from_address:
        raise Unreadable("No sender address (From).")
    ids = message_ids(msg.get("Message-ID"))
    return Incoming(
        message_id=ids[0][:250] if ids else None,
        in_reply_to=(message_ids(msg.get("In-Reply-To")) or [""])[0][:250],
        references=[r for r in message_ids(msg.get("References")) if len(r) <= 250],
        subject=clean(str(msg.get("Subject", "") or "")).strip()[:300],
        from_name=clean(from_name).strip()[:200],
        from_address=from_address.strip().lower()[:254],
        to=clean(str(msg.get("To", "") or ""))[:2000],
        date=_date(msg.get("Date")),
        text=clean(_body(msg))[:BODY_LIMIT],
        language_header=str(msg.get("Content-Language", "") or "").strip().lower()[:20],
        automatic=automatic_reason(msg),
        attachments=list(_attachments(msg)),
    )


def _all_defects(msg: EmailMessage):
    for part in msg.walk():
        yield from part.defects


def automatic_reason(msg: EmailMessage) -> str:
    """Why this looks machine-sent (RFC 3834 Auto-Submitted, bulk precedence, auto-reply
    markers), or "" for a person's message."""
    auto = str(msg.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(msg.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = str(msg.get(header, "") or "").strip().lower()
        if value and (header != "X-Auto-Response-Suppress" or "oof" in value or value == "all"):
            return f"{header}: {value}"
    if msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return "Mailing list"
    return ""


def _date(value):
    try:
        when = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError):
        when = None
    now = timezone.now()
    if when is None or when.tzinfo is None or when > now:
        return now
    return when


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _content(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content.strip()


def _content(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError):
        # An unknown or lying charset: decode the bytes as well as we can.
        data = part.get_payload(decode=True) or b""
        return data.decode("utf-8", "replace")


def _attachments(msg: EmailMessage):
    for index, part in enumerate(msg.iter_attachments(), start=1):
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or f"attachment-{index}"
        yield Part(filename=safe_filename(name), content_type=part.get_content_type()[:120],
                   data=data)


def safe_filename(name: str) -> str:
    name = clean(str(name)).replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name)
    return (name or "attachment")[:200]


SPANISH = {"el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "por", "para", "con",
           "no", "es", "mi", "pedido", "hola", "gracias", "buenos", "días", "tengo", "está",
           "muy", "pero", "como", "cuando", "ayuda", "factura", "saludos", "problema", "del"}
ENGLISH = {"the", "and", "to", "of", "a", "in", "is", "it", "my", "for", "on", "with", "not",
           "hello", "thanks", "thank", "you", "order", "have", "please", "help", "invoice",
           "regards", "problem", "this", "that", "was", "hi", "i"}


def guess_language(text: str, header: str = "") -> str:
    """"es" or "en": the Content-Language header when it names one, else the share of
    common Spanish and English words in the text."""
    if header:
        first = header.split(",")[0].strip()[:2]
        if first in ("es", "en"):
            return first
    words = re.findall(r"[a-záéíóúñü]+", text.lower())[:400]
    es = sum(w in SPANISH for w in words) + 2 * sum(c in "ñ¿¡" for c in text[:4000])
    en = sum(w in ENGLISH for w in words)
    return "es" if es > en else "en"
