"""E-mail to case: polling mailboxes, turning messages into cases or replies on cases,
keeping attachments, acknowledging new cases, and agents' replies over SMTP."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.channels import sender
from vinculo.customers.models import Contact
from vinculo.platform import records
from vinculo.service.models import Case, Queue, Status
from vinculo.service.services import choose_assignee

from . import imap, parsing
from .models import Attachment, Direction, Kind, Mailbox, MailMessage, State

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
BATCH = 100
# At most this many messages a run of the scheduler or of "Fetch now" (the rest next time).
PER_RUN = 1000
MAX_BACKOFF_MINUTES = 60
REOPEN = (Status.PENDING, Status.RESOLVED)


def attachment_limit() -> int:
    return int(getattr(settings, "VINCULO_MAIL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def message_limit() -> int:
    return int(getattr(settings, "VINCULO_MAIL_MESSAGE_MAX_BYTES", 50 * 1024 * 1024))


# ------------------------------------------------------------------------------ polling


@dataclass
class FetchResult:
    mailbox_id: int
    busy: bool = False
    error: str = ""
    created: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    ignored: int = 0
    failed: int = 0
    duplicates: int = 0

    @property
    def seen(self) -> int:
        return len(self.created) + len(self.added) + self.ignored + self.failed + self.duplicates


def due_mailboxes(now: dt.datetime | None = None):
    """Active mailboxes whose next poll has come (a failing one waits out its backoff)."""
    now = now or timezone.now()
    return Mailbox.objects.filter(active=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)).order_by("id")


def fetch_due(limit: int | None = PER_RUN) -> list[FetchResult]:
    return [fetch(box, limit=limit) for box in due_mailboxes()]


def _take_lease(mailbox: Mailbox, now: dt.datetime) -> bool:
    return bool(Mailbox.objects.filter(pk=mailbox.pk).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(lease_until=now + LEASE))


def fetch(mailbox: Mailbox, *, limit: int | None = None, lease: bool = True) -> FetchResult:
    """Ingest the mailbox's new messages. One poller at a time holds the lease; the unique
    (mailbox, UIDVALIDITY, UID) and Message-ID constraints keep each message to one case
    even if two pollers meet."""
    result = FetchResult(mailbox.pk)
    now = timezone.now()
    if lease and not _take_lease(mailbox, now):
        result.busy = True
        return result
    try:
        _fetch(mailbox, result, limit)
    except imap.MailboxError as exc:
        result.error = str(exc)[:2000]
        failures = mailbox.failures + 1
        delay = min(2 ** (failures - 1), MAX_BACKOFF_MINUTES)
        Mailbox.objects.filter(pk=mailbox.pk).update(
            failures=failures, last_error=result.error, last_polled_at=now,
            next_poll_at=now + dt.timedelta(minutes=delay))
        logger.warning("Mailbox %s could not be polled: %s", mailbox.pk, result.error)
    else:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            failures=0, last_error="", last_polled_at=now, last_success_at=timezone.now(),
            next_poll_at=None)
    finally:
        if lease:
            Mailbox.objects.filter(pk=mailbox.pk).update(lease_until=None)
    mailbox.refresh_from_db()
    return result


def _fetch(mailbox: Mailbox, result: FetchResult, limit: int | None) -> None:
    with imap.Connection(mailbox) as conn:
        if mailbox.uidvalidity != conn.uidvalidity:
            # A new UIDVALIDITY renumbers the folder: read it again (Message-IDs dedupe).
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=conn.uidvalidity,
                                                         last_uid=0)
            mailbox.uidvalidity, mailbox.last_uid = conn.uidvalidity, 0
        uids = conn.uids_after(mailbox.last_uid)
        if limit is not None:
            uids = uids[:limit]
        for start in range(0, len(uids), BATCH):
            batch = uids[start:start + BATCH]
            sizes = conn.sizes(batch)
            cap = message_limit()
            small = [u for u in batch if sizes.get(u, 0) <= cap]
            for uid in batch:
                if uid not in small:
                    _count(result, keep_failed(mailbox, conn.uidvalidity, uid, None, _(
                        "The message is too large (%(size)s bytes); it was left on the "
                        "server.") % {"size": sizes.get(uid, 0)}))
            for uid, raw in conn.fetch(small):
                outcome = ingest(mailbox, conn.uidvalidity, uid, raw)
                _count(result, outcome)
                if outcome.acknowledge:
                    acknowledge(outcome)
            Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=batch[-1]).update(
                last_uid=batch[-1])
            mailbox.last_uid = max(mailbox.last_uid, batch[-1])


def _count(result: FetchResult, outcome: Outcome) -> None:
    if outcome.result == "created":
        result.created.append(outcome.case_id)
    elif outcome.result == "added":
        result.added.append(outcome.case_id)
    elif outcome.result == "ignored":
        result.ignored += 1
    elif outcome.result == "failed":
        result.failed += 1
    else:
        result.duplicates += 1


# ------------------------------------------------------------------------------ ingest


@dataclass
class Outcome:
    result: str  # created | added | ignored | failed | duplicate
    case_id: int | None = None
    message: MailMessage | None = None
    incoming: parsing.Incoming | None = None
    mailbox: Mailbox | None = None
    acknowledge: bool = False


def ingest(mailbox: Mailbox, uidvalidity: int | None, uid: int | None, raw: bytes) -> Outcome:
    """One message in: a new case, a reply on its case, ignored (machine-sent) or kept raw."""
    try:
        incoming = parsing.parse(raw)
    except parsing.Unreadable as exc:
        return keep_failed(mailbox, uidvalidity, uid, raw, str(exc))
    try:
        with transaction.atomic():
            return _ingest(mailbox, uidvalidity, uid, raw, incoming)
    except IntegrityError as exc:
        if _already_in(mailbox, uidvalidity, uid, incoming.message_id):
            return Outcome("duplicate")
        return keep_failed(mailbox, uidvalidity, uid, raw, str(exc))
    except ValidationError as exc:
        return keep_failed(mailbox, uidvalidity, uid, raw, "; ".join(exc.messages))
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the mailbox
        logger.exception("Mailbox %s message %s could not be ingested", mailbox.pk, uid)
        return keep_failed(mailbox, uidvalidity, uid, raw, f"{type(exc).__name__}: {exc}")


def _already_in(mailbox: Mailbox, uidvalidity: int | None, uid: int | None,
                message_id: str | None) -> bool:
    """Whether the message was taken in before (by this poll's rival or an earlier one)."""
    same = Q(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid) if uid is not None else Q()
    if message_id:
        same = (same | Q(message_id=message_id)) if same else Q(message_id=message_id)
    return bool(same) and MailMessage.objects.filter(same).exists()


def _ingest(mailbox: Mailbox, uidvalidity: int | None, uid: int | None, raw: bytes,
            incoming: parsing.Incoming) -> Outcome:
    row = MailMessage.objects.create(
        mailbox=mailbox, direction=Direction.INBOUND, kind=Kind.MESSAGE, state=State.INGESTED,
        uidvalidity=uidvalidity, uid=uid, message_id=incoming.message_id,
        in_reply_to=incoming.in_reply_to, references=" ".join(incoming.references),
        subject=incoming.subject, from_address=incoming.from_address, to=incoming.to,
        size=len(raw), language=parsing.guess_language(
            f"{incoming.subject}\n{incoming.text}", incoming.language_header))
    reason = incoming.automatic or _own_address(incoming.from_address)
    if reason:
        row.state, row.error = State.IGNORED, reason
        row.save(update_fields=["state", "error"])
        return Outcome("ignored", message=row)
    contact = find_contact(incoming.from_address)
    case, follow_up = find_case(incoming, contact)
    created = case is None
    if created:
        case = _open_case(mailbox, incoming, contact, follow_up)
    elif case.status in REOPEN:
        case = records.update(case, {"status": Status.OPEN}, actor=None, source="email")
    activity = records.create("activities", {
        "kind": "email", "direction": "inbound", "subject": incoming.subject or case.subject,
        "body": incoming.text, "occurred_at": incoming.date, "case_id": case.pk,
        "contact_id": case.contact_id, "account_id": case.account_id,
        "owner_id": case.owner_id}, actor=None, source="email")
    row.case, row.activity = case, activity
    row.save(update_fields=["case", "activity"])
    _keep_attachments(row, case, incoming.attachments)
    return Outcome("created" if created else "added", case.pk, row, incoming, mailbox,
                   acknowledge=created and mailbox.auto_acknowledge)


def _own_address(address: str) -> str:
    ours = {a.lower() for a in Mailbox.objects.exclude(address="").values_list("address",
                                                                               flat=True)}
    ours.add(settings.DEFAULT_FROM_EMAIL.split("<")[-1].strip("> ").lower())
    return _("Sent from one of our own addresses.") if address in ours else ""


def find_contact(address: str) -> Contact | None:
    return Contact.objects.filter(email=address).order_by("id").first()


def find_case(incoming: parsing.Incoming, contact: Contact | None) -> tuple[Case | None, int]:
    """The case a reply belongs to (by threading headers, else by the [#id] token in the
    subject) and, when that case is closed, its id (the reply opens a follow-up case)."""
    case = None
    ids = incoming.thread_ids()
    if ids:
        case_id = (MailMessage.objects.filter(message_id__in=ids, case__isnull=False)
                   .order_by("-id").values_list("case_id", flat=True).first())
        case = Case.objects.filter(pk=case_id).first() if case_id else None
    if case is None:
        token = parsing.CASE_TOKEN.search(incoming.subject)
        candidate = Case.objects.filter(pk=int(token.group(1))).select_related(
            "contact").first() if token else None
        # A token alone is guessable: only the case's own customer may use it.
        if candidate and (candidate.contact is None
                          or candidate.contact.email == incoming.from_address):
            case = candidate
    for _hop in range(5):
        if case is None or not case.merged_into_id:
            break
        case = Case.objects.filter(pk=case.merged_into_id).first()
    if case is not None and case.status == Status.CLOSED:
        return None, case.pk
    return case, 0


def _open_case(mailbox: Mailbox, incoming: parsing.Incoming, contact: Contact | None,
               follow_up: int) -> Case:
    description = incoming.text
    if follow_up:
        description = _("Follow-up to case #%(id)s.") % {"id": follow_up} + "\n\n" + description
    subject = parsing.CASE_TOKEN.sub("", incoming.subject).strip() or _("(no subject)")
    data = {"subject": subject[:300], "description": description, "channel": "email",
            "queue_id": mailbox.queue_id}
    if contact is None:
        # The queue's choice is made first so that the new contact belongs to the agent
        # who gets the case (the queue's manager when cases are picked up by hand).
        queue = Queue.objects.filter(pk=mailbox.queue_id).first() if mailbox.queue_id else None
        assignee = choose_assignee(queue) if queue else None
        if assignee:
            data["assignee_id"] = assignee
        contact = _new_contact(incoming, assignee or (queue.manager_id if queue else None))
    data.update(contact_id=contact.pk, account_id=contact.account_id)
    return records.create("cases", data, actor=None, source="email")


def _new_contact(incoming: parsing.Incoming, owner_id: int | None) -> Contact:
    """An unknown sender becomes a contact."""
    first, _sep, last = incoming.from_name.partition(" ")
    if not first:
        first = incoming.from_address.split("@")[0][:100]
    return records.create("contacts", {
        "first_name": first[:100], "last_name": last[:100], "email": incoming.from_address,
        "preferred_channel": "email", "owner_id": owner_id,
    }, actor=None, source="email")


def _keep_attachments(row: MailMessage, case: Case, parts: list[parsing.Part]) -> None:
    cap = attachment_limit()
    for part in parts:
        attachment = Attachment(message=row, case=case, filename=part.filename,
                                content_type=part.content_type, size=len(part.data))
        if len(part.data) > cap:
            attachment.skipped_reason = _(
                "Larger than the limit of %(limit)s bytes: not kept.") % {"limit": cap}
        else:
            attachment.file.save(f"{case.pk}/{part.filename}", ContentFile(part.data),
                                 save=False)
        attachment.save()


def keep_failed(mailbox: Mailbox, uidvalidity: int | None, uid: int | None, raw: bytes | None,
                error: str) -> Outcome:
    """A message that cannot become a case is kept raw and listed on the mailbox page."""
    try:
        with transaction.atomic():
            row = MailMessage.objects.create(
                mailbox=mailbox, direction=Direction.INBOUND, state=State.FAILED,
                uidvalidity=uidvalidity, uid=uid, error=error[:4000],
                size=len(raw) if raw else 0, subject=_raw_subject(raw))
            if raw is not None:
                row.raw.save(f"{mailbox.pk}/{uidvalidity}-{uid}-{row.pk}.eml", ContentFile(raw),
                             save=True)
    except IntegrityError:
        return Outcome("duplicate")
    logger.warning("Mailbox %s message %s kept unread: %s", mailbox.pk, uid, error)
    return Outcome("failed", message=row)


def _raw_subject(raw: bytes | None) -> str:
    if not raw:
        return ""
    for line in raw[:20000].split(b"\n"):
        if line.lower().startswith(b"subject:"):
            return line[8:].decode("utf-8", "replace").strip()[:300]
    return ""


# ------------------------------------------------------------------------------ sending


class SendFailed(Exception):
    """The mail server did not take the message."""


def case_subject(case: Case, subject: str | None = None) -> str:
    subject = (subject or case.subject).strip()
    token = f"[#{case.pk}]"
    if token not in subject:
        subject = f"{token} {subject}"
    return subject[:300]


def _thread_headers(case: Case) -> dict[str, str]:
    ids = list(MailMessage.objects.filter(case=case, message_id__isnull=False)
               .order_by("created_at", "id").values_list("message_id", "direction"))
    if not ids:
        return {}
    inbound = [m for m, d in ids if d == Direction.INBOUND]
    parent = inbound[-1] if inbound else ids[-1][0]
    chain = [m for m, _d in ids]
    references = [chain[0], *chain[-19:]] if len(chain) > 20 else chain
    return {"In-Reply-To": parent, "References": " ".join(dict.fromkeys(references))}


def _from_address(case: Case) -> str:
    address = (Mailbox.objects.filter(messages__case=case).exclude(address="")
               .order_by("-messages__id").values_list("address", flat=True).first())
    return address or settings.DEFAULT_FROM_EMAIL


def _send(kind: str, case: Case, to: list[str], subject: str, text: str,
          headers: dict[str, str], cc: list[str] | None = None):
    row = sender.prepare(kind, ", ".join(to)[:254], subject, ref_id=case.pk)
    email = sender.build(row, text=text, from_email=_from_address(case), headers=headers)
    email.to, email.cc = list(to), list(cc or [])
    try:
        with sender.Sender(per_minute=0) as smtp:
            smtp.send(email)
    except Exception as exc:  # noqa: BLE001 - any mailer error is reported to the caller
        sender.mark_failed(row, str(exc))
        raise SendFailed(str(exc)) from exc
    sender.mark_sent(row)
    return row


def reply(case: Case, user, *, body: str, to: list[str] | None = None,
          cc: list[str] | None = None, subject: str | None = None) -> MailMessage:
    """An agent's answer to the customer, threaded under the case's messages; recorded on
    the case and the customer's timeline (the first one is the case's first response)."""
    if not body.strip():
        raise ValidationError({"body": [_("Write a message.")]})
    recipients = list(to or [])
    if not recipients:
        email = case.contact.email if case.contact_id and case.contact else ""
        if not email:
            raise ValidationError({"to": [_("The case's contact has no e-mail address: "
                                            "give one.")]})
        recipients = [email]
    subject = case_subject(case, subject)
    headers = _thread_headers(case)
    row = _send("case-reply", case, recipients, subject, body, headers, cc)
    with transaction.atomic():
        activity = records.create("activities", {
            "kind": "email", "direction": "outbound", "subject": subject, "body": body,
            "case_id": case.pk, "contact_id": case.contact_id, "account_id": case.account_id,
            "owner_id": user.pk}, actor=user, source="email")
        return MailMessage.objects.create(
            case=case, activity=activity, direction=Direction.OUTBOUND, kind=Kind.REPLY,
            state=State.SENT, message_id=row.message_id,
            in_reply_to=headers.get("In-Reply-To", ""),
            references=headers.get("References", ""), subject=subject,
            from_address=_from_address(case), to=", ".join(recipients + list(cc or [])),
            sent_by=user)


# The acknowledgement is written in the customer's language, whatever the interface's
# translations hold: both texts live here.
ACK_TEXTS = {
    "en": ("We received your request: {subject}",
           "Hello{name},\n\nThank you for writing to us. Your request has been received with "
           "the number #{id}; we will answer as soon as we can.\n\nTo add anything, reply to "
           "this message and keep the number in the subject.\n\nThis is an automatic message."),
    "es": ("Hemos recibido su solicitud: {subject}",
           "Hola{name}:\n\nGracias por escribirnos. Hemos recibido su solicitud con el número "
           "#{id}; le responderemos lo antes posible.\n\nPara añadir algo, responda a este "
           "mensaje sin quitar el número del asunto.\n\nEste es un mensaje automático."),
}


def ack_text(language: str, case: Case, name: str) -> tuple[str, str]:
    subject, body = ACK_TEXTS.get(language, ACK_TEXTS["en"])
    subject = case_subject(case, subject.format(subject=case.subject))
    return subject, body.format(name=f" {name}" if name else "", id=case.pk)


def acknowledge(outcome: Outcome) -> MailMessage | None:
    """Tell the customer their message became case #id — once per case, in their language,
    marked as automatic so their auto-responder does not answer it."""
    incoming, case_id = outcome.incoming, outcome.case_id
    if incoming is None or case_id is None:
        return None
    case = Case.objects.select_related("contact").get(pk=case_id)
    language = outcome.message.language if outcome.message else "en"
    try:
        with transaction.atomic():
            row = MailMessage.objects.create(
                case=case, direction=Direction.OUTBOUND, kind=Kind.ACK, state=State.SENT,
                message_id=None, to=incoming.from_address, language=language,
                from_address=_from_address(case))
    except IntegrityError:
        return None  # already acknowledged
    name = (case.contact.first_name if case.contact else "") or incoming.from_name
    subject, text = ack_text(language, case, name)
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All",
               "Content-Language": language}
    if incoming.message_id:
        headers["In-Reply-To"] = incoming.message_id
        headers["References"] = " ".join(dict.fromkeys([*incoming.references,
                                                         incoming.message_id]))
    try:
        sent = _send("case-ack", case, [incoming.from_address], subject, text, headers)
    except SendFailed as exc:
        MailMessage.objects.filter(pk=row.pk).update(state=State.SEND_FAILED, subject=subject,
                                                     error=str(exc)[:2000])
        return row
    MailMessage.objects.filter(pk=row.pk).update(
        message_id=sent.message_id, subject=subject, in_reply_to=headers.get("In-Reply-To", ""),
        references=headers.get("References", ""))
    row.refresh_from_db()
    return row


