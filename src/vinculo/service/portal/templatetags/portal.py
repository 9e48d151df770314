"""Template filters of the customer portal."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# How a customer reads a case's status (staff words like "pending" mean little to them).
CASE_STATUS = {
    "new": _("Received"),
    "open": _("In progress"),
    "pending": _("Waiting for your reply"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
}


@register.filter
def case_status(status: str) -> str:
    return str(CASE_STATUS.get(status, status))
