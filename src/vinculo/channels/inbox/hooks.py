"""What the inbox module registers with the platform: the conversations entity, its write
rules (queue assignment, owner follows assignee) and the phone panel on contacts."""


from django.utils.translation import gettext_lazy

from vinculo.automation import schedules
from vinculo.platform import registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.registry import Entity
from vinculo.service.services import register_workload
from vinculo.web import resources

from . import services, tasks, views
from .models import Conversation

registry.register(Entity(
    name="conversations", model=Conversation, label=gettext_lazy("conversation"),
    label_plural=gettext_lazy("conversations"),
    filter_fields=("id", "channel", "status", "subject", "address", "network", "contact_id",
                   "contact", "assignee_id", "queue_id", "account_id", "lead_id", "case_id",
                   "opportunity_id", "last_message_at", "owner_id", "created_at", "updated_at"),
    ordering_fields=("id", "last_message_at", "created_at", "status", "channel"),
    default_ordering=("-last_message_at",),
    title=lambda c: str(c), custom_fields=False,
    list_columns=("subject", "channel", "status", "assignee", "last_message_at"),
))

register("conversations", Stage.BEFORE_SAVE, order=50, name="inbox.queue_assign")(
    services.assign_from_queue)
register("conversations", Stage.BEFORE_SAVE, order=60, name="inbox.owner_follows_assignee")(
    services.owner_follows_assignee)

register_workload(services.open_conversations_by_member)

resources.add_panel("contacts", "inbox/contact_panel.html", views.contact_panel, order=30)

schedules.cron("inbox.prune_receipts", "17 4 * * *", tasks.prune_webhook_receipts)
