"""Reads of e-mail to case: a case's messages, a mailbox's problem messages, attachments
the user may download."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from vinculo.platform import access
from vinculo.service.models import Case

from .models import Attachment, Mailbox, MailMessage, State

CASE_MESSAGES = 50


def case_messages(case: Case, limit: int = CASE_MESSAGES) -> list[MailMessage]:
    """The latest messages of a case, oldest first, with their attachments (two queries)."""
    rows = (MailMessage.objects.filter(case=case).select_related("sent_by")
            .prefetch_related(Prefetch("attachments", Attachment.objects.order_by("id")))
            .order_by("-created_at", "-id")[:limit])
    return list(reversed(rows))


def case_panel(request, case: Case) -> dict | None:
    user = request.user
    return {
        "case": case,
        "messages": case_messages(case),
        "can_reply": access.allows(user, case, "change"),
        "default_to": case.contact.email if case.contact_id and case.contact else "",
    }


def visible_attachment(user, attachment_id: int) -> Attachment | None:
    """An attachment of a case the user may see, or None."""
    attachment = Attachment.objects.filter(pk=attachment_id, case__isnull=False).first()
    if attachment is None:
        return None
    cases = access.scope(user, "cases", "view", Case.objects.filter(pk=attachment.case_id))
    return attachment if cases.exists() else None


def mailboxes() -> QuerySet:
    return Mailbox.objects.select_related("queue").annotate(
        problems=Count("messages", filter=Q(messages__state=State.FAILED))).order_by("name", "id")


def problem_messages(mailbox: Mailbox, limit: int = 100) -> list[MailMessage]:
    return list(MailMessage.objects.filter(mailbox=mailbox, state__in=[State.FAILED,
                                                                       State.IGNORED])
                .order_by("-id")[:limit])
