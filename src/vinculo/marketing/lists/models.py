"""Static lists: records picked by hand (or from a segment, a search, an import) that stay
until removed; links that share a list with an outside partner, and their access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import Visibility


class ListEntity(models.TextChoices):
    CONTACTS = "contacts", _("Contacts")
    ACCOUNTS = "accounts", _("Accounts")
    LEADS = "leads", _("Leads")


class MemberSource(models.TextChoices):
    IDS = "ids", _("Selection")
    SEGMENT = "segment", _("Segment")
    FILTER = "filter", _("Filter")
    SEARCH = "search", _("Search")
    IMPORT = "import", _("Import")
    WORKFLOW = "workflow", _("Workflow")


class StaticList(models.Model):
    """A named, fixed set of records of one entity."""

    name = models.CharField(_("name"), max_length=120)
    entity = models.CharField(_("entity"), max_length=20, choices=ListEntity.choices,
                              default=ListEntity.CONTACTS)
    description = models.TextField(_("description"), blank=True, default="")
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PRIVATE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="static_lists", verbose_name=_("owner"))
    team = models.ForeignKey("identity.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("team"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        indexes = [models.Index(fields=["owner", "id"], name="list_owner_idx"),
                   models.Index(fields=["visibility", "id"], name="list_visibility_idx")]

    def __str__(self) -> str:
        return self.name


class ListMember(models.Model):
    """One record in a list (the record's id in the list's entity)."""

    list = models.ForeignKey(StaticList, on_delete=models.CASCADE, related_name="members")
    record_id = models.BigIntegerField()
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=MemberSource.choices,
                              default=MemberSource.IDS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["list", "record_id"],
                                               name="list_member_unique")]
        indexes = [models.Index(fields=["record_id"], name="list_member_record_idx")]


def no_fields() -> list:
    return []


class ShareLink(models.Model):
    """A signed, expiring, revocable read-only link to a list for an outside partner."""

    list = models.ForeignKey(StaticList, on_delete=models.CASCADE, related_name="share_links")
    partner_name = models.CharField(_("partner"), max_length=200)
    partner_email = models.EmailField(_("partner email"), blank=True, default="")
    fields = models.JSONField(_("fields shown"), default=no_fields)
    allow_download = models.BooleanField(_("download allowed"), default=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    nonce = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")


class ShareAccess(models.Model):
    """One view or download through a share link."""

    class Kind(models.TextChoices):
        VIEW = "view", _("View")
        DOWNLOAD = "download", _("Download")

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VIEW)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["link", "at"], name="share_access_link_idx")]
