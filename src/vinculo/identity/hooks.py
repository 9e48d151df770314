"""What the identity app registers with the platform."""

from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry
from vinculo.platform.registry import Entity

from .models import Team, User

registry.register(Entity(
    name="users", model=User, label=_("user"), label_plural=_("users"), owned=False,
    filter_fields=("id", "username", "email", "first_name", "last_name", "is_active"),
    ordering_fields=("id", "username"), default_ordering=("username",),
    title=lambda u: u.display_name(), custom_fields=False,
))
registry.register(Entity(
    name="teams", model=Team, label=_("team"), label_plural=_("teams"), owned=False,
    filter_fields=("id", "name"), ordering_fields=("id", "name"), default_ordering=("name",),
    title=lambda t: t.name, custom_fields=False,
))
