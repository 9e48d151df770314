"""Tables of the platform mechanisms and the base classes every domain record uses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LiveManager(models.Manager):
    """Records not in the recycle bin."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Record(models.Model):
    """Every domain record: optimistic version, timestamps, recycle bin and custom fields.

    Writes go through `vinculo.platform.records`, never through `save()` directly.
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012  (a manager, not a field)

    class Meta:
        abstract = True
        base_manager_name = "all_objects"


class OwnedRecord(Record):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )

    class Meta:
        abstract = True
        base_manager_name = "all_objects"


class AuditEntry(models.Model):
    """Who changed which field from what to what, and when."""

    class Operation(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        RESTORE = "restore", _("restored")
        MERGE = "merge", _("merged")

    entity = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    operation = models.CharField(max_length=10, choices=Operation.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["entity", "record_id", "-id"], name="audit_record_idx")]


class CustomField(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DECIMAL = "decimal", _("Decimal")
        DATE = "date", _("Date")
        BOOLEAN = "boolean", _("Yes/no")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        URL = "url", _("URL")
        EMAIL = "email", _("Email")

    entity = models.CharField(_("entity"), max_length=40)
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=120)
    label_es = models.CharField(_("label (Spanish)"), max_length=120, blank=True, default="")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["entity", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="customfield_entity_key_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private")
    TEAM = "team", _("Team")
    PUBLIC = "public", _("Public")


class SavedView(models.Model):
    """A stored list definition: filter, columns and ordering, with an owner and a visibility."""

    entity = models.CharField(_("entity"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    filter = models.JSONField(_("filter"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    ordering = models.JSONField(_("ordering"), default=list, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    team = models.ForeignKey(
        "identity.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="views_shared_with_me"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["entity", "name", "id"]
        indexes = [models.Index(fields=["entity", "owner"], name="savedview_owner_idx")]

    def __str__(self) -> str:
        return self.name


class RecordShare(models.Model):
    """A record shared with a user or a team beyond what their role's scope allows."""

    entity = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "identity.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    can_edit = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["entity", "user", "record_id"], name="share_user_idx"),
            models.Index(fields=["entity", "team", "record_id"], name="share_team_idx"),
        ]


class IdempotencyKey(models.Model):
    key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=400)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_uniq")
        ]


class SearchEntry(models.Model):
    """One row per searchable record: its normalised text, kept in step by the write pipeline.

    SQLite indexes `document` with an FTS5 table (rowid = id); PostgreSQL with a full-text
    GIN index and a trigram index (see the migrations).
    """

    entity = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True, default="")
    document = models.TextField()
    owner_id = models.BigIntegerField(null=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "record_id"],
                                    name="search_entity_record_uniq")
        ]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    color = models.CharField(_("colour"), max_length=20, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A file being imported in the background, with its progress and per-row report."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="import_jobs")
    entity = models.CharField(_("entity"), max_length=40)
    format = models.CharField(_("format"), max_length=10)
    dedupe = models.CharField(_("dedupe by"), max_length=40, blank=True, default="")
    file = models.CharField(max_length=500, help_text="Name in the default file storage.")
    original_name = models.CharField(_("file name"), max_length=255, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True,
                              help_text="The first rows refused: {row, field, message}.")
    unknown_columns = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-id"], name="importjob_owner_idx")]

    def __str__(self) -> str:
        return f"import {self.entity} #{self.pk}"


class ExportJob(models.Model):
    """Records written to a file in the background; downloadable by its owner once done."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="export_jobs")
    entity = models.CharField(_("entity"), max_length=40)
    format = models.CharField(_("format"), max_length=10)
    filter = models.JSONField(_("filter"), default=dict, blank=True)
    ids = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=500, blank=True, default="",
                            help_text="Name in the default file storage.")
    message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-id"], name="exportjob_owner_idx")]

    def __str__(self) -> str:
        return f"export {self.entity} #{self.pk}"
