"""Pages of pipelines and opportunities: declared here, served by the generic views of
`vinculo.web` (the board has its own view)."""

from django.utils.translation import gettext_lazy as _

from vinculo.web.resources import RelatedList, Resource, Section, register

pipelines = register(Resource(
    entity="pipelines",
    icon="orders",
    sections=(Section(_("Pipeline"), ("name", "description", "is_default", "active", "order")),),
    related_lists=(RelatedList("stages", "pipeline_id", _("Stages")),),
))

stages = register(Resource(
    entity="stages",
    icon="orders",
    sections=(Section(_("Stage"), ("pipeline_id", "name", "order", "probability", "kind")),),
    prefill=("pipeline_id",),
))

opportunities = register(Resource(
    entity="opportunities",
    icon="orders",
    sections=(
        Section(_("Deal"), ("name", "account_id", "contact_id", "amount", "currency",
                            "expected_close_date")),
        Section(_("Pipeline"), ("pipeline_id", "stage_id", "probability", "lost_reason")),
        Section(_("More"), ("description", "owner_id")),
    ),
    read_only=("status", "closed_at", "stage_changed_at", "created_at", "updated_at"),
    timeline=True,
    quick_add=True,
    prefill=("account_id", "contact_id", "pipeline_id", "stage_id"),
))
