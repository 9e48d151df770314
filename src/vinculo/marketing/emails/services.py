"""Writes of e-mail campaigns: audience, scheduling, sending (resumable, never twice),
tracking callbacks, unsubscribe and bounces."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import smtplib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _

from vinculo.channels import sender as outbound
from vinculo.channels import tracking
from vinculo.channels.models import MessageStatus, OutboundMessage
from vinculo.platform import records

from . import placeholders
from .models import (
    CampaignStatus,
    EmailCampaign,
    EmailTemplate,
    Recipient,
    RecipientStatus,
)

KIND = "email-campaign"
CHUNK = 100
TEMPLATE_FIELDS = ("subject_en", "subject_es", "html_en", "html_es", "text_en", "text_es")
HREF = re.compile(r'href\s*=\s*"(https?://[^"]+)"', re.I)


# ---------------------------------------------------------------------------- templates


def check_template(data: dict[str, Any]) -> None:
    """422 naming each field with an unknown or malformed placeholder."""
    errors: dict[str, list[str]] = {}
    for field in TEMPLATE_FIELDS:
        bad = placeholders.problems(data.get(field) or "")
        if bad:
            errors[field] = [_("Unknown or malformed placeholder: %(names)s. Known fields: "
                               "%(known)s.") % {"names": ", ".join(bad),
                                                 "known": ", ".join(placeholders.FIELDS)}]
    for field in ("subject_en", "subject_es"):
        if "\n" in (data.get(field) or "") or "\r" in (data.get(field) or ""):
            errors.setdefault(field, []).append(_("A subject is one line."))
    if errors:
        raise ValidationError(errors)


def content(template: EmailTemplate, language: str) -> tuple[str, str, str]:
    """(subject, html, text) in `language`, falling back to the other language when empty."""
    other = "es" if language == "en" else "en"

    def pick(kind: str) -> str:
        return getattr(template, f"{kind}_{language}") or getattr(template, f"{kind}_{other}")

    return pick("subject"), pick("html"), pick("text")


def render(template: EmailTemplate, language: str, contact: Any | None) -> dict[str, str]:
    """Personalised subject, HTML and text for a contact (None: every fallback applies)."""
    values = placeholders.values_for(contact) if contact is not None else {}
    subject, html, text = content(template, language)
    subject = " ".join(placeholders.render(subject, values).split())[:300]
    html = placeholders.render(html, values, html=True)
    text = placeholders.render(text, values) if text else _text_from_html(html)
    return {"subject": subject, "html": html, "text": text}


def _text_from_html(html: str) -> str:
    return html_lib.unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>", "\n", html))).strip()


# ---------------------------------------------------------------------------- audience


def source_of(ec: EmailCampaign) -> tuple[Any, Any]:
    """The segment and list the campaign sends to (its own, else its marketing campaign's)."""
    segment, static_list = ec.segment, ec.list
    if segment is None and static_list is None and ec.campaign_id:
        segment, static_list = ec.campaign.segment, ec.campaign.list
    return segment, static_list


def consent_q() -> Q:
    return Q(email_opt_in=True, do_not_contact=False) & ~Q(email="")


def audience(user: Any, ec: EmailCampaign) -> tuple[QuerySet, int]:
    """The contacts `user` may see in the campaign's segment or list who may receive e-mail,
    and how many were left out for lack of consent or address."""
    from vinculo.customers.models import Contact
    from vinculo.marketing.lists.models import ListMember
    from vinculo.marketing.segments import selectors as segments
    from vinculo.platform.crud import visible

    segment, static_list = source_of(ec)
    if segment is None and static_list is None:
        raise ValidationError({"segment_id": [_("Choose a segment or a list to send to.")]})
    base = Contact.objects.none()
    if segment is not None:
        if segment.entity != "contacts":
            raise ValidationError({"segment_id": [_("The segment must be of contacts.")]})
        base = segments.members(user, segment)
    if static_list is not None:
        if static_list.entity != "contacts":
            raise ValidationError({"list_id": [_("The list must be of contacts.")]})
        ids = ListMember.objects.filter(list=static_list).values("record_id")
        in_list = visible(user, "contacts").filter(pk__in=ids)
        base = in_list if segment is None else visible(user, "contacts").filter(
            Q(pk__in=base.values("pk")) | Q(pk__in=ids))
    total = base.count()
    kept = base.filter(consent_q())
    return kept, total - kept.count()


# ---------------------------------------------------------------------------- scheduling


def _lock(ec: EmailCampaign) -> EmailCampaign:
    return EmailCampaign.objects.select_for_update().get(pk=ec.pk)


def schedule(ec: EmailCampaign, *, actor: Any, at: dt.datetime | None = None) -> EmailCampaign:
    """Fix the recipients now (consent applied) and send at `at` (now when None)."""
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({"at": [_("Give a time zone (e.g. 2030-01-01T09:00:00Z).")]})
    with transaction.atomic():
        ec = _lock(ec)
        if ec.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
            raise ValidationError({"status": [_("Only a draft or scheduled campaign can be "
                                                "scheduled; this one is %(s)s.")
                                              % {"s": ec.get_status_display()}]})
        check_template({f: getattr(ec.template, f) for f in TEMPLATE_FIELDS})
        contacts, excluded = audience(actor, ec)
        rows = [Recipient(campaign=ec, contact_id=pk, email=email)
                for pk, email in contacts.values_list("pk", "email").iterator()]
        Recipient.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        records.update(ec, {"status": CampaignStatus.SCHEDULED, "scheduled_at": at,
                            "excluded_count": excluded}, actor=actor, source="schedule")
    if at <= timezone.now():
        from .tasks import send_campaign_task

        transaction.on_commit(lambda: send_campaign_task.enqueue(ec.pk))
    return EmailCampaign.objects.get(pk=ec.pk)


def cancel(ec: EmailCampaign, *, actor: Any) -> EmailCampaign:
    """Stop a scheduled or sending campaign; queued recipients are not sent."""
    with transaction.atomic():
        ec = _lock(ec)
        if ec.status in (CampaignStatus.SENT, CampaignStatus.CANCELLED):
            raise ValidationError({"status": [_("This campaign is already %(s)s.")
                                              % {"s": ec.get_status_display()}]})
        records.update(ec, {"status": CampaignStatus.CANCELLED}, actor=actor, source="cancel")
    return EmailCampaign.objects.get(pk=ec.pk)


def send_due(now: dt.datetime | None = None, *, stalled_after: dt.timedelta =
             dt.timedelta(minutes=10)) -> int:
    """Queue the sending of every scheduled campaign whose time has come, and resume the
    ones whose worker stopped (no claim for `stalled_after`). Run by the scheduler."""
    from django.db.models import Max

    from .tasks import send_campaign_task

    now = now or timezone.now()
    due = list(EmailCampaign.objects.filter(status=CampaignStatus.SCHEDULED,
                                            scheduled_at__lte=now)
               .values_list("pk", flat=True))
    for pk, last in (EmailCampaign.objects.filter(status=CampaignStatus.SENDING)
                     .annotate(last=Max("recipients__claimed_at"))
                     .values_list("pk", "last")):
        if Recipient.objects.filter(campaign_id=pk, status=RecipientStatus.QUEUED).exists() \
                and (last is None or last < now - stalled_after):
            due.append(pk)
    for pk in due:
        send_campaign_task.enqueue(pk)
    return len(due)


# ---------------------------------------------------------------------------- sending


def _claim(ec_id: int, size: int) -> list[Recipient]:
    """Mark up to `size` queued recipients `sending` and return them. A row claimed here is
    never claimed again: after a crash it stays `sending` and is reported, not resent."""
    stamp = timezone.now()
    with transaction.atomic():
        qs = Recipient.objects.filter(campaign_id=ec_id, status=RecipientStatus.QUEUED)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return []
        Recipient.objects.filter(pk__in=ids, status=RecipientStatus.QUEUED).update(
            status=RecipientStatus.SENDING, claimed_at=stamp)
        claimed = list(Recipient.objects.filter(pk__in=ids, status=RecipientStatus.SENDING,
                                                claimed_at=stamp)
                       .select_related("contact", "contact__account").order_by("pk"))
        messages = [OutboundMessage(kind=KIND, ref_id=r.pk, to=r.email,
                                    message_id=outbound.new_message_id(),
                                    status=MessageStatus.SENDING) for r in claimed]
        OutboundMessage.objects.bulk_create(messages)
        if any(m.pk is None for m in messages):  # backends that return no ids
            by_ref = dict(OutboundMessage.objects.filter(
                kind=KIND, ref_id__in=[r.pk for r in claimed]).values_list("ref_id", "pk"))
            for m in messages:
                m.pk = by_ref[m.ref_id]
        for r, m in zip(claimed, messages, strict=True):
            r.message = m
        Recipient.objects.bulk_update(claimed, ["message"])
    return claimed


def personalised(ec: EmailCampaign, recipient: Recipient, message: OutboundMessage
                 ) -> dict[str, str]:
    """The message for one recipient: placeholders, tracked links, open pixel, unsubscribe."""
    parts = render(ec.template, ec.language, recipient.contact)
    unsubscribe = outbound.unsubscribe_url(message.pk)
    def tracked(match: re.Match) -> str:
        return f'href="{escape(outbound.click_url(message.pk, html_lib.unescape(match[1])))}"'

    html = HREF.sub(tracked, parts["html"])
    with translation.override(ec.language):
        label = _("Unsubscribe")
        footer_text = _("To stop receiving these e-mails: %(url)s") % {"url": unsubscribe}
    if html:
        html += (f'<p style="font-size:small"><a href="{escape(unsubscribe)}">{escape(label)}'
                 f'</a></p><img src="{escape(outbound.open_url(message.pk))}" width="1" '
                 f'height="1" alt="">')
    return {"subject": parts["subject"], "html": html,
            "text": parts["text"] + "\n\n-- \n" + footer_text}


def _mirror(ec_id: int, contact_ids: list[int], status: str) -> None:
    """Mirror statuses to the marketing campaign's members when there is one."""
    campaign_id = EmailCampaign.objects.filter(pk=ec_id).values_list("campaign_id",
                                                                     flat=True).first()
    if not campaign_id or not contact_ids:
        return
    from vinculo.marketing.campaigns import services as campaigns

    for contact_id in contact_ids:
        campaigns.record_response(campaign_id, contact_id, status, kind="email")


def _flush(ec_id: int, sent: list[Recipient], failed: list[tuple[Recipient, str]]) -> None:
    now = timezone.now()
    if sent:
        Recipient.objects.filter(pk__in=[r.pk for r in sent],
                                 status=RecipientStatus.SENDING).update(
            status=RecipientStatus.SENT, sent_at=now)
        OutboundMessage.objects.filter(pk__in=[r.message_id for r in sent]).update(
            status=MessageStatus.SENT, sent_at=now)
        _mirror(ec_id, [r.contact_id for r in sent], "sent")
    for r, error in failed:
        Recipient.objects.filter(pk=r.pk).update(status=RecipientStatus.FAILED,
                                                 error=error[:2000])
        OutboundMessage.objects.filter(pk=r.message_id).update(status=MessageStatus.FAILED,
                                                               error=error[:2000])


def send_campaign(ec_id: int, *, chunk: int = CHUNK, per_minute: float | None = None,
                  mailer: str = "default") -> dict[str, int]:
    """Send the queued recipients of a due campaign in chunks. Safe to run again after a
    crash and by several workers at once: each recipient is claimed once."""
    with transaction.atomic():
        ec = EmailCampaign.objects.select_for_update().filter(pk=ec_id).first()
        if ec is None or ec.status not in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
            return {"sent": 0, "failed": 0}
        if ec.status == CampaignStatus.SCHEDULED:
            EmailCampaign.objects.filter(pk=ec.pk).update(status=CampaignStatus.SENDING,
                                                          started_at=timezone.now())
    ec = EmailCampaign.objects.select_related("template").get(pk=ec_id)
    from_email = ec.from_email or None
    totals = {"sent": 0, "failed": 0}
    with outbound.Sender(mailer, per_minute=per_minute) as sender:
        while True:
            if EmailCampaign.objects.filter(pk=ec_id, status=CampaignStatus.CANCELLED).exists():
                return totals
            claimed = _claim(ec_id, chunk)
            if not claimed:
                break
            sent: list[Recipient] = []
            failed: list[tuple[Recipient, str]] = []
            for recipient in claimed:
                message = recipient.message
                parts = personalised(ec, recipient, message)
                message.subject = parts["subject"]
                email = outbound.build(message, text=parts["text"], html=parts["html"] or None,
                                       from_email=from_email,
                                       headers=outbound.unsubscribe_headers(message.pk))
                try:
                    sender.send(email)
                except smtplib.SMTPRecipientsRefused as exc:
                    failed.append((recipient, str(exc)))
                    continue
                except Exception:
                    _flush(ec_id, sent, failed)  # what went out is recorded; the rest waits
                    raise
                sent.append(recipient)
            _flush(ec_id, sent, failed)
            totals["sent"] += len(sent)
            totals["failed"] += len(failed)
    EmailCampaign.objects.filter(pk=ec_id, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.SENT, finished_at=timezone.now())
    return totals


# ---------------------------------------------------------------------------- test send


def test_send(ec_or_template: EmailCampaign | EmailTemplate, to: list[str], *,
              contact: Any = None, language: str | None = None) -> list[str]:
    """Send the personalised message to `to` (marked as a test; links not tracked)."""
    if isinstance(ec_or_template, EmailCampaign):
        template, language = ec_or_template.template, language or ec_or_template.language
    else:
        template, language = ec_or_template, language or "en"
    parts = render(template, language, contact)
    ids = []
    for address in to:
        row = outbound.send_one("email-test", address, "[TEST] " + parts["subject"],
                                text=parts["text"], html=parts["html"] or None)
        ids.append(row.message_id)
    return ids


# ---------------------------------------------------------------------------- stats


def stats(ec: EmailCampaign) -> dict[str, Any]:
    counts = dict(Recipient.objects.filter(campaign=ec).values_list("status")
                  .annotate(n=Count("pk")).values_list("status", "n"))
    out = {status: counts.get(status, 0) for status in RecipientStatus.values}
    qs = Recipient.objects.filter(campaign=ec)
    out.update({
        "recipients": sum(counts.values()),
        "excluded": ec.excluded_count,
        "delivered": qs.filter(sent_at__isnull=False, bounced_at__isnull=True).count(),
        "opens": qs.filter(opened_at__isnull=False).count(),
        "clicks": qs.filter(clicked_at__isnull=False).count(),
        "unsubscribes": qs.filter(unsubscribed_at__isnull=False).count(),
        "bounces": qs.filter(bounced_at__isnull=False).count(),
        # Claimed but not confirmed sent (a crash in between): not resent automatically.
        "unknown": counts.get(RecipientStatus.SENDING, 0)
        if ec.status in (CampaignStatus.SENT, CampaignStatus.CANCELLED) else 0,
    })
    return out


# ---------------------------------------------------------------------------- tracking


ORDER = [RecipientStatus.SENT, RecipientStatus.OPENED, RecipientStatus.CLICKED]


def _advance(recipient_id: int, status: str, stamp_field: str) -> Recipient | None:
    recipient = Recipient.objects.select_for_update().filter(pk=recipient_id).first()
    if recipient is None:
        return None
    now = timezone.now()
    fields = []
    if getattr(recipient, stamp_field) is None:
        setattr(recipient, stamp_field, now)
        fields.append(stamp_field)
    if stamp_field == "clicked_at" and recipient.opened_at is None:
        recipient.opened_at = now
        fields.append("opened_at")
    if recipient.status in ORDER and ORDER.index(status) > ORDER.index(recipient.status):
        recipient.status = status
        fields.append("status")
    if fields:
        recipient.save(update_fields=fields)
    return recipient


class CampaignTracking:
    """Tracking callbacks for messages of kind "email-campaign" (ref_id: the recipient)."""

    def opened(self, message: OutboundMessage) -> None:
        r = _advance(message.ref_id, RecipientStatus.OPENED, "opened_at")
        if r:
            _mirror(r.campaign_id, [r.contact_id], "opened")

    def clicked(self, message: OutboundMessage, url: str) -> None:
        r = _advance(message.ref_id, RecipientStatus.CLICKED, "clicked_at")
        if r:
            _mirror(r.campaign_id, [r.contact_id], "clicked")

    def unsubscribe(self, message: OutboundMessage) -> bool:
        from vinculo.customers.models import Contact

        recipient = Recipient.objects.select_for_update().filter(pk=message.ref_id).first()
        if recipient is None:
            return False
        contact = Contact.objects.select_for_update().filter(pk=recipient.contact_id).first()
        if contact is None or not contact.email_opt_in:
            return False
        records.update(contact, {"email_opt_in": False,
                                 "email_opt_in_source": "unsubscribe"[:120]},
                       actor=None, source="unsubscribe")
        recipient.status = RecipientStatus.UNSUBSCRIBED
        recipient.unsubscribed_at = timezone.now()
        recipient.save(update_fields=["status", "unsubscribed_at"])
        _mirror(recipient.campaign_id, [recipient.contact_id], "unsubscribed")
        return True

    def bounced(self, message: OutboundMessage, reason: str) -> None:
        recipient = Recipient.objects.select_for_update().filter(pk=message.ref_id).first()
        if recipient is None:
            return
        recipient.status = RecipientStatus.BOUNCED
        recipient.bounced_at = timezone.now()
        recipient.error = reason[:2000]
        recipient.save(update_fields=["status", "bounced_at", "error"])
        _mirror(recipient.campaign_id, [recipient.contact_id], "bounced")


tracking.register(KIND, CampaignTracking())
