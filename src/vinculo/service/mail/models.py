"""E-mail to case: mailboxes polled over IMAP, every message in and out of a case, and the
attachments kept from them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.encryption import EncryptedTextField


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (plain text)")


class Mailbox(models.Model):
    """An IMAP folder whose new messages become cases (or replies on cases)."""

    name = models.CharField(_("name"), max_length=120)
    address = models.EmailField(_("support address"), max_length=254, blank=True, default="",
                                help_text=_("Replies and acknowledgements are sent from it."))
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices,
                                default=Security.SSL)
    username = models.CharField(_("username"), max_length=255)
    password = EncryptedTextField(_("password"), max_length=255, blank=True, default="")
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    queue = models.ForeignKey("service.Queue", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("queue"))
    active = models.BooleanField(_("active"), default=True)
    auto_acknowledge = models.BooleanField(_("send an acknowledgement"), default=True)
    # Where the poll stands: messages up to last_uid of this UIDVALIDITY are ingested.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    # One poller at a time: a lease taken with a conditional UPDATE.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True,
                                           editable=False)
    last_error = models.TextField(_("last error"), blank=True, default="", editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class State(models.TextChoices):
    INGESTED = "ingested", _("Added to a case")
    IGNORED = "ignored", _("Ignored (automatic or bulk mail)")
    FAILED = "failed", _("Could not be read")
    SENT = "sent", _("Sent")
    SEND_FAILED = "send_failed", _("Sending failed")


class Kind(models.TextChoices):
    MESSAGE = "message", _("Message")
    REPLY = "reply", _("Agent reply")
    ACK = "ack", _("Acknowledgement")


class MailMessage(models.Model):
    """One e-mail in or out of a case, with its threading headers. Inbound rows also claim
    their IMAP position (mailbox, UIDVALIDITY, UID) so each is ingested exactly once."""

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="messages")
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="mail_messages")
    activity = models.ForeignKey("activities.Activity", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    state = models.CharField(max_length=12, choices=State.choices)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=250, null=True, blank=True)
    in_reply_to = models.CharField(max_length=250, blank=True, default="")
    references = models.TextField(blank=True, default="")
    subject = models.CharField(max_length=300, blank=True, default="")
    from_address = models.CharField(max_length=254, blank=True, default="")
    to = models.TextField(blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    raw = models.FileField(upload_to="service_mail/raw/", null=True, blank=True, max_length=300)
    sent_by = models.ForeignKey("identity.User", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"],
                                    condition=Q(uid__isnull=False), name="mail_imap_once"),
            models.UniqueConstraint(fields=["message_id"], condition=Q(message_id__isnull=False),
                                    name="mail_message_id_once"),
            models.UniqueConstraint(fields=["case"], condition=Q(kind="ack"),
                                    name="mail_one_ack_per_case"),
        ]
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="mail_case_idx"),
            models.Index(fields=["mailbox", "state", "id"], name="mail_mailbox_state_idx"),
        ]

    def __str__(self) -> str:
        return self.message_id or f"#{self.pk}"


class Attachment(models.Model):
    """A file from a message; one over the size cap is recorded as skipped (no file)."""

    message = models.ForeignKey(MailMessage, on_delete=models.CASCADE, related_name="attachments")
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="mail_attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    file = models.FileField(upload_to="service_mail/attachments/", null=True, blank=True,
                            max_length=400)
    skipped_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "id"], name="mail_attachment_case_idx")]

    def __str__(self) -> str:
        return self.filename