# ------------------------------------------------------------------------------ mailboxes

MAILBOX_FIELDS = ("name", "address", "host", "port", "security", "username", "password",
                  "folder", "queue_id", "active", "auto_acknowledge")


def save_mailbox(mailbox: Mailbox | None, data: dict) -> Mailbox:
    """Create or change a mailbox; an empty or missing password keeps the stored one."""
    mailbox = mailbox or Mailbox()
    unknown = set(data) - set(MAILBOX_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    for key, value in data.items():
        if key == "password" and not value:
            continue
        setattr(mailbox, key, value)
    if mailbox.queue_id is not None and not Queue.objects.filter(pk=mailbox.queue_id).exists():
        raise ValidationError({"queue_id": [_("No such queue.")]})
    if not 1 <= int(mailbox.port or 0) <= 65535:
        raise ValidationError({"port": [_("Give a port between 1 and 65535.")]})
    mailbox.full_clean(exclude=["queue"])
    changed_server = mailbox.pk is not None and any(
        k in data for k in ("host", "port", "username", "folder"))
    if changed_server:
        # Another folder or server: its UIDs mean nothing here (Message-IDs still dedupe).
        mailbox.uidvalidity, mailbox.last_uid = None, 0
    mailbox.updated_at = timezone.now()
    mailbox.next_poll_at = None
    mailbox.save()
    return mailbox
