"""What the campaigns module registers with the platform."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.importexport import demo
from vinculo.platform.records import Change
from vinculo.platform.registry import Entity, Related

from .demo import make_campaigns
from .models import Campaign, CampaignItem, CampaignMember

registry.register(Entity(
    name="campaigns",
    model=Campaign,
    label=_("campaign"),
    label_plural=_("campaigns"),
    filter_fields=("id", "name", "kind", "status", "starts_on", "ends_on", "budget",
                   "actual_cost", "expected_revenue", "currency", "segment_id", "list_id",
                   "description", "owner_id", "owner", "created_at", "updated_at"),
    ordering_fields=("id", "name", "kind", "status", "starts_on", "ends_on", "budget",
                     "actual_cost", "expected_revenue", "created_at", "updated_at"),
    default_ordering=("-starts_on", "-id"),
    search_fields=("name", "description"),
    title=lambda c: c.name,
    subtitle=lambda c: " · ".join(x for x in (str(c.get_kind_display()),
                                               str(c.get_status_display())) if x),
    related={"members": Related("campaign-members", "members"),
             "items": Related("campaign-items", "items")},
    list_columns=("name", "kind", "status", "starts_on", "ends_on", "budget", "actual_cost",
                  "owner"),
    importable=True,
))

registry.register(Entity(
    name="campaign-items",
    model=CampaignItem,
    label=_("campaign item"),
    label_plural=_("campaign items"),
    owned=False,
    filter_fields=("id", "campaign_id", "campaign", "title", "kind", "owner_id", "due_on",
                   "budget", "actual_cost", "done", "created_at", "updated_at"),
    ordering_fields=("id", "due_on", "title", "created_at"),
    default_ordering=("due_on", "id"),
    title=lambda i: i.title,
    custom_fields=False,
))

registry.register(Entity(
    name="campaign-members",
    model=CampaignMember,
    label=_("campaign member"),
    label_plural=_("campaign members"),
    owned=False,
    filter_fields=("id", "campaign_id", "campaign", "contact_id", "status", "added_at",
                   "first_touched_at", "last_touched_at", "responded_at"),
    ordering_fields=("id", "added_at", "status", "last_touched_at"),
    default_ordering=("id",),
    title=lambda m: f"{m.campaign_id}/{m.contact_id}",
    custom_fields=False,
))

# Contacts → their campaign memberships, usable in the filter language (contract §3).
_contacts = registry.maybe("contacts")
if _contacts is not None:
    _contacts.related["campaign_memberships"] = Related("campaign-members",
                                                        "campaign_memberships")


# ---------------------------------------------------------------------------- write rules


@register("campaigns", Stage.BEFORE_SAVE, order=10, name="campaigns.dates_and_target")
def check_campaign(change: Change) -> None:
    campaign: Campaign = change.instance
    errors: dict[str, list[str]] = {}
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = [str(_("A campaign cannot end before it starts."))]
    for name in ("budget", "actual_cost", "expected_revenue"):
        value = getattr(campaign, name)
        if value is not None and value < 0:
            errors[name] = [str(_("An amount cannot be negative."))]
    if campaign.currency and (len(campaign.currency) != 3
                              or not campaign.currency.isalpha()):
        errors["currency"] = [str(_("Use a three-letter currency code."))]
    campaign.currency = (campaign.currency or "EUR").upper()
    actor = change.actor
    if change.has_changed("segment") or change.has_changed("segment_id"):
        _check_target(errors, "segment_id", campaign.segment_id, actor, "segment")
    if change.has_changed("list") or change.has_changed("list_id"):
        _check_target(errors, "list_id", campaign.list_id, actor, "list")
    if errors:
        raise ValidationError(errors)


def _check_target(errors: dict, key: str, pk: int | None, actor, kind: str) -> None:
    if pk is None:
        return
    if kind == "segment":
        from vinculo.marketing.segments.models import Segment
        from vinculo.marketing.segments.selectors import visible_segments
        qs = visible_segments(actor) if actor is not None else Segment.objects.all()
    else:
        from vinculo.marketing.lists.models import StaticList
        from vinculo.marketing.lists.selectors import visible_lists
        qs = visible_lists(actor) if actor is not None else StaticList.objects.all()
    target = qs.filter(pk=pk).values("entity").first()
    if target is None:
        errors[key] = [str(_("No such record: %(id)s.") % {"id": pk})]
    elif target["entity"] != "contacts":
        errors[key] = [str(_("A campaign targets contacts: choose a segment or list of "
                             "contacts."))]


@register("campaign-items", Stage.BEFORE_SAVE, order=10, name="campaigns.item_amounts")
def check_item(change: Change) -> None:
    item: CampaignItem = change.instance
    errors = {name: [str(_("An amount cannot be negative."))]
              for name in ("budget", "actual_cost")
              if getattr(item, name) is not None and getattr(item, name) < 0}
    if errors:
        raise ValidationError(errors)


@register("campaign-items", Stage.AFTER_SAVE, order=50, name="campaigns.item_costs")
def roll_up_costs(change: Change) -> None:
    """The campaign's actual cost follows the sum of its planned items' actual costs."""
    from . import services

    if change.operation == "create" or change.has_changed("actual_cost"):
        services.roll_up_actual_cost(change.instance.campaign_id, actor=change.actor)


# Leads, deals and orders are credited to the campaigns that touched their contact before.
def _attribute(target: str):
    def hook(change: Change) -> None:
        from . import services

        services.attribute_record(target, change.instance)
    return hook


for _target in ("leads", "opportunities", "orders"):
    register(_target, Stage.AFTER_SAVE, operations=("create",), order=500,
             name=f"campaigns.attribute_{_target}")(_attribute(_target))


def _schedule() -> None:
    from vinculo.automation import schedules

    from . import tasks

    schedules.cron("campaigns.attribution", "30 2 * * *", tasks.recompute_attribution)


_schedule()

demo.register_step("campaigns", make_campaigns, order=30)
