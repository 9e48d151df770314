"""What the knowledge module registers with the platform: its entities (search included), the
write rules (who writes, drafts and versions, translations) and the panel on cases."""

from django.utils.translation import gettext_lazy

from vinculo.platform import registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.registry import Entity

from . import services
from .models import Article, Category

registry.register(Entity(
    name="knowledge-categories", model=Category, label=gettext_lazy("knowledge category"),
    label_plural=gettext_lazy("knowledge categories"), owned=False,
    filter_fields=("id", "name", "name_es", "order", "created_at"),
    ordering_fields=("id", "name", "order"), default_ordering=("order", "name"),
    search_fields=("name", "name_es"), title=lambda c: c.name,
    list_columns=("name", "name_es", "order"),
))
registry.register(Entity(
    name="knowledge-articles", model=Article, label=gettext_lazy("knowledge article"),
    label_plural=gettext_lazy("knowledge articles"), owned=False,
    filter_fields=("id", "title", "body", "language", "status", "public", "category_id",
                   "category", "translation_of_id", "published_number", "published_at",
                   "author_id", "created_at", "updated_at"),
    ordering_fields=("id", "title", "language", "status", "published_at", "created_at",
                     "updated_at"),
    default_ordering=("-updated_at",),
    # The working copy and the published text: writers find drafts, readers what they read.
    search_fields=("title", "body", "published_title", "published_body"),
    title=lambda a: a.shown_title,
    subtitle=lambda a: " · ".join(x for x in (a.get_language_display(),
                                              a.get_status_display()) if x),
    list_columns=("title", "language", "status", "public", "category", "updated_at"),
))

# Deleting and restoring run no "before validation" hooks: the same check runs before saving.
for _stage, _operations in ((Stage.BEFORE_VALIDATE, ("create", "update")),
                            (Stage.BEFORE_SAVE, ("delete", "restore"))):
    register("knowledge-articles", _stage, operations=_operations, order=1,
             name=f"knowledge.writers.{_stage}")(services.require_writer)
    register("knowledge-categories", _stage, operations=_operations, order=1,
             name=f"knowledge.categories.admins.{_stage}")(services.categories_by_admins)
register("knowledge-articles", Stage.BEFORE_VALIDATE, order=10,
         name="knowledge.category_by_name")(services.take_category)
register("knowledge-articles", Stage.BEFORE_SAVE, order=10,
         name="knowledge.translation")(services.check_translation)
register("knowledge-articles", Stage.BEFORE_SAVE, order=20,
         name="knowledge.draft_or_publish")(services.draft_or_publish)
register("knowledge-articles", Stage.AFTER_SAVE, order=10,
         name="knowledge.version")(services.record_version)
register("knowledge-articles", Stage.AFTER_SAVE, operations=("create", "update", "restore"),
         order=20, name="knowledge.hide_draft_title")(services.hide_draft_title)
