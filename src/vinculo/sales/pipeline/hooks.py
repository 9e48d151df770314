"""What the pipeline module registers with the platform."""

from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry
from vinculo.platform.importexport import demo
from vinculo.platform.registry import Entity, Related

from . import services  # noqa: F401  (registers the write-pipeline hooks)
from .demo import make_opportunities
from .models import Opportunity, Pipeline, Quota, Stage

registry.register(Entity(
    name="pipelines",
    model=Pipeline,
    label=_("pipeline"),
    label_plural=_("pipelines"),
    owned=False,
    filter_fields=("id", "name", "is_default", "active", "order", "created_at", "updated_at"),
    ordering_fields=("id", "name", "order", "created_at"),
    default_ordering=("order", "id"),
    search_fields=("name",),
    title=lambda p: p.name,
    list_columns=("name", "is_default", "active", "order"),
    related={"stages": Related("stages", "stages"),
             "opportunities": Related("opportunities", "opportunities")},
))

registry.register(Entity(
    name="stages",
    model=Stage,
    label=_("stage"),
    label_plural=_("stages"),
    owned=False,
    filter_fields=("id", "pipeline_id", "pipeline", "name", "order", "probability", "kind",
                   "created_at", "updated_at"),
    ordering_fields=("id", "pipeline_id", "order", "name", "probability"),
    default_ordering=("pipeline_id", "order", "id"),
    search_fields=("name",),
    title=lambda s: s.name,
    list_columns=("pipeline", "name", "order", "probability", "kind"),
    custom_fields=False,
))

registry.register(Entity(
    name="opportunities",
    model=Opportunity,
    label=_("opportunity"),
    label_plural=_("opportunities"),
    filter_fields=("id", "name", "account_id", "account", "contact_id", "contact",
                   "pipeline_id", "pipeline", "stage_id", "stage", "amount", "currency",
                   "expected_close_date", "probability", "status", "lost_reason", "closed_at",
                   "stage_changed_at", "owner_id", "owner", "created_at", "updated_at"),
    ordering_fields=("id", "name", "amount", "expected_close_date", "probability",
                     "created_at", "updated_at"),
    default_ordering=("expected_close_date", "id"),
    search_fields=("name", "description", "account.name"),
    title=lambda o: o.name,
    subtitle=lambda o: f"{o.amount} {o.currency}",
    related={"activities": Related("activities", "activities")},
    list_columns=("name", "account", "stage", "amount", "currency", "expected_close_date",
                  "owner"),
    importable=True,
))

registry.register(Entity(
    name="quotas",
    model=Quota,
    label=_("quota"),
    label_plural=_("quotas"),
    owned=False,
    filter_fields=("id", "user_id", "user", "team_id", "team", "period", "starts_on", "amount",
                   "currency", "created_at", "updated_at"),
    ordering_fields=("id", "starts_on", "amount", "created_at"),
    default_ordering=("-starts_on", "id"),
    title=lambda q: str(q),
    subtitle=lambda q: f"{q.amount} {q.currency}",
    list_columns=("user", "team", "period", "starts_on", "amount", "currency"),
    custom_fields=False,
    importable=True,
))

demo.register_step("opportunities", make_opportunities, order=20)
