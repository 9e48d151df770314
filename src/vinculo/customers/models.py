"""Accounts (companies) and contacts (people): the one customer record everyone shares."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import OwnedRecord, Tag
from vinculo.platform.search import normalise
from vinculo.platform.validators import to_e164, validate_country

WORD = re.compile(r"\w+", re.UNICODE)
# Legal forms dropped from the end of a company name before comparing names ("Acme, S.L.").
LEGAL_FORMS = frozenset({
    "sl", "slu", "sll", "sa", "sau", "scp", "sc", "cb", "cv", "de", "srl", "sas",
    "sarl", "spa", "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc",
    "gmbh", "ag", "kg", "bv", "nv", "oy", "ab", "lda", "corp", "corporation", "co",
    "company", "cia",
})


def normalized_person_name(first_name: str, last_name: str) -> str:
    """The words of a full name, without accents or case, in a fixed order ("garcia jose")."""
    return " ".join(sorted(WORD.findall(normalise(f"{first_name} {last_name}"))))[:210]


def normalized_company_name(name: str) -> str:
    """A company name without accents, case, punctuation or a trailing legal form."""
    words = WORD.findall(normalise(name or "").replace(".", ""))
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)[:200]


class Address(models.Model):
    street = models.CharField(_("street"), max_length=200, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    region = models.CharField(_("region"), max_length=100, blank=True, default="")
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, blank=True, default="",
                               validators=[validate_country])

    class Meta:
        abstract = True


class Account(OwnedRecord, Address):
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=200, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=100, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    website = models.URLField(_("website"), max_length=300, blank=True, default="")
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        verbose_name=_("parent account"),
    )
    description = models.TextField(_("description"), blank=True, default="")
    tags = models.ManyToManyField(Tag, blank=True, related_name="accounts")
    phone_e164 = models.CharField(max_length=20, blank=True, default="", editable=False)
    name_normalized = models.CharField(max_length=200, blank=True, default="", editable=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from",
        editable=False, verbose_name=_("merged into"),
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["name", "id"], name="account_name_idx"),
            models.Index(fields=["domain"], name="account_domain_idx"),
            models.Index(fields=["name_normalized"], name="account_normname_idx"),
            models.Index(fields=["owner", "id"], name="account_owner_idx"),
            models.Index(fields=["city"], name="account_city_idx"),
            models.Index(fields=["industry"], name="account_industry_idx"),
            models.Index(fields=["deleted_at"], name="account_binned_idx",
                         condition=models.Q(deleted_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        self.country = (self.country or "").upper()
        self.domain = (self.domain or "").lower().removeprefix("www.")
        try:
            self.phone_e164 = to_e164(self.phone, self.country)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent_id"] = [_("An account cannot be its own parent.")]
        elif self.parent_id and self.pk and self._parent_cycle():
            errors["parent_id"] = [_("This parent would make a loop of accounts.")]
        if errors:
            raise ValidationError(errors)

    def _parent_cycle(self) -> bool:
        seen, current = {self.pk}, self.parent_id
        while current:
            if current in seen:
                return True
            seen.add(current)
            current = Account.all_objects.filter(pk=current).values_list(
                "parent_id", flat=True).first()
        return False


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social")
    MAIL = "mail", _("Mail")


class Contact(OwnedRecord, Address):
    first_name = models.CharField(_("first name"), max_length=100, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=100, blank=True, default="")
    email = models.EmailField(_("email"), max_length=254, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, default="")
    title = models.CharField(_("job title"), max_length=120, blank=True, default="")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
        verbose_name=_("account"),
    )
    birthdate = models.DateField(_("birthdate"), null=True, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True, default="",
    )
    email_opt_in = models.BooleanField(_("email opt-in"), default=False)
    email_opt_in_at = models.DateTimeField(_("opt-in given at"), null=True, blank=True)
    email_opt_in_source = models.CharField(_("opt-in source"), max_length=120, blank=True,
                                           default="")
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    description = models.TextField(_("description"), blank=True, default="")
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    phone_e164 = models.CharField(max_length=20, blank=True, default="", editable=False)
    mobile_e164 = models.CharField(max_length=20, blank=True, default="", editable=False)
    name_normalized = models.CharField(max_length=210, blank=True, default="", editable=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from",
        editable=False, verbose_name=_("merged into"),
    )
    # Scores written by the analytics fit (contract §6) and the loyalty and survey ledgers;
    # read-only everywhere else, so writing them never bumps the record's version.
    rfm_segment = models.CharField(_("RFM segment"), max_length=30, blank=True, default="",
                                   editable=False)
    rfm_score = models.CharField(_("RFM score"), max_length=3, blank=True, default="",
                                 editable=False)
    p_alive = models.FloatField(_("probability active"), null=True, blank=True, editable=False)
    expected_purchases_90d = models.FloatField(_("expected purchases (90 days)"), null=True,
                                               blank=True, editable=False)
    clv = models.DecimalField(_("customer lifetime value"), max_digits=14, decimal_places=2,
                              null=True, blank=True, editable=False)
    churn_risk = models.FloatField(_("churn risk"), null=True, blank=True, editable=False)
    next_purchase_expected_by = models.DateField(_("next purchase expected by"), null=True,
                                                 blank=True, editable=False)
    loyalty_points = models.IntegerField(_("loyalty points"), default=0, editable=False)
    loyalty_tier = models.CharField(_("loyalty tier"), max_length=30, blank=True, default="",
                                    editable=False)
    nps_score = models.SmallIntegerField(_("NPS answer"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="contact_name_idx"),
            models.Index(fields=["email"], name="contact_email_idx"),
            models.Index(fields=["phone_e164"], name="contact_phone_idx"),
            models.Index(fields=["mobile_e164"], name="contact_mobile_idx"),
            models.Index(fields=["owner", "id"], name="contact_owner_idx"),
            models.Index(fields=["account", "id"], name="contact_account_idx"),
            models.Index(fields=["account", "name_normalized"], name="contact_acct_normname_idx"),
            models.Index(fields=["city"], name="contact_city_idx"),
            models.Index(fields=["country"], name="contact_country_idx"),
            models.Index(fields=["created_at", "id"], name="contact_created_idx"),
            models.Index(fields=["rfm_segment"], name="contact_rfm_idx"),
            models.Index(fields=["clv"], name="contact_clv_idx"),
            models.Index(fields=["churn_risk"], name="contact_churn_idx"),
            models.Index(fields=["deleted_at"], name="contact_binned_idx",
                         condition=models.Q(deleted_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        errors = {}
        self.country = (self.country or "").upper()
        self.email = (self.email or "").strip().lower()
        if not (self.first_name or self.last_name or self.email):
            errors["last_name"] = [_("Give at least a name or an email address.")]
        for name in ("phone", "mobile"):
            try:
                setattr(self, f"{name}_e164", to_e164(getattr(self, name), self.country))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
