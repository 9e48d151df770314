"""Pages of activities: declared here, served by the generic views of `vinculo.web`.

The quick-add of notes, calls and tasks on account and contact pages posts to
`/activities/new/` like the full form does.
"""

from django.utils.translation import gettext_lazy as _

from vinculo.web.resources import Resource, Section, register

activities = register(Resource(
    entity="activities",
    icon="activities",
    link_column="subject",
    sections=(
        Section(_("Activity"), ("kind", "subject", "body", "direction", "occurred_at",
                                "duration_minutes", "outcome")),
        Section(_("Task"), ("due_at", "remind_at", "done")),
        Section(_("About"), ("contact_id", "account_id", "lead_id", "opportunity_id",
                                 "owner_id")),
    ),
    read_only=("done_at", "created_at", "updated_at"),
    prefill=("contact_id", "account_id", "lead_id", "opportunity_id", "kind"),
))
