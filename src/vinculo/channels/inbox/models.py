"""The unified inbox: conversations on every channel, SMS/social adapters, phone."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.encryption import EncryptedTextField
from vinculo.platform.models import OwnedRecord, Tag


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("Messaging")
    SOCIAL = "social", _("Social")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")


# The timeline kind of each channel's messages.
ACTIVITY_KIND = {"sms": "sms", "whatsapp": "chat", "social": "social", "chat": "chat",
                 "email": "email", "web": "note", "phone": "call"}


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on the customer")
    CLOSED = "closed", _("Closed")


class Provider(models.TextChoices):
    TWILIO = "twilio", _("Twilio-compatible (SMS and voice)")
    JSON = "json", _("Generic JSON webhook")
    EMAIL = "email", _("E-mail (the configured mail server)")


def new_key() -> str:
    return secrets.token_urlsafe(18)


class ChannelAccount(models.Model):
    """One provider account of one channel: where inbound webhooks arrive (by `key`) and how
    replies are sent. `secret` (the auth token or signing secret) is never shown again."""

    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.SMS)
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices,
                                default=Provider.TWILIO)
    address = models.CharField(_("our number or handle"), max_length=120, blank=True,
                               default="", help_text=_("The From of replies (E.164 for SMS)."))
    account_sid = models.CharField(_("account SID"), max_length=120, blank=True, default="")
    secret = EncryptedTextField(_("auth token or signing secret"), max_length=200, blank=True,
                                default="")
    api_base_url = models.URLField(_("provider API base URL"), blank=True, default="",
                                   help_text=_("Twilio: https://api.twilio.com; JSON: the URL "
                                               "replies are POSTed to."))
    public_base_url = models.URLField(
        _("public base URL of Vínculo"), blank=True, default="",
        help_text=_("As the provider sees it (signatures cover the full URL); empty: this "
                    "request's address."))
    queue = models.ForeignKey("service.Queue", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("queue"))
    key = models.CharField(max_length=40, unique=True, default=new_key, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Conversation(OwnedRecord):
    """A thread with one customer on one channel (per provider thread id or address).
    The owner follows the assignee, so record access gives agents their conversations."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    account = models.ForeignKey(ChannelAccount, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="conversations", verbose_name=_("channel account"))
    thread_key = models.CharField(_("thread"), max_length=200, blank=True, default="")
    address = models.CharField(_("customer address"), max_length=200, blank=True, default="",
                               help_text=_("E.164 number, e-mail address or handle."))
    network = models.CharField(_("network"), max_length=40, blank=True, default="")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="conversations",
                                verbose_name=_("contact"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("assignee"))
    queue = models.ForeignKey("service.Queue", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="conversations", verbose_name=_("queue"))
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("lead"))
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("case"))
    opportunity = models.ForeignKey("pipeline.Opportunity", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("opportunity"))
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now,
                                           editable=False)
    last_message_preview = models.CharField(max_length=160, blank=True, default="",
                                            editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["last_message_at", "id"], name="conv_recent_idx"),
            models.Index(fields=["status", "last_message_at", "id"], name="conv_status_idx"),
            models.Index(fields=["assignee", "status", "last_message_at", "id"],
                         name="conv_assignee_idx"),
            models.Index(fields=["owner", "last_message_at", "id"], name="conv_owner_idx"),
            models.Index(fields=["queue", "status", "last_message_at"], name="conv_queue_idx"),
            models.Index(fields=["account", "thread_key"], name="conv_thread_idx"),
            models.Index(fields=["contact", "last_message_at"], name="conv_contact_idx"),
            models.Index(fields=["address"], name="conv_address_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.address or f"#{self.pk}"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Delivery(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    UNDELIVERED = "undelivered", _("Undelivered")
    READ = "read", _("Read")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    body = models.TextField(blank=True, default="")
    external_id = models.CharField(max_length=200, blank=True, default="")
    delivery_status = models.CharField(max_length=12, choices=Delivery.choices,
                                       default=Delivery.RECEIVED)
    error = models.CharField(max_length=300, blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    activity = models.ForeignKey("activities.Activity", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="msg_thread_idx"),
            models.Index(fields=["external_id"], name="msg_external_idx",
                         condition=~Q(external_id="")),
        ]


class ContactHandle(models.Model):
    """A contact's handle on a social network or messaging app (matched on inbound)."""

    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="handles")
    network = models.CharField(_("network"), max_length=40)
    handle = models.CharField(_("handle"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "handle"],
                                               name="contact_handle_uniq")]


class SmsOptOut(models.Model):
    """A number that asked for no more SMS (STOP/BAJA); consulted before every SMS send."""

    number = models.CharField(max_length=20, unique=True)
    keyword = models.CharField(max_length=20, blank=True, default="")
    opted_out_at = models.DateTimeField(default=timezone.now)
    account = models.ForeignKey(ChannelAccount, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")


class WebhookReceipt(models.Model):
    """Each accepted webhook's nonce (event id, message SID + status): a replay collides."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=200)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "nonce"],
                                               name="webhook_receipt_once")]
        indexes = [models.Index(fields=["received_at"], name="webhook_receipt_age_idx")]


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class SocialMention(models.Model):
    network = models.CharField(max_length=40)
    handle = models.CharField(max_length=120)
    text = models.TextField()
    url = models.URLField(max_length=500, blank=True, default="")
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices,
                                 default=Sentiment.NEUTRAL)
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="social_mentions")
    activity = models.ForeignKey("activities.Activity", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["contact", "created_at"], name="mention_contact_idx"),
                   models.Index(fields=["sentiment", "created_at"], name="mention_sent_idx")]


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    NO_ANSWER = "no-answer", _("No answer")
    BUSY = "busy", _("Busy")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


MISSED_STATUSES = ("no-answer", "busy", "failed", "canceled")
ENDED_STATUSES = ("completed", *MISSED_STATUSES)


class Call(models.Model):
    """A provider call (by its SID): rings for the assignee or the queue's members (the screen
    pop), then becomes a call activity (completed) or a task (missed)."""

    account = models.ForeignKey(ChannelAccount, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    call_sid = models.CharField(max_length=120, unique=True)
    from_number = models.CharField(max_length=40)
    to_number = models.CharField(max_length=40, blank=True, default="")
    direction = models.CharField(max_length=20, blank=True, default="inbound")
    status = models.CharField(max_length=12, choices=CallStatus.choices,
                              default=CallStatus.RINGING)
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    queue = models.ForeignKey("service.Queue", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    activity = models.ForeignKey("activities.Activity", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "started_at"], name="call_ringing_idx",
                                condition=Q(status__in=["ringing", "in-progress"]))]
