"""What the import, export and demo commands share."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _


def actor_for(username: str):
    """The user a command acts as: the one named, else the first administrator."""
    from vinculo.identity.models import User

    if username:
        user = User.objects.select_related("role").filter(username=username,
                                                          is_active=True).first()
        if user is None:
            raise CommandError(_("No active user '%(username)s'.") % {"username": username})
        return user
    user = (User.objects.select_related("role").filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(role__is_admin=True)).order_by("id").first())
    if user is None:
        raise CommandError(_("There is no administrator to act as: create one, or name a user "
                             "with --as."))
    return user
