"""Contacts and calendars on devices: CardDAV and CalDAV (contract §9).

App passwords for the devices, the names and UIDs devices gave to records they created, the
meeting details iCalendar carries that an activity has no column for (location, attendees,
the invitation sequence), and each user's choice of address book.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppPassword(models.Model):
    """A password for one device or program, used only for CardDAV/CalDAV (HTTP Basic)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="app_passwords")
    label = models.CharField(_("label"), max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=8, editable=False)
    password = models.CharField(max_length=200, editable=False)  # a Django password hash
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("app password")
        verbose_name_plural = _("app passwords")
        indexes = [models.Index(fields=["user", "prefix"], name="dav_apppw_user_prefix_idx")]

    def __str__(self) -> str:
        return self.label or self.prefix


class Resource(models.Model):
    """The UID and file name a device gave a record it created, kept so it stays stable.

    Records made in the CRM have none: their name is `c-<id>.vcf` / `a-<id>.ics` and their
    UID `vinculo-contact-<id>` / `vinculo-activity-<id>`."""

    entity = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    uid = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    # ORG of a card that names no account the user can see: kept, not turned into an account.
    organization = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "record_id"],
                                               name="dav_resource_record_uniq")]
        indexes = [models.Index(fields=["entity", "name"], name="dav_resource_name_idx"),
                   models.Index(fields=["entity", "uid"], name="dav_resource_uid_idx")]

    def __str__(self) -> str:
        return self.name


class MeetingDetails(models.Model):
    """What iCalendar says about a meeting beyond the activity's columns."""

    activity = models.OneToOneField("activities.Activity", on_delete=models.CASCADE,
                                    related_name="dav_details")
    location = models.CharField(_("location"), max_length=300, blank=True, default="")
    # [{"email": "ana@example.com", "name": "Ana"}], without the organizer.
    attendees = models.JSONField(_("attendees"), default=list, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    # The addresses that received the last invitation (they get the cancellation).
    invited = models.JSONField(default=list, blank=True)
    # What the last invitation said, to send a new one only when something that matters changed.
    invited_fingerprint = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.activity_id}"


class Preference(models.Model):
    """A user's address book: all the contacts they may see, or one saved view of them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="dav_preference")
    contacts_view = models.ForeignKey("platform.SavedView", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("address book view"))

    def __str__(self) -> str:
        return f"{self.user_id}"
