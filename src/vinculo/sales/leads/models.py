"""Leads: people and companies who may buy, before they are qualified and converted."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.customers.models import Address
from vinculo.platform.models import OwnedRecord


class Source(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social media")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class Lead(OwnedRecord, Address):
    first_name = models.CharField(_("first name"), max_length=100, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=100, blank=True, default="")
    company = models.CharField(_("company"), max_length=200, blank=True, default="")
    title = models.CharField(_("job title"), max_length=120, blank=True, default="")
    email = models.EmailField(_("email"), max_length=254, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    website = models.URLField(_("website"), max_length=300, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=100, blank=True, default="")
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.OTHER)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.NEW)
    disqualified_reason = models.CharField(_("disqualification reason"), max_length=200,
                                           blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    score = models.IntegerField(_("score"), default=0,
                                validators=[MinValueValidator(-100000), MaxValueValidator(100000)])
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True,
                                     editable=False)
    email_opt_in = models.BooleanField(_("email opt-in"), default=False)
    consent_text = models.CharField(_("consent given"), max_length=500, blank=True, default="",
                                    editable=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True,
                                      editable=False)
    phone_e164 = models.CharField(max_length=20, blank=True, default="", editable=False)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True, editable=False)
    converted_contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="converted_leads", editable=False, verbose_name=_("converted contact"))
    converted_account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="converted_leads", editable=False, verbose_name=_("converted account"))
    converted_opportunity = models.ForeignKey(
        "pipeline.Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="converted_leads", editable=False,
        verbose_name=_("converted opportunity"))

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="lead_name_idx"),
            models.Index(fields=["email"], name="lead_email_idx"),
            models.Index(fields=["phone_e164"], name="lead_phone_idx"),
            models.Index(fields=["owner", "status", "id"], name="lead_owner_status_idx"),
            models.Index(fields=["status", "id"], name="lead_status_idx"),
            models.Index(fields=["score", "id"], name="lead_score_idx"),
            models.Index(fields=["created_at", "id"], name="lead_created_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.company or self.email or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
