"""The knowledge base: articles in English and Spanish, with categories, published versions
and links to cases.

An article row holds the working copy (what writers edit) and, denormalised, its last
published title and body (what readers and the portal see). Every publication is also kept as
an immutable `ArticleVersion` (who published what, when).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import Record


class Language(models.TextChoices):
    EN = "en", _("English")
    ES = "es", _("Spanish")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Category(Record):
    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.name

    def label(self, language: str = "en") -> str:
        return self.name_es if language.startswith("es") and self.name_es else self.name


class Article(Record):
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True, default="")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices,
                                default=Language.EN)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    public = models.BooleanField(_("public (in the customer portal)"), default=False)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="articles", verbose_name=_("category"))
    translation_of = models.ForeignKey("self", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="translations",
                                       verbose_name=_("translation of"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", editable=False,
                               verbose_name=_("author"))
    # The last published version, as readers see it (0: never published).
    published_number = models.PositiveIntegerField(_("published version"), default=0,
                                                   editable=False)
    published_title = models.CharField(_("published title"), max_length=300, blank=True,
                                       default="", editable=False)
    published_body = models.TextField(_("published body"), blank=True, default="",
                                      editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True,
                                        editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     editable=False, verbose_name=_("published by"))

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        base_manager_name = "all_objects"
        indexes = [
            # The portal's list: public published articles by language and category.
            models.Index(fields=["language", "category", "id"], name="kb_public_idx",
                         condition=Q(public=True, published_number__gt=0,
                                     deleted_at__isnull=True)),
            models.Index(fields=["category", "id"], name="kb_category_idx"),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def is_published(self) -> bool:
        return self.published_number > 0

    @property
    def shown_title(self) -> str:
        return self.published_title or self.title

    @property
    def has_unpublished_changes(self) -> bool:
        return not self.is_published or (self.title, self.body) != (
            self.published_title, self.published_body)


class ArticleVersion(models.Model):
    """One publication of an article, never changed afterwards."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    language = models.CharField(max_length=2, choices=Language.choices)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "number"],
                                               name="kb_version_once")]
        ordering = ["article", "-number"]


class CaseArticle(models.Model):
    """An article linked to a case (the answer given, or a reference for the agent)."""

    case = models.ForeignKey("service.Case", on_delete=models.CASCADE,
                             related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="case_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "article"],
                                               name="kb_case_article_once")]
        indexes = [models.Index(fields=["article", "case"], name="kb_article_case_idx")]
