"""Customer service: cases, queues, SLA policies with business-hours calendars, macros."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vinculo.platform.models import OwnedRecord, Record


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("status", "New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending (waiting on the customer)")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_ORDER = ["low", "normal", "high", "urgent"]


class AssignmentMethod(models.TextChoices):
    MANUAL = "manual", _("Manual pick-up")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class Calendar(Record):
    """Business hours: per weekday (0 = Monday) a list of ["HH:MM", "HH:MM"] intervals in
    the calendar's time zone, and holidays (ISO dates) with no business hours at all."""

    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.name


class Queue(Record):
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                     verbose_name=_("members"))
    assignment = models.CharField(_("assignment"), max_length=20,
                                  choices=AssignmentMethod.choices,
                                  default=AssignmentMethod.ROUND_ROBIN)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("manager"))
    # Round-robin pointer: the id of the member last given a case (locked while choosing).
    last_assignee_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.name


class SlaPolicy(Record):
    name = models.CharField(_("name"), max_length=120)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    account_tier = models.CharField(_("account tier"), max_length=40, blank=True, default="")
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), validators=[MinValueValidator(1)])
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="policies", verbose_name=_("calendar"))
    warn_percent = models.PositiveSmallIntegerField(
        _("warning at percent of target"), default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)])
    escalate_notify = models.BooleanField(_("notify on breach"), default=True)
    escalate_reassign = models.BooleanField(_("reassign on breach"), default=False)
    escalate_raise_priority = models.BooleanField(_("raise priority on breach"), default=False)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.name


class Case(OwnedRecord):
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    channel = models.CharField(_("channel"), max_length=20, blank=True, default="")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cases",
                                verbose_name=_("contact"))
    account = models.ForeignKey("customers.Account", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cases",
                                verbose_name=_("account"))
    order = models.ForeignKey("sales.Order", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="cases", verbose_name=_("order"))
    product = models.ForeignKey("sales.Product", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cases",
                                verbose_name=_("product"))
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="cases", verbose_name=_("queue"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("assignee"))
    sla_policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="cases", verbose_name=_("SLA policy"))
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True, editable=False)
    paused_minutes = models.PositiveIntegerField(default=0, editable=False)
    sla_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_from", editable=False,
                                    verbose_name=_("merged into"))

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        base_manager_name = "all_objects"
        indexes = [
            # The queue view: cases of a queue by due time (cursor on due, id). Not partial:
            # SQLite cannot match a partial index's condition against bound parameters.
            models.Index(fields=["queue", "resolution_due", "id"], name="case_queue_due_idx"),
            # The case list's default order, newest first.
            models.Index(fields=["created_at", "id"], name="case_created_idx"),
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
            models.Index(fields=["contact", "created_at"], name="case_contact_idx"),
            models.Index(fields=["account", "created_at"], name="case_account_idx"),
            models.Index(fields=["status", "id"], name="case_status_idx"),
            # The escalation job: open cases with a due time.
            models.Index(fields=["resolution_warn_at"], name="case_open_warn_idx",
                         condition=Q(status__in=["new", "open"], deleted_at__isnull=True)),
            models.Index(fields=["first_response_warn_at"], name="case_unanswered_warn_idx",
                         condition=Q(status__in=["new", "open"], deleted_at__isnull=True,
                                     first_responded_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.subject


class Escalation(models.Model):
    """One warning or breach of one case's target, recorded once (unique)."""

    class Kind(models.TextChoices):
        FIRST_RESPONSE_WARNING = "first_response_warning", _("First response warning")
        FIRST_RESPONSE_BREACH = "first_response_breach", _("First response breached")
        RESOLUTION_WARNING = "resolution_warning", _("Resolution warning")
        RESOLUTION_BREACH = "resolution_breach", _("Resolution breached")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The due time it was about: a recomputed target may warn again.
    due = models.DateTimeField()
    at = models.DateTimeField()
    actions = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind", "due"],
                                               name="case_escalation_once")]


class Macro(Record):
    name = models.CharField(_("name"), max_length=120)
    reply_en = models.TextField(_("reply (English)"), blank=True, default="")
    reply_es = models.TextField(_("reply (Spanish)"), blank=True, default="")
    changes = models.JSONField(_("field changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.name
