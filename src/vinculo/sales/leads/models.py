"""Leads: people and companies who may buy, before they are qualified and converted."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vinculo.customers.models import Address, normalized_company_name, normalized_person_name
from vinculo.platform.models import OwnedRecord
from vinculo.platform.validators import to_e164


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
    NEW = "new", pgettext_lazy("status", "New")
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
    # Written by predictive lead scoring for open leads while its model is in use.
    conversion_probability = models.FloatField(_("conversion probability"), null=True,
                                               blank=True, editable=False)
    email_opt_in = models.BooleanField(_("email opt-in"), default=False)
    consent_text = models.CharField(_("consent given"), max_length=500, blank=True, default="",
                                    editable=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True,
                                      editable=False)
    phone_e164 = models.CharField(max_length=20, blank=True, default="", editable=False)
    # The name and the company without accents, case or legal form: duplicate checks.
    name_normalized = models.CharField(max_length=210, blank=True, default="", editable=False)
    company_normalized = models.CharField(max_length=200, blank=True, default="",
                                          editable=False)
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
            models.Index(fields=["name_normalized", "company_normalized"],
                         name="lead_normname_idx"),
            models.Index(fields=["owner", "status", "id"], name="lead_owner_status_idx"),
            models.Index(fields=["status", "id"], name="lead_status_idx"),
            models.Index(fields=["score", "id"], name="lead_score_idx"),
            models.Index(fields=["conversion_probability", "id"], name="lead_probability_idx"),
            models.Index(fields=["created_at", "id"], name="lead_created_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.company or self.email or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.country = (self.country or "").upper()
        self.email = (self.email or "").strip().lower()
        self.name_normalized = normalized_person_name(self.first_name, self.last_name)
        self.company_normalized = normalized_company_name(self.company)
        if not (self.first_name or self.last_name or self.company or self.email):
            errors["last_name"] = [_("Give a name, a company or an email address.")]
        try:
            self.phone_e164 = to_e164(self.phone, self.country)
            self.phone = self.phone_e164
        except ValidationError as exc:
            errors["phone"] = exc.messages
        if self.status == Status.DISQUALIFIED and not self.disqualified_reason:
            errors["disqualified_reason"] = [_("Say why the lead is disqualified.")]
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------- web forms


def new_form_key() -> str:
    import secrets

    return secrets.token_urlsafe(12)


class WebForm(models.Model):
    """An embeddable web-to-lead form: which lead fields it asks for, in English and Spanish,
    what it says after a submission, and who gets the leads it creates."""

    name = models.CharField(_("name"), max_length=120)
    key = models.SlugField(_("public key"), max_length=40, unique=True, default=new_form_key)
    # [{"name": "email" | "custom.<key>", "label_en": "", "label_es": "", "required": bool}]
    fields = models.JSONField(_("fields"), default=list, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True, default="")
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True, default="")
    thank_you_en = models.TextField(_("thank-you text (English)"), blank=True, default="")
    thank_you_es = models.TextField(_("thank-you text (Spanish)"), blank=True, default="")
    redirect_url = models.URLField(_("redirect to after submitting"), max_length=500,
                                   blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("owner of new leads"))
    use_assignment_rules = models.BooleanField(_("use assignment rules"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.WEB)
    consent_text_en = models.CharField(_("consent checkbox text (English)"), max_length=500,
                                       blank=True, default="")
    consent_text_es = models.CharField(_("consent checkbox text (Spanish)"), max_length=500,
                                       blank=True, default="")
    consent_required = models.BooleanField(_("consent required"), default=False)
    active = models.BooleanField(_("active"), default=True)
    submissions = models.PositiveIntegerField(_("submissions"), default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def text(self, name: str, language: str) -> str:
        """A text of the form in a language ("en" or "es"), falling back to English."""
        if (language or "").startswith("es"):
            value = getattr(self, f"{name}_es", "")
            if value:
                return value
        return getattr(self, f"{name}_en", "")


# ---------------------------------------------------------------------------- scoring


class RuleKind(models.TextChoices):
    FIT = "fit", _("Fit")
    ENGAGEMENT = "engagement", _("Engagement")


class EngagementEvent(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    EMAIL_CLICK = "email_click", _("Email click")
    FORM_SUBMISSION = "form_submission", _("Form submission")


class ScoringRule(models.Model):
    """Points for a lead: fit rules match the lead's values with a filter; engagement rules
    count what the lead did (activities, email clicks, form submissions)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices,
                            default=RuleKind.FIT)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    event = models.CharField(_("event"), max_length=20, choices=EngagementEvent.choices,
                             blank=True, default="")
    activity_kind = models.CharField(_("activity kind"), max_length=10, blank=True, default="")
    within_days = models.PositiveIntegerField(_("within the last days"), null=True, blank=True)
    points = models.IntegerField(_("points"), default=10,
                                 validators=[MinValueValidator(-1000), MaxValueValidator(1000)])
    max_points = models.IntegerField(_("at most (points)"), null=True, blank=True,
                                     validators=[MinValueValidator(-100000),
                                                 MaxValueValidator(100000)])
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class LeadEvent(models.Model):
    """Engagement that is not an activity: a web-form submission, a click in an email.
    A log kept by the leads services, read by scoring and the lead's timeline."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EngagementEvent.choices)
    at = models.DateTimeField(default=timezone.now)
    form = models.ForeignKey(WebForm, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="events")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["lead", "kind", "at"], name="leadevent_lead_idx")]
