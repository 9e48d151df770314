"""Live chat: the widgets websites embed, visitors' chat sessions, and agents' availability.

A chat is an inbox conversation on the `chat` channel (`inbox.Conversation`); this module adds
what the website side needs: the widget a snippet points at (by its public `key`), the
visitor's session (a secret token kept by the visitor's browser), and which agents are
available to take chats.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_key() -> str:
    return secrets.token_urlsafe(12)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class OfflineAction(models.TextChoices):
    LEAD = "lead", _("Open a lead")
    CASE = "case", _("Open a case")


class Widget(models.Model):
    """One chat window for one or more websites: who answers, and what it says."""

    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(max_length=40, unique=True, default=new_key, editable=False)
    queue = models.ForeignKey("service.Queue", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("queue"),
                              help_text=_("Its members answer the chats; empty: every agent "
                                          "who is available."))
    account = models.OneToOneField("inbox.ChannelAccount", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="chat_widget",
                                   editable=False)
    allowed_origins = models.TextField(
        _("allowed websites"), blank=True, default="",
        help_text=_("One origin per line, like https://www.example.com. Empty: any website."))
    title_en = models.CharField(_("title (English)"), max_length=80, default="Chat with us")
    title_es = models.CharField(_("title (Spanish)"), max_length=80, default="Habla con nosotros")
    greeting_en = models.CharField(_("greeting (English)"), max_length=300,
                                   default="Hi! How can we help?")
    greeting_es = models.CharField(_("greeting (Spanish)"), max_length=300,
                                   default="¡Hola! ¿En qué podemos ayudarte?")
    offline_action = models.CharField(_("when nobody is available"), max_length=10,
                                      choices=OfflineAction.choices, default=OfflineAction.LEAD)
    color = models.CharField(_("colour"), max_length=7, default="#2563eb")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("chat widget")
        verbose_name_plural = _("chat widgets")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def origins(self) -> list[str]:
        return [line.strip().rstrip("/").lower() for line in self.allowed_origins.splitlines()
                if line.strip()]

    def allows_origin(self, origin: str | None) -> bool:
        allowed = self.origins()
        if not allowed:
            return True
        return bool(origin) and origin.rstrip("/").lower() in allowed


class Session(models.Model):
    """A visitor's chat: the secret token their browser keeps, and the conversation."""

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="sessions")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="chat_sessions")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    name = models.CharField(max_length=120, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    language = models.CharField(max_length=5, default="en")
    page_url = models.URLField(max_length=500, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "created_at"], name="chat_session_ip_idx")]


class Presence(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")


class Availability(models.Model):
    """An agent's chat availability; counted only while their pages keep it fresh."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="chat_availability")
    status = models.CharField(max_length=10, choices=Presence.choices, default=Presence.AWAY)
    seen_at = models.DateTimeField(default=timezone.now)
    max_chats = models.PositiveSmallIntegerField(_("chats at once"), default=5)
